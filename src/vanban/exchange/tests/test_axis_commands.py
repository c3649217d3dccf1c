"""``vanban axis …``: the operator's console for the national axis (issue 10), and a ministry's
revocation arriving through it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.exchange.axis import peers
from vanban.exchange.core import edxml
from vanban.exchange.models import Delivery, Peer
from vanban.exchange.tests.axis_standin import SpoolStandin, StandinAxis, ministry_edoc
from vanban.exchange.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db
MINISTRY = "000.00.00.G22"


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, finance: Agency) -> SpoolStandin:
    monkeypatch.setenv("VANBAN_EXCHANGE_WAKE", "0")
    gate = SpoolStandin(StandinAxis(), tmp_path / "spool", [finance.code])
    (gate.root / "agencies.json").write_text(json.dumps(
        [{"code": MINISTRY, "name": "Văn phòng Chính phủ", "parent": ""}]), encoding="utf-8")
    return gate


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("axis", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_add_route_list_agencies_register_sent(spool: SpoolStandin, finance: Agency,
                                               make_agency: Callable[..., Agency]) -> None:
    """The axis peer is configured, agencies routed to it, the national list read, one of our
    agencies registered (audited)."""
    assert "axis_spool" in _run("add", "vdxp", "--spool", str(spool.root))
    make_agency(MINISTRY, name="Văn phòng Chính phủ")
    assert "1 cơ quan" in _run("route", "vdxp", MINISTRY)
    assert Agency.objects.get(code=MINISTRY).installation == "vdxp"
    assert "vdxp\taxis_spool" in _run("list")
    assert MINISTRY in _run("agencies", "vdxp")
    _run("register", "vdxp", finance.code)
    assert json.loads((spool.root / "register" / f"{finance.code}.json").read_text())[
        "name"] == finance.name
    assert AuditEvent.objects.filter(action="exchange.axis_register").exists()
    assert _run("sent", "vdxp") == ""
    with pytest.raises(CommandError):
        _run("route", "nothere", MINISTRY)


def test_add_refuses_a_federation_peer_and_two_adapters(spool: SpoolStandin) -> None:
    """An axis is a spool or a URL, never both; a vanban peer is not turned into an axis."""
    with pytest.raises(CommandError):
        _run("add", "vdxp", "--spool", str(spool.root), "--url", "http://x")
    Peer.objects.create(installation_id="caobang", base_url="https://caobang.example",
                        public_key_pem="x", created_at=clock.now(), updated_at=clock.now())
    with pytest.raises(CommandError):
        _run("add", "caobang", "--url", "http://gateway.example")
    with pytest.raises(CommandError):
        _run("poll", "--peer", "caobang")


def test_poll_and_a_revocation(spool: SpoolStandin, finance: Agency,
                               make_agency: Callable[..., Agency]) -> None:
    """``vanban axis poll`` files a ministry document; its revocation, fetched later, withdraws
    our copy (Decree 30/2020 Art. 18.4.b) once, however often it is delivered."""
    peer = peers.axis_add(actor=None, installation_id="vdxp", spool=str(spool.root))
    make_agency(MINISTRY, name="Văn phòng Chính phủ")
    peers.axis_route(actor=None, peer=peer, agency_codes=[MINISTRY])
    body = ministry_edoc(to=[finance.code], files=[("cv.pdf", make_pdf("VPCP"))])
    spool.axis.deliver(body)
    spool.pump()
    assert "filed=1" in _run("poll")
    document_id = edxml.parse_edoc(body).document_id
    spool.axis.deliver(ministry_edoc(to=[finance.code], revoke_of=document_id))
    spool.pump()
    report = json.loads(_run("poll", "--peer", "vdxp", "--json"))
    assert (report["applied"], report["refused"]) == (1, 0)
    delivery = Delivery.objects.get(recipient=finance)
    assert delivery.withdrawn_at is not None
    spool.axis.duplicate = True
    spool.pump()
    assert json.loads(_run("poll", "--json"))["duplicates"] >= 1


def test_the_exchange_worker_polls_the_axis(spool: SpoolStandin, finance: Agency,
                                            make_agency: Callable[..., Agency],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """One ``vanban exchange worker`` also receives from the national axis (R7): a ministry
    document waiting on the spool is filed by the worker's pass, without ``vanban axis poll``."""
    peer = peers.axis_add(actor=None, installation_id="vdxp", spool=str(spool.root))
    make_agency(MINISTRY, name="Văn phòng Chính phủ")
    peers.axis_route(actor=None, peer=peer, agency_codes=[MINISTRY])
    spool.axis.deliver(ministry_edoc(to=[finance.code], files=[("cv.pdf", make_pdf("VPCP"))]))
    spool.pump()
    from vanban.exchange.management.commands import exchange as command

    monkeypatch.setattr(command, "close_old_connections", lambda: None)  # the test's database
    out = io.StringIO()
    call_command("exchange", "worker", "--once", stdout=out, stderr=io.StringIO())
    assert "axis vdxp: filed=1" in out.getvalue()
    assert Delivery.objects.filter(recipient=finance, channel="axis").count() == 1
