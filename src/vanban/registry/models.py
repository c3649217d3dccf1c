"""Outgoing documents, their recipients and files, and the registers that number them (R3, R6).

Column names follow the Decree 30/2020 Phụ lục VI / edXML metadata names where they exist
(``code_number``, ``code_notation``, ``issued_date``, ``subject``, ``page_amount``, ``due_date``,
``priority``, signer ``competence``/``position``/``full_name``).

Numbers come from :class:`RegisterCounter`, a row locked in the registering transaction; never
from a database sequence, whose values a rolled-back transaction would burn (leaving a gap).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanban.core.searchable import Searchable
from vanban.registry.core.approval import Approval, Step
from vanban.registry.core.numbering import DOCUMENT_TYPES, TYPES_BY_CODE, DocumentNumber
from vanban.registry.core.search_text import document_search_parts


class DocumentState(models.TextChoices):
    """Life of an outgoing document. A cancelled document keeps its number."""

    DRAFT = "draft", _("Dự thảo")
    REGISTERED = "registered", _("Đã cấp số")
    SIGNED = "signed", _("Đã ký số")
    READY = "ready_to_send", _("Sẵn sàng gửi")
    SENT = "sent", _("Đã gửi")
    CANCELLED = "cancelled", _("Đã hủy")


class ApprovalState(models.TextChoices):
    """Where a draft stands with the head (trình ký); see ``core/approval.py``."""

    NONE = Approval.NONE.value, _("Chưa trình")
    PENDING = Approval.PENDING.value, _("Chờ duyệt")
    RETURNED = Approval.RETURNED.value, _("Bị trả lại")
    APPROVED = Approval.APPROVED.value, _("Đã duyệt")


class ApprovalStepKind(models.TextChoices):
    """A step of the approval."""

    SUBMIT = Step.SUBMIT.value, _("Trình duyệt")
    APPROVE = Step.APPROVE.value, _("Duyệt")
    RETURN = Step.RETURN.value, _("Trả lại")
    NOTE = Step.NOTE.value, _("Bút phê")


class Priority(models.TextChoices):
    """Urgency (độ khẩn)."""

    NORMAL = "thuong", _("Thường")
    URGENT = "khan", _("Khẩn")
    VERY_URGENT = "thuong_khan", _("Thượng khẩn")
    FLASH = "hoa_toc", _("Hỏa tốc")


class Classification(models.TextChoices):
    """Secrecy (độ mật). Anything but NORMAL never travels electronically (R3.1, R16.7)."""

    NORMAL = "thuong", _("Thường")
    SECRET = "mat", _("Mật")
    TOP_SECRET = "toi_mat", _("Tối mật")
    ABSOLUTE_SECRET = "tuyet_mat", _("Tuyệt mật")


class Competence(models.TextChoices):
    """Signing-authority prefix (Phụ lục I §7), edXML ``SignerInfo/Competence``."""

    NONE = "", _("—")
    TM = "TM.", _("TM. (thay mặt)")
    KT = "KT.", _("KT. (ký thay)")
    TL = "TL.", _("TL. (thừa lệnh)")
    TUQ = "TUQ.", _("TUQ. (thừa ủy quyền)")
    Q = "Q.", _("Q. (quyền)")


class Register(models.Model):
    """An agency's register for one year and series: outgoing (sổ đăng ký văn bản đi, one per
    series) or incoming (sổ đăng ký văn bản đến, one series shared by electronic and paper)."""

    KIND_OUTGOING = "outgoing"
    KIND_INCOMING = "incoming"

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="registers")
    year = models.PositiveSmallIntegerField()
    series = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, default=KIND_OUTGOING)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("agency", "-year", "series")
        constraints = (
            models.UniqueConstraint(fields=("agency", "year", "series", "kind"),
                                    name="register_once_per_year_series"),
        )

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.series}"


class RegisterCounter(models.Model):
    """The last number given in a register; locked (SELECT … FOR UPDATE) to give the next."""

    register = models.OneToOneField(Register, primary_key=True, on_delete=models.CASCADE,
                                    related_name="counter")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.register_id}:{self.last_number}"


class Document(Searchable):
    """An outgoing document of an agency, from draft to ready to send."""

    search_parts = document_search_parts

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="documents")
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="documents", help_text="Đơn vị soạn thảo")
    state = models.CharField(max_length=20, choices=DocumentState.choices,
                             default=DocumentState.DRAFT)
    approval = models.CharField(max_length=10, choices=ApprovalState.choices, blank=True,
                                default=ApprovalState.NONE)
    type_code = models.CharField(max_length=30,
                                 choices=[(t.code, t.name) for t in DOCUMENT_TYPES])
    legal_normative = models.BooleanField(default=False)
    subject = models.CharField(max_length=500)
    place = models.CharField(max_length=100, blank=True)
    priority = models.CharField(max_length=20, choices=Priority.choices, default=Priority.NORMAL)
    classification = models.CharField(max_length=20, choices=Classification.choices,
                                      default=Classification.NORMAL)
    competence = models.CharField(max_length=5, choices=Competence.choices, blank=True)
    position = models.CharField(max_length=100, blank=True)
    full_name = models.CharField(max_length=50, blank=True)
    due_date = models.DateField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)
    page_amount = models.PositiveIntegerField(null=True, blank=True)
    issued_amount = models.PositiveIntegerField(null=True, blank=True)
    archive_units = models.CharField(max_length=200, blank=True, default="VT",
                                     help_text="Lưu: VT, …")
    # Set at registration, in the same transaction as the counter.
    register = models.ForeignKey(Register, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="documents")
    code_number = models.PositiveIntegerField(null=True, blank=True)
    code_notation = models.CharField(max_length=30, blank=True)
    issued_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    registered_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            # Unique and gapless per register (= agency, year, series): the counter guarantees
            # the gaplessness, this constraint the uniqueness even against a buggy writer.
            models.UniqueConstraint(fields=("register", "code_number"),
                                    name="document_number_unique_in_register"),
        )
        indexes = (models.Index(fields=("agency", "state")),
                   # The head's "Chờ duyệt" queue and its counter.
                   models.Index(fields=("agency", "approval", "-id"),
                                name="document_agency_approval"),
                   # The outgoing list's pages: newest first within the agency (keyset paging).
                   models.Index(fields=("agency", "-id"), name="document_agency_newest"),
                   # The same pages narrowed by state or by type (the page's and the API's
                   # filters), so a rare state is an index range, not a scan of the agency.
                   models.Index(fields=("agency", "state", "-id"),
                                name="document_agency_state_newest"),
                   models.Index(fields=("agency", "type_code", "-id"),
                                name="document_agency_type_newest"),
                   # A search by issue dates: the range's rows, not a walk of every newer one.
                   models.Index(fields=("agency", "issued_date", "id"),
                                name="document_agency_issued"))

    def __str__(self) -> str:
        return self.number_text or f"#{self.pk}"

    @property
    def type_name(self) -> str:
        """edXML ``TypeName``: the Vietnamese name of the type."""
        return TYPES_BY_CODE[self.type_code].name

    @property
    def classified(self) -> bool:
        """Mật, Tối mật or Tuyệt mật (R3.1)."""
        return self.classification != Classification.NORMAL

    @property
    def number(self) -> DocumentNumber | None:
        """The allocated number, or None before registration."""
        if self.code_number is None:
            return None
        year = self.issued_date.year if self.legal_normative and self.issued_date else None
        return DocumentNumber(number=self.code_number, notation=self.code_notation, year=year)

    @property
    def number_text(self) -> str:
        """``05/QĐ-UBND`` or ``""``."""
        number = self.number
        return str(number) if number is not None else ""


class DocumentRecipient(models.Model):
    """A recipient: an agency of the directory, or an individual (name, address, mailbox)."""

    ROLE_PAPER = "paper"
    ROLE_ELECTRONIC = "electronic"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    position = models.PositiveSmallIntegerField(default=0)
    agency = models.ForeignKey("directory.Agency", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    mailbox = models.EmailField(blank=True)
    note = models.CharField(max_length=100, blank=True, help_text="Ví dụ: (b/c), (t/h)")
    role = models.CharField(max_length=20, default=ROLE_ELECTRONIC,
                            choices=[(ROLE_PAPER, "Nơi nhận (bản giấy)"),
                                     (ROLE_ELECTRONIC, "Bản điện tử")])

    class Meta:
        ordering = ("document", "position", "id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | ~models.Q(name=""),
                name="recipient_agency_or_name"),
        )

    def __str__(self) -> str:
        return self.display_name

    @property
    def individual(self) -> bool:
        """A person rather than an agency (R3.2d)."""
        return self.agency_id is None

    @property
    def display_name(self) -> str:
        """The line shown in the recipients block."""
        base = self.agency.name if self.agency is not None else self.name
        return f"{base} {self.note}".strip()


class FileKind(models.TextChoices):
    """Which file of a document this is."""

    ORIGINAL = "original", _("Bản gốc (bản quét)")
    APPENDIX = "appendix", _("Phụ lục")
    MERGED = "merged", _("Bản gốc kèm phụ lục")
    SIGNED = "signed", _("Bản đã ký số")


class DocumentFile(models.Model):
    """A file of a document: a content-addressed blob (never changed, R15.2: one file to sign)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=FileKind.choices)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    filename = models.CharField(max_length=200, blank=True)
    source = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="derived", help_text="The file this one was made from")
    certificate_id = models.BigIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("document", "uploaded_at", "id")

    def __str__(self) -> str:
        return f"{self.kind}:{self.sha256[:12]}"


class ApprovalStep(models.Model):
    """One step of a draft's approval: submitted, approved, returned, or the head's note (bút
    phê). Attributed and timestamped; never changed or deleted (database triggers, as for
    opinions: ADR 0008), and vouched for by its audit event."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT,
                                 related_name="approval_steps")
    kind = models.CharField(max_length=10, choices=ApprovalStepKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                               related_name="+")
    author_name = models.CharField(max_length=150, help_text="As shown when it was written")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    note_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ("document", "at", "id")
        indexes = (models.Index(fields=("document", "at"), name="approval_step_document_at"),)

    def __str__(self) -> str:
        return f"approval:{self.pk}"
