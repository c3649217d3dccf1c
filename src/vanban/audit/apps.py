from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vanban.audit"
    label = "audit"
    verbose_name = "Nhật ký kiểm toán"
