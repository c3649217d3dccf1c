from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "vanban.registry"
    label = "registry"
    verbose_name = "Văn bản và sổ đăng ký"
