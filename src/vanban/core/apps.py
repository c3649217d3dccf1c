from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vanban.core"
    label = "core"
    verbose_name = "vanban core"
