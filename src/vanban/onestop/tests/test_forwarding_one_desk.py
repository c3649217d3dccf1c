"""R11.1(a), R11.2: while a sending is open only the target desk may decide the dossier: the
sending desk cannot accept, refuse, ask for supplements or send it to a third agency (each
refused under the dossier's lock and audited). When the target desk takes it in, the sender's
dossier ends as *transferred* in the same transaction: out of the open counts, statistics
and the DVCQG export."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Conflict
from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind
from vanban.onestop import queues, services
from vanban.onestop.dvcqg import dvcqg_export
from vanban.onestop.models import DossierEvent
from vanban.onestop.services.forwarding import dossier_send_to_agency
from vanban.onestop.tests.test_forwarding import T0, Pair, forward
from vanban.onestop.tests.test_forwarding_decided_once import _take
from vanban.registry.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Pair:
    return Pair(make_agency, make_user)


def _reasons(action: str) -> list[str]:
    return [json.loads(e.data)["reason"]
            for e in AuditEvent.objects.filter(action=f"onestop.{action}.denied")]


def test_sending_desk_decides_nothing_while_the_sending_is_open(pair: Pair) -> None:
    """R11.1(a), R11.2: with the draft prepared (and later sent) the sending desk's accept,
    refuse and intake supplement request are refused and audited; the dossier is unchanged."""
    forward(pair)
    pair.dossier.refresh_from_db()
    with clock.frozen(T0), pytest.raises(Conflict) as accept:
        services.dossier_accept(actor=pair.officer, dossier=pair.dossier)
    with pytest.raises(Conflict) as refuse:
        services.dossier_refuse(actor=pair.officer, dossier=pair.dossier, reason="Sai")
    with pytest.raises(Conflict) as ask:
        services.dossier_request_intake_supplement(actor=pair.officer, dossier=pair.dossier,
                                                   items=["Bản vẽ"])
    assert {accept.value.code, refuse.value.code, ask.value.code} == {"forwarding_open"}
    assert "cơ quan khác" in accept.value.vi
    assert _reasons("accept") == _reasons("refuse") == ["forwarding_open"]
    assert _reasons("request_intake_supplement") == ["forwarding_open"]
    pair.dossier.refresh_from_db()
    assert pair.dossier.state == "submitted"
    assert not pair.dossier.code


def test_no_second_sending_to_another_agency(pair: Pair, make_agency: Callable[..., Agency],
                                             make_user: Callable[..., Any]) -> None:
    """R11.1(a): one sending at a time: a second one to a third agency is refused, audited,
    and writes no draft."""
    third = make_agency("000.00.42.H06", name="UBND huyện Tân Yên", kind=AgencyKind.DISTRICT,
                        parent=pair.district.parent)
    make_user(third, roles=[Role.ONESTOP])
    with clock.frozen(T0):
        dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                               target_agency=pair.district)
        with pytest.raises(Conflict) as second:
            dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                                   target_agency=third)
    assert second.value.code == "already_sent"
    assert Document.objects.count() == 1
    assert _reasons("send_to_agency") == ["already_sent"]


def test_take_in_ends_the_sender_dossier_as_transferred(pair: Pair) -> None:
    """R11.1(a), R11.2: the target desk takes the dossier in; the sender's dossier becomes
    *transferred* (terminal, one event, audited), leaves the open counts and is not exported
    to DVCQG."""
    delivery = forward(pair)
    _take(pair, delivery)
    pair.dossier.refresh_from_db()
    assert pair.dossier.state == "transferred"
    assert pair.dossier.finished_at is not None
    events = DossierEvent.objects.filter(dossier=pair.dossier, action="taken_by_agency")
    assert [(e.from_state, e.to_state) for e in events] == [("submitted", "transferred")]
    assert AuditEvent.objects.filter(action="onestop.taken_by_agency",
                                     object_id=str(pair.dossier.pk)).count() == 1
    counts = queues.counts(pair.officer)
    assert counts["check"] == 0
    assert counts["done"] == 1
    with clock.frozen(T0 + timedelta(hours=1)):
        batch = dvcqg_export(since=0, limit=1000)
    assert batch.cursor >= events.get().pk
    assert events.get().pk not in [r["cursor"] for r in batch.records]
