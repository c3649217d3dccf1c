from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "vanban.signatures"
    label = "signatures"
    verbose_name = "Chữ ký số"

    def ready(self) -> None:
        """Register the key-store deployment check, and this app's part of a document's
        evidence bundle (verification reports, the PDF and its validation data)."""
        from vanban.evidence.documents import register_document_part
        from vanban.signatures import checks  # noqa: F401  (registers on import)
        from vanban.signatures.verification.evidence import document_parts

        register_document_part("signatures", document_parts)
