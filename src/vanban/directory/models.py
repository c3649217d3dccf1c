"""Agencies (a tree with official identifier codes) and the units inside them (R1.1, R20.1)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    """Level of an agency in the provincial tree."""

    PROVINCE = "province", _("UBND tỉnh")
    OFFICE = "office", _("Văn phòng")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    DISTRICT = "district", _("UBND huyện, thành phố")
    COMMUNE = "commune", _("UBND xã, phường, thị trấn")
    OTHER = "other", _("Cơ quan khác")


class Agency(models.Model):
    """A state agency. ``code`` is the mã định danh (QCVN 102:2016 / QĐ 20/2020, ≤ 35 chars)."""

    code = models.CharField(max_length=35, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=30, help_text="Dùng trong ký hiệu văn bản, ví dụ UBND")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(max_length=20, choices=AgencyKind.choices, default=AgencyKind.OTHER)
    # R3.2b: an agency without the technical means also gets paper copies.
    connected = models.BooleanField(default=True)
    # R13.1: the official mailbox managed by the agency's clerk.
    mailbox = models.EmailField(blank=True)
    # Empty: served by this installation. Otherwise the id of the peer installation (another
    # province, the national axis) through which the exchange hub reaches the agency.
    installation = models.CharField(max_length=100, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("code",)
        constraints = (
            models.UniqueConstraint(
                Lower("mailbox"),
                name="agency_mailbox_unique",
                condition=~models.Q(mailbox=""),
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Unit(models.Model):
    """A department (phòng, đơn vị) inside an agency; receives assignments (R8.1)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=30, blank=True, help_text="Ví dụ: VX, KT")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("agency", "code")
        constraints = (
            models.UniqueConstraint(fields=("agency", "code"), name="unit_code_unique_in_agency"),
        )

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """An exception to the working-day rule (R8.1 deadlines): a make-up working day on a weekend
    (ngày làm bù) or an extra day off the government announced. ``agency`` empty means the whole
    province; an agency's own entry wins over the province's on the same date."""

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="calendar_days")
    day = models.DateField()
    working = models.BooleanField(help_text="Đúng: ngày làm bù; Sai: ngày nghỉ thêm")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("day",)
        constraints = (
            models.UniqueConstraint(fields=("agency", "day"), name="calendar_day_once_per_agency"),
            models.UniqueConstraint(fields=("day",), condition=models.Q(agency__isnull=True),
                                    name="calendar_day_once_for_province"),
        )

    def __str__(self) -> str:
        return f"{self.day} {'làm bù' if self.working else 'nghỉ'}"


class RecipientGroup(models.Model):
    """A named list of agencies the province administrator keeps ("Các Sở", "UBND các
    huyện"), offered by the outgoing recipients picker so one click adds all its members."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(Agency, related_name="recipient_groups", blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Thứ tự hiển thị")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("position", "name")

    def __str__(self) -> str:
        return self.name
