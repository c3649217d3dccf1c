"""Fixtures shared by every test: agencies and staff made directly (test set-up, not services)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from vanban.core import clock
from vanban.core.roles import Role

# Property tests run on shared 2-core CI machines: a slow draw is load, not a defect.
hypothesis_settings.register_profile(
    "vanban", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("vanban")

if TYPE_CHECKING:
    from vanban.directory.models import Agency, Unit

_counter = itertools.count(1)
# A real clamd and the settings that choose it, for the intake tests of every door (R16.1).
pytest_plugins = ["vanban.security.tests.fixtures"]


@pytest.fixture
def make_agency(db: None) -> Callable[..., object]:
    """Create an agency: ``make_agency(code="000.00.01.H99", short_name="STTTT", parent=...)``."""
    from vanban.directory.models import Agency, AgencyKind

    def make(code: str | None = None, *, name: str | None = None, short_name: str = "CQ",
             parent: Agency | None = None, kind: str = AgencyKind.DEPARTMENT,
             connected: bool = True, mailbox: str = "") -> Agency:
        n = next(_counter)
        now = clock.now()
        return Agency.objects.create(
            code=code or f"000.{n:02d}.00.H99", name=name or f"Cơ quan thử {n}",
            short_name=short_name, parent=parent, kind=kind, connected=connected,
            mailbox=mailbox, created_at=now, updated_at=now)

    return make


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    """Create a staff user with roles: ``make_user(agency, roles=[Role.CLERK], password=...)``."""
    from vanban.accounts.models import RoleGrant, User

    def make(agency: Agency | None, *, roles: Iterable[Role] = (), username: str | None = None,
             password: str = "Mật-khẩu-Thử-123", unit: Unit | None = None) -> User:
        n = next(_counter)
        user = User(username=username or f"user{n}", full_name=f"Cán bộ {n}", agency=agency,
                    unit=unit, password_changed_at=clock.now())
        user.set_password(password)
        user.save()
        for role in roles:
            RoleGrant.objects.create(user=user, role=role, granted_at=clock.now())
        return user

    return make


@pytest.fixture(autouse=True)
def _fresh_evidence_tree() -> Iterator[None]:
    """Forget the evidence tree cached by this process after each test: a rolled-back or
    flushed test leaves the stored log shorter than the cached tree."""
    yield
    from vanban.evidence import tree

    tree.forget()


def pytest_configure(config: pytest.Config) -> None:
    """Let the test runner's table flush pass the append-only triggers, then restore them.

    Django flushes every table after a ``transaction=True`` test; the audit, evidence and opinion
    triggers would refuse that DELETE. The flush drops them, empties the tables and installs
    them again.
    """
    from django.core.management.commands import flush
    from django.db import connections

    original = flush.Command.handle

    def handle(self: flush.Command, **options: object) -> None:
        from vanban.audit import triggers
        from vanban.evidence import triggers as evidence_triggers
        from vanban.onestop import triggers as dossier_event_triggers
        from vanban.registry import triggers as approval_triggers
        from vanban.workflow import triggers as opinion_triggers

        connection = connections[str(options.get("database", "default"))]
        guarded = (triggers, evidence_triggers, opinion_triggers, approval_triggers,
                   dossier_event_triggers)
        for module in guarded:
            module.drop(connection)
        try:
            original(self, **options)
        finally:
            for module in guarded:
                module.install(connection)
            # The evidence tree is cached per process; an emptied table starts a new one.
            from vanban.evidence import tree

            tree.forget()

    flush.Command.handle = handle  # type: ignore[method-assign]
