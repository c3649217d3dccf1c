"""A message the reading cannot get through (R4.1): refused with a reason and kept under its
own key, so a copy resent later and a re-judging of the kept one file one document, not two."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.exchange.models import Transmission
from vanban.exchange.tests.conftest import make_pdf
from vanban.mailgate import reader
from vanban.mailgate.core import message as reading
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services import quarantine_rejudge
from vanban.mailgate.tests.conftest import Live
from vanban.mailgate.tests.messages import build

pytestmark = pytest.mark.django_db


def _broken(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("a reading fault")


@pytest.mark.parametrize("headers_too", [False, True])
def test_unreadable_then_resent_then_rejudged_files_once(
        live: Live, monkeypatch: pytest.MonkeyPatch, headers_too: bool) -> None:
    """R4.1: the reading fails on a message (its body, or its headers too): it is kept in
    quarantine, under its own Message-ID when its headers read. The fault is fixed and the
    sender resends it: the copy is filed (or recognised). "Xét lại" on the kept row then
    finds that filing instead of storing the document a second time."""
    road = live.road
    raw = road.mail(build(sender=road.sender_address, to=road.recipient_address,
                          subject="Bản gốc", files=[("cv.pdf", make_pdf("Ban goc"))]))
    live.deliver(raw)
    monkeypatch.setattr(reading, "_walk", _broken)
    if headers_too:
        monkeypatch.setattr(reading, "_header", _broken)
    first = reader.mailbox_pass(road.recipient_address)
    assert (first.refused, first.filed, first.errors) == (1, 0, [])
    kept = MailMessage.objects.get()
    assert kept.state == MailState.QUARANTINED
    assert [r["code"] for r in kept.reasons] == ["malformed"]
    assert kept.message_id.endswith("@no-message-id>") == headers_too
    monkeypatch.undo()  # the fault is fixed
    live.deliver(raw)  # and the sender sends the same message again
    reader.mailbox_pass(road.recipient_address)
    assert Transmission.objects.count() == (1 if headers_too else 0)
    now = quarantine_rejudge(actor=road.recipient_clerk,
                             message=MailMessage.objects.get(pk=kept.pk))
    assert now.state == MailState.FILED
    assert Transmission.objects.count() == 1
    assert MailMessage.objects.filter(state=MailState.FILED).values(
        "transmission").distinct().count() == 1


def test_a_fault_while_rejudging_is_told_not_a_server_error(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: "Xét lại" on a message whose fault is not fixed yet answers the clerk in plain
    words (the row unchanged, the claim released), not with a server error page."""
    from django.test import Client

    road = live.road
    raw = road.mail(build(sender=road.sender_address, to=road.recipient_address,
                          subject="Bản gốc", files=[("cv.pdf", make_pdf("Ban goc"))]))
    live.deliver(raw)
    monkeypatch.setattr(reading, "_walk", _broken)
    reader.mailbox_pass(road.recipient_address)
    kept = MailMessage.objects.get()
    from vanban.mailgate.services import rejudge

    monkeypatch.setattr(rejudge, "judge", _broken)
    client = Client()
    client.force_login(road.recipient_clerk)
    response = client.post(f"/mailgate/quarantine/{kept.uid}/rejudge/", follow=True)
    assert response.status_code == 200
    assert "lỗi nội bộ" in response.content.decode()
    kept.refresh_from_db()
    assert kept.state == MailState.QUARANTINED
    assert kept.rejudged == []
