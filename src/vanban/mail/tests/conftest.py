"""Fixtures of the mail tests: the real test mail servers (Dovecot and the DSN relay)."""

from vanban.mail.tests.servers import mail_servers, mail_settings  # noqa: F401
