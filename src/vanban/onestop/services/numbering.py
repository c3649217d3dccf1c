"""Dossier codes at acceptance (§6): gap-free and unique per identifier and local day.

The counter row for (identifier, day) is created if missing (a conflict-ignoring insert, safe
when two desks race for the first code of the day) and then locked with SELECT … FOR UPDATE in
the accepting transaction, so a rolled-back acceptance gives its number back.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction

from vanban.onestop.core.codes import DEFAULT_PATTERN, format_code
from vanban.onestop.models import DossierCounter


def code_pattern() -> str:
    """Setting ``code.pattern`` (``VANBAN_ONESTOP_CODE_PATTERN``)."""
    return str(getattr(settings, "VANBAN_ONESTOP_CODE_PATTERN", DEFAULT_PATTERN))


def dvcqg_identifier() -> str:
    """Setting ``code.dvcqg_identifier``: the identifier online dossiers are coded under; unset
    means the deciding body's own."""
    return str(getattr(settings, "VANBAN_ONESTOP_DVCQG_IDENTIFIER", "") or "")


def code_issue(*, identifier: str, day: date) -> str:
    """The next code for ``identifier`` on the local ``day``; must run in a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("code_issue must run inside the accepting transaction")
    DossierCounter.objects.bulk_create([DossierCounter(identifier=identifier, day=day)],
                                       ignore_conflicts=True)
    counter = DossierCounter.objects.select_for_update().get(identifier=identifier, day=day)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return format_code(identifier, day, counter.last_number, pattern=code_pattern())
