"""Reads of the notices: always the signed-in user's own (nobody reads another's)."""

from __future__ import annotations

from django.db.models import QuerySet

from vanban.core.roles import Actor
from vanban.notices.mail import default_choice
from vanban.notices.models import Notice, Preference


def user_id(actor: Actor) -> int:
    """The actor's user id (the protocol types it as an object)."""
    return int(str(actor.pk))


# The bell counts up to this many (shown "1000+"), one bounded query on (user, read_at).
COUNT_CAP = 1000


def notices_of(actor: Actor, *, unread: bool = False) -> QuerySet[Notice]:
    """The actor's notices, newest first (only the unread ones when asked)."""
    rows = Notice.objects.filter(user_id=user_id(actor))
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-pk")


def unread_count(actor: Actor) -> int:
    """The bell: the actor's unread notices, counted up to :data:`COUNT_CAP`."""
    return notices_of(actor, unread=True).order_by()[:COUNT_CAP].count()


def mail_choice(actor: Actor) -> str:
    """The actor's mail choice (the installation's default when they made none)."""
    found = Preference.objects.filter(user_id=user_id(actor)).values_list("mail", flat=True).first()
    return found or default_choice()
