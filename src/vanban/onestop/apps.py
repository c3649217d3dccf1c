from django.apps import AppConfig


class OnestopConfig(AppConfig):
    name = "vanban.onestop"
    label = "onestop"
    verbose_name = "Một cửa"
