from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "vanban.demo"
    label = "demo"
    verbose_name = "Dữ liệu mẫu"
