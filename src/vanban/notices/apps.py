from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "vanban.notices"
    label = "notices"
    verbose_name = "Thông báo"
