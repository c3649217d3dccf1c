"""Malware scanning and the intake rules every door applies (R16.1, R3.1): the scanner port and
its clamd adapter, one intake function, the quarantine for files that could not be scanned yet,
and the upload limits enforced before a request body is read."""
