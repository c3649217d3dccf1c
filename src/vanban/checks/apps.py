from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "vanban.checks"
    label = "checks"
    verbose_name = "Kiểm tra hộp thư"
