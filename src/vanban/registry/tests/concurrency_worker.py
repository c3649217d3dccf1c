"""Child processes of the numbering concurrency test (spawned: each runs ``django.setup()``
against the database settings the parent passes, so they share the parent's test database).

Not a test module: the functions must be importable by name for multiprocessing's spawn.
"""

from __future__ import annotations

import json
import os
import random
import time
from typing import Any


def setup_django(database: dict[str, Any]) -> None:
    """Point the default database at ``database`` before the app registry loads."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.conf import settings

    settings.DATABASES["default"] = database
    django.setup()


def prepare(database: dict[str, Any], migrate: bool, out: Any) -> None:
    """Migrate a fresh on-disk database when asked, then create the agency and its clerk."""
    setup_django(database)
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)
    from vanban.accounts.models import RoleGrant, User
    from vanban.core import clock
    from vanban.core.roles import Role
    from vanban.directory.models import Agency

    now = clock.now()
    agency = Agency.objects.create(code="000.00.09.H06", name="UBND huyện Lục Nam",
                                   short_name="UBND", created_at=now, updated_at=now)
    clerk = User.objects.create(username="vt.lucnam", agency=agency, password_changed_at=now)
    RoleGrant.objects.create(user=clerk, role=Role.CLERK, granted_at=now)
    out.put({"agency": agency.pk, "clerk": clerk.pk})


class _Rollback(Exception):
    """Raised to roll a registration back on purpose."""


def allocate(database: dict[str, Any], clerk_id: int, count: int, seed: int, out: Any) -> None:
    """Create and register ``count`` documents, rolling back about one in five."""
    setup_django(database)
    from django.db import transaction

    from vanban.accounts.models import User
    from vanban.registry import services

    rng = random.Random(seed)
    clerk = User.objects.select_related("agency").get(pk=clerk_id)
    agency = clerk.agency
    assert agency is not None
    committed: list[tuple[str, int]] = []
    rolled_back = 0
    for i in range(count):
        legal = rng.random() < 0.3
        try:
            with transaction.atomic():
                document = services.document_create(
                    actor=clerk, agency=agency, type_code="quyet_dinh",
                    subject=f"Văn bản {seed}-{i}", legal_normative=legal)
                registered = services.document_register(actor=clerk, document=document)
                if rng.random() < 0.2:
                    raise _Rollback
        except _Rollback:
            rolled_back += 1
            continue
        assert registered.register is not None
        committed.append((registered.register.series, registered.code_number or 0))
    out.put(json.dumps({"committed": committed, "rolled_back": rolled_back}))


def allocate_and_hang(database: dict[str, Any], clerk_id: int, holding: Any) -> None:
    """Register inside a transaction, say so, and hang holding the counter lock (then killed)."""
    setup_django(database)
    from django.db import transaction

    from vanban.accounts.models import User
    from vanban.registry import services

    clerk = User.objects.select_related("agency").get(pk=clerk_id)
    assert clerk.agency is not None
    with transaction.atomic():
        document = services.document_create(actor=clerk, agency=clerk.agency,
                                            type_code="quyet_dinh", subject="Bị ngắt giữa chừng")
        services.document_register(actor=clerk, document=document)
        holding.set()
        time.sleep(600)


def stats(database: dict[str, Any], out: Any) -> None:
    """Per register: count, distinct numbers, min and max."""
    setup_django(database)
    from django.db.models import Count, Max, Min

    from vanban.registry.models import Document

    rows = (Document.objects.exclude(code_number=None).values("register__series")
            .annotate(count=Count("id"), distinct=Count("code_number", distinct=True),
                      low=Min("code_number"), high=Max("code_number")))
    out.put(json.dumps({r["register__series"]: [r["count"], r["distinct"], r["low"], r["high"]]
                        for r in rows}))
