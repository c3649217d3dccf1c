from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "vanban.storage"
    label = "storage"
    verbose_name = "Kho tệp"
