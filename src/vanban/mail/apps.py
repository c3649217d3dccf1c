from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "vanban.mail"
    label = "mail"
    verbose_name = "Hộp thư công vụ"
