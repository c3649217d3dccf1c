"""The twice-daily check of the electronic inbox (R10.2): every opening of the inbox by a clerk,
and the reminders sent to clerks who had not checked while documents waited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckKind(models.TextChoices):
    """What checked the inbox: a person (the clerk opening the inbox page or the API), or the
    mail gateway reading the agency's clerk mailbox on its own (no person's name then)."""

    PERSON = "person", _("Văn thư")
    MAIL_GATEWAY = "mail_gateway", _("Cổng thư tự động")


class InboxCheck(models.Model):
    """A check of the agency's electronic inbox: a clerk opened it (the inbox page and the API),
    or the mail gateway read the clerk mailbox (``kind`` mail_gateway, no ``user``)."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="inbox_checks")
    kind = models.CharField(max_length=12, choices=CheckKind.choices, default=CheckKind.PERSON)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="inbox_checks",
                             help_text="The clerk who checked; empty for an automatic check")
    checked_at = models.DateTimeField()
    day = models.DateField(help_text="Local date (Asia/Ho_Chi_Minh)")
    waiting = models.PositiveIntegerField(default=0,
                                          help_text="Deliveries waiting when the inbox was opened")

    class Meta:
        ordering = ("-checked_at", "-id")
        indexes = (models.Index(fields=("agency", "day"), name="inbox_check_agency_day"),)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(kind="person", user__isnull=False)
                | models.Q(kind="mail_gateway", user__isnull=True),
                name="inbox_check_person_has_user"),
        )

    def __str__(self) -> str:
        return f"{self.agency_id} {self.checked_at:%Y-%m-%d %H:%M}"

    @property
    def checker(self) -> str:
        """Who checked, as the report shows it: the clerk's name, or the gateway's."""
        if self.kind == CheckKind.MAIL_GATEWAY or self.user is None:
            return str(CheckKind.MAIL_GATEWAY.label)
        return self.user.full_name or self.user.username


class Reminder(models.Model):
    """R10.2: a clerk had not opened the inbox during a check window while documents waited.

    Shown in the app until read, and mailed once. One per clerk, day and window, so running the
    reminder job twice sends nothing new.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="check_reminders")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="check_reminders")
    day = models.DateField(help_text="Local date (Asia/Ho_Chi_Minh)")
    window = models.PositiveSmallIntegerField(help_text="0: morning, 1: afternoon")
    window_end = models.DateTimeField()
    waiting = models.PositiveIntegerField(help_text="Deliveries waiting at the window's end")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_to = models.CharField(max_length=254, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    mail_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("-window_end", "-id")
        constraints = (
            models.UniqueConstraint(fields=("user", "day", "window"),
                                    name="reminder_once_per_window"),
        )
        indexes = (models.Index(fields=("user", "read_at"), name="reminder_user_unread"),)

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} #{self.window}"


class ReminderRun(models.Model):
    """A check window whose reminders were processed: the job runs each window once, however
    often cron starts it."""

    day = models.DateField(help_text="Local date (Asia/Ho_Chi_Minh)")
    window = models.PositiveSmallIntegerField()
    window_end = models.DateTimeField()
    ran_at = models.DateTimeField()
    agencies_due = models.PositiveIntegerField(default=0,
                                               help_text="Agencies with documents waiting")
    agencies_missed = models.PositiveIntegerField(
        default=0, help_text="Of those, agencies whose clerks had not checked in the window")
    reminders = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-window_end",)
        constraints = (
            models.UniqueConstraint(fields=("day", "window"), name="reminder_run_once"),
        )

    def __str__(self) -> str:
        return f"{self.day} #{self.window}"
