"""The official mailboxes of the provincial mail system (R13.1, R20.1) and the sending side of
the mail road (R9.1): mailbox provisioning, the province's DKIM keys, mail as an outbox
channel."""
