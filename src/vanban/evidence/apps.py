from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "vanban.evidence"
    label = "evidence"
    verbose_name = "Bằng chứng gửi nhận"
