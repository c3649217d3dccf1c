from django.apps import AppConfig


class MailgateConfig(AppConfig):
    name = "vanban.mailgate"
    label = "mailgate"
    verbose_name = "Cổng thư điện tử công vụ"
