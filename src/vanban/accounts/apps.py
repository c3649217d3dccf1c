from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vanban.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
