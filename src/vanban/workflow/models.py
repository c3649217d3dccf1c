"""Work on registered incoming documents (R8.1, R12.1, R14.2).

* :class:`Assignment` is one act of assigning: the head or a delegate assigns a document (no
  ``parent``), or a unit's leader passes the unit's line on to specialists (``parent`` is that
  line). Its :class:`AssignmentLine` rows say who: one lead (chủ trì), co-operating (phối hợp)
  and for-information (để biết) units or people, each with its deadline. A re-assignment
  withdraws the open lines (``withdrawn_at``/``withdrawn_by``): they are kept as history, and
  rules and selectors treat them as no longer held.
* :class:`Opinion` is a direction or an opinion written on a document. The table is append-only
  (database triggers, migration ``0002``) and every row is vouched for by an audit event carrying
  its hash, so ``vanban audit verify`` notices an edit or a removal (docs/adr/0008).
* :class:`WorkFile` is a work file (hồ sơ công việc) with the Decree 30/2020 Phụ lục V metadata,
  grouping incoming and outgoing documents of one agency (:class:`WorkFileItem`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanban.core.searchable import Searchable
from vanban.workflow.search_text import work_file_search_parts


class LineRole(models.TextChoices):
    """What a line asks of its holder."""

    LEAD = "lead", _("Chủ trì")
    COOPERATE = "cooperate", _("Phối hợp")
    INFORM = "inform", _("Để biết")


class Assignment(models.Model):
    """One act of assigning a document (top level) or passing a unit's line on (``parent``)."""

    incoming = models.ForeignKey("incoming.IncomingDocument", on_delete=models.PROTECT,
                                 related_name="assignments")
    parent = models.ForeignKey("AssignmentLine", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="forwards",
                               help_text="The line a unit leader passed on to specialists")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField()

    class Meta:
        ordering = ("assigned_at", "pk")

    def __str__(self) -> str:
        return f"assignment:{self.pk}"


class AssignmentLine(models.Model):
    """One unit or person of an assignment, with its role and deadline."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="lines")
    incoming = models.ForeignKey("incoming.IncomingDocument", on_delete=models.PROTECT,
                                 related_name="assignment_lines")
    role = models.CharField(max_length=10, choices=LineRole.choices)
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="assignment_lines")
    deadline = models.DateField(null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The deadline in working days, when given so")
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When a re-assignment took the line back")
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("assignment", "pk")
        constraints = (
            models.CheckConstraint(
                condition=(models.Q(unit__isnull=False, user__isnull=True)
                           | models.Q(unit__isnull=True, user__isnull=False)),
                name="assignment_line_unit_or_user"),
        )
        indexes = (
            models.Index(fields=("user", "done_at"), name="line_user_open"),
            models.Index(fields=("unit", "done_at"), name="line_unit_open"),
            # A person's or unit's open lines by deadline: "my work" and the overdue page
            # read one page of them, not every open document of the agency.
            models.Index(fields=("user", "deadline", "id"), name="line_user_open_deadline",
                         condition=models.Q(done_at__isnull=True, withdrawn_at__isnull=True)),
            models.Index(fields=("unit", "deadline", "id"), name="line_unit_open_deadline",
                         condition=models.Q(done_at__isnull=True, withdrawn_at__isnull=True)),
        )

    def __str__(self) -> str:
        return f"{self.role}:{self.unit or self.user}"

    @property
    def holder_name(self) -> str:
        """The unit's or the person's name."""
        return str(self.unit if self.unit is not None else self.user)

    @property
    def withdrawn(self) -> bool:
        """Taken back by a re-assignment: shown as history, held by nobody."""
        return self.withdrawn_at is not None


class OpinionKind(models.TextChoices):
    """What kind of entry (Decree 30's handling slip has a block for each)."""

    DIRECTION = "direction", _("Ý kiến chỉ đạo")
    OPINION = "opinion", _("Ý kiến")
    PROPOSAL = "proposal", _("Đề xuất")


class Opinion(models.Model):
    """A direction or an opinion (R14.2): attributed, timestamped, never changed.

    A correction is a new row whose ``corrects`` points at the entry it corrects.
    """

    incoming = models.ForeignKey("incoming.IncomingDocument", on_delete=models.PROTECT,
                                 related_name="opinions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    author_name = models.CharField(max_length=150, help_text="As shown when it was written")
    at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=OpinionKind.choices,
                            default=OpinionKind.OPINION)
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    corrects = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="correction")

    class Meta:
        ordering = ("at", "pk")
        indexes = (models.Index(fields=("incoming", "at"), name="opinion_incoming_at"),)

    def __str__(self) -> str:
        return f"opinion:{self.pk}"


class WorkFile(Searchable):
    """A work file (hồ sơ công việc, R12.1) with the Decree 30/2020 Phụ lục V metadata."""

    search_parts = work_file_search_parts

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="work_files")
    year = models.PositiveSmallIntegerField(help_text="FileCatalog: năm hình thành hồ sơ")
    notation = models.CharField(max_length=20, help_text="FileNotation: số và ký hiệu hồ sơ")
    title = models.CharField(max_length=500)
    # Thời hạn bảo quản: a number of years, or empty for "vĩnh viễn" (permanent).
    retention_years = models.PositiveSmallIntegerField(null=True, blank=True)
    rights = models.CharField(max_length=30, blank=True, help_text="Chế độ sử dụng")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    creator_name = models.CharField(max_length=150)
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    language = models.CharField(max_length=50, default="Tiếng Việt")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    page_total = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-year", "notation")
        constraints = (
            models.UniqueConstraint(fields=("agency", "year", "notation"),
                                    name="work_file_code_unique"),
        )

    def __str__(self) -> str:
        return f"{self.file_code} {self.title}"

    @property
    def file_code(self) -> str:
        """Mã hồ sơ: organ code, year and notation (Phụ lục V, item 1)."""
        return f"{self.agency.code}.{self.year}.{self.notation}"

    @property
    def retention_text(self) -> str:
        """``10 năm`` or ``Vĩnh viễn``."""
        return "Vĩnh viễn" if self.retention_years is None else f"{self.retention_years} năm"

    @property
    def closed(self) -> bool:
        """A closed file is read-only."""
        return self.closed_at is not None


class WorkFileItem(models.Model):
    """One document in a work file: an incoming one or an outgoing one."""

    work_file = models.ForeignKey(WorkFile, on_delete=models.PROTECT, related_name="items")
    incoming = models.ForeignKey("incoming.IncomingDocument", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="work_file_items")
    document = models.ForeignKey("registry.Document", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="work_file_items")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ("added_at", "pk")
        constraints = (
            models.CheckConstraint(
                condition=(models.Q(incoming__isnull=False, document__isnull=True)
                           | models.Q(incoming__isnull=True, document__isnull=False)),
                name="work_file_item_one_document"),
            models.UniqueConstraint(fields=("work_file", "incoming"),
                                    name="work_file_incoming_once"),
            models.UniqueConstraint(fields=("work_file", "document"),
                                    name="work_file_document_once"),
        )

    def __str__(self) -> str:
        return f"item:{self.pk}"
