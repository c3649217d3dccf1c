from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "vanban.search"
    label = "search"
    verbose_name = "Tìm kiếm"
