"""The official mailboxes of the provincial mail system (R13.1, R20.1) and the sending side of
the mail road (R9.1): mailbox provisioning, the province's DKIM keys, mail as an outbox
channel."""
from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "vanban.mail"
    label = "mail"
    verbose_name = "Hộp thư công vụ"

    def ready(self) -> None:
        """Mail messages of the outbox are carried by this app's handler."""
        from vanban.exchange.services.transports import register_outbox_handler
        from vanban.mail.sending import mail_outbox_handler

        register_outbox_handler("mail", mail_outbox_handler)
