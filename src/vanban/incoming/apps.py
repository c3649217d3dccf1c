from django.apps import AppConfig


class IncomingConfig(AppConfig):
    name = "vanban.incoming"
    label = "incoming"
    verbose_name = "Văn bản đến"
