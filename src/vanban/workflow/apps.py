from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "vanban.workflow"
    label = "workflow"
    verbose_name = "Xử lý văn bản"
