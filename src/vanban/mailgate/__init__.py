"""The receiving side of the mail road (R4.1): the gateway reads each clerk mailbox, judges
every message once and hands what passes to the one arrival port; what fails waits in a
quarantine list for the clerk."""
