"""The incoming register (sổ đăng ký văn bản đến, R5.1, R10.1) and its entries.

One :class:`IncomingDocument` is one line of the register: an electronic delivery the clerk
accepted after its verification (R4.2, R4.3), or a paper document scanned on arrival. Electronic
and paper documents share one yearly series of arrival numbers per agency, counted by the
registry's :class:`~vanban.registry.models.RegisterCounter` (register kind ``incoming``), so a
number is never given twice nor skipped. Column names follow Decree 30/2020 Phụ lục IV (the
incoming register) and the edXML names where they exist.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanban.core.searchable import Searchable
from vanban.incoming.search_text import incoming_search_parts


class IncomingSource(models.TextChoices):
    """How the document arrived."""

    HUB = "hub", _("Liên thông điện tử")
    PAPER = "paper", _("Bản giấy (quét khi đến)")
    MAIL = "mail", _("Thư điện tử công vụ")


class IncomingState(models.TextChoices):
    """Where the work on a registered document stands (R8.1; statuses 04, 05, 06)."""

    REGISTERED = "registered", _("Đã vào sổ")
    ASSIGNED = "assigned", _("Đã phân công")
    PROCESSING = "processing", _("Đang xử lý")
    COMPLETED = "completed", _("Đã hoàn thành")


class IncomingDocument(Searchable):
    """A registered incoming document: one line of the agency's incoming register."""

    search_parts = incoming_search_parts

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="incoming_documents",
                               help_text="The receiving agency (whose register this is)")
    register = models.ForeignKey("registry.Register", on_delete=models.PROTECT,
                                 related_name="incoming_documents")
    arrival_number = models.PositiveIntegerField(help_text="Số đến")
    arrival_date = models.DateField(help_text="Ngày đến (Asia/Ho_Chi_Minh)")
    received_at = models.DateTimeField(help_text="When it arrived (the delivery's time)")
    source = models.CharField(max_length=10, choices=IncomingSource.choices)
    delivery = models.OneToOneField("exchange.Delivery", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="incoming")
    verification = models.ForeignKey("signatures.Verification", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    # Tác giả: the issuing agency, from the directory when known, always as text.
    issuer = models.ForeignKey("directory.Agency", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    issuer_name = models.CharField(max_length=200)
    code_number = models.CharField(max_length=50, blank=True)
    code_notation = models.CharField(max_length=50, blank=True)
    issued_date = models.DateField(null=True, blank=True)
    type_name = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=500)
    priority = models.CharField(max_length=20, blank=True)
    page_amount = models.PositiveIntegerField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, help_text="Hạn trả lời của nơi gửi")
    # The register's deadline was filled from the lead's (the sender gave none): a
    # re-assignment replaces it; the sender's own date is never replaced.
    due_date_from_lead = models.BooleanField(default=False)
    # Đơn vị hoặc người nhận (Decree 30 column 7): to whom the clerk passes it.
    recipient_unit = models.ForeignKey("directory.Unit", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    file_sha256 = models.CharField(max_length=64, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates")
    note = models.CharField(max_length=500, blank=True, help_text="Ghi chú")
    state = models.CharField(max_length=20, choices=IncomingState.choices,
                             default=IncomingState.REGISTERED)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                      on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    reply_document = models.ForeignKey("registry.Document", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="replies_to")

    class Meta:
        ordering = ("-arrival_date", "-arrival_number")
        constraints = (
            models.UniqueConstraint(fields=("register", "arrival_number"),
                                    name="incoming_number_unique_in_register"),
        )
        indexes = (
            models.Index(fields=("agency", "-registered_at"), name="incoming_agency_newest"),
            models.Index(fields=("agency", "state"), name="incoming_agency_state"),
            models.Index(fields=("agency", "issuer_name", "code_number", "code_notation",
                                 "issued_date"), name="incoming_duplicate_key"),
        )

    def __str__(self) -> str:
        return f"{self.arrival_number} ({self.number_text})"

    @property
    def number_text(self) -> str:
        """The issuer's ``05/QĐ-UBND`` as printed."""
        if not self.code_number:
            return self.code_notation
        number = self.code_number
        if number.isdigit():
            number = f"{int(number):02d}"
        return f"{number}/{self.code_notation}" if self.code_notation else number
