"""Per-user notifications (issue 13): one row per (user, kind, object), written by the periodic
job from the state the other apps keep, so nothing is notified twice; and each user's choice of
mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notice is about. Values are stored; never rename one."""

    ARRIVAL = "arrival", _("Văn bản mới đến")
    ASSIGN = "assign", _("Văn bản chờ phân công")
    TASK = "task", _("Việc mới được giao")
    DUE_SOON = "due_soon", _("Sắp đến hạn xử lý")
    OVERDUE = "overdue", _("Quá hạn xử lý")
    REJECTED = "rejected", _("Văn bản gửi đi bị từ chối")
    RECALL = "recall", _("Văn bản đến bị lấy lại, thu hồi")


class MailChoice(models.TextChoices):
    """How a user wants to be told by mail."""

    NONE = "none", _("Không gửi thư")
    EACH = "each", _("Gửi thư cho từng thông báo")
    DAILY = "daily", _("Gửi một thư tổng hợp mỗi ngày")


class Notice(models.Model):
    """One thing a user is told about; ``object_id`` is the row of the kind's model (delivery,
    incoming document, assignment line)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="app_notices")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField()
    subject = models.CharField(max_length=500)
    detail = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)
    due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    mail_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=("user", "kind", "object_id"),
                                    name="notice_once_per_user_kind_object"),
        )
        indexes = (models.Index(fields=("user", "read_at"), name="notice_user_unread"),
                   models.Index(fields=("mailed_at", "user"), name="notice_to_mail"),
                   # the run's "already told?" look-up of a kind's rows (sources.py)
                   models.Index(fields=("kind", "object_id"), name="notice_kind_object"))

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.object_id}"


class Preference(models.Model):
    """A user's mail choice and when their last daily digest went out."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notice_preference")
    mail = models.CharField(max_length=10, choices=MailChoice.choices)
    digest_sent_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} {self.mail}"
