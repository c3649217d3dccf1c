"""The national axis as a channel (issue 10, R7.1, R7.2, R4.1): documents and statuses both
ways through the spool and the REST adapters of a stand-in axis, with outages (retried, nothing
lost), duplicate deliveries (filed once), unknown and impersonated senders."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit
from vanban.exchange import services
from vanban.exchange.axis import peers
from vanban.exchange.axis.receive import axis_poll
from vanban.exchange.core import edxml
from vanban.exchange.core.status import StatusMessage
from vanban.exchange.models import Channel, Delivery, OutboxKind, OutboxMessage, Peer, Transmission
from vanban.exchange.tests.axis_standin import (
    HttpStandin,
    SpoolStandin,
    StandinAxis,
    ministry_edoc,
    ministry_status,
)
from vanban.exchange.tests.conftest import make_pdf, ready_document

pytestmark = pytest.mark.django_db

AXIS_ID = "vdxp"
MINISTRY = "000.00.00.G22"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # an OLE2 (.doc) header


@dataclass
class Connected:
    """An installation connected to the stand-in axis through one adapter."""

    axis: StandinAxis
    peer: Peer
    ministry: Agency
    pump: Callable[[], None]

    def poll(self) -> Any:
        self.pump()
        report = axis_poll(self.peer)
        self.pump()
        return report

    def send_outbox(self) -> Any:
        report = services.outbox_run(max_rounds=3)
        self.pump()
        return report


@pytest.fixture
def ours(province: Agency, sender: Agency, finance: Agency, health: Agency) -> list[str]:
    """The codes of this installation's agencies."""
    return [a.code for a in (province, sender, finance, health)]


@pytest.fixture(params=["spool", "http"])
def connected(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              make_agency: Callable[..., Agency], ours: list[str]) -> Iterator[Connected]:
    axis = StandinAxis()
    monkeypatch.setenv("VANBAN_AXIS_TOKEN", axis.token)
    monkeypatch.setenv("VANBAN_EXCHANGE_WAKE", "0")
    gateway = None
    if request.param == "spool":
        gate = SpoolStandin(axis, tmp_path / "spool", ours)
        peer = peers.axis_add(actor=None, installation_id=AXIS_ID, spool=str(gate.root))
        pump = gate.pump
    else:
        gateway = HttpStandin(axis, ours)
        peer = peers.axis_add(actor=None, installation_id=AXIS_ID, url=gateway.url,
                              auth_header="X-Axis-Token", token_env="VANBAN_AXIS_TOKEN")

        def pump() -> None:
            return None
    ministry = make_agency(MINISTRY, name="Văn phòng Chính phủ", short_name="VPCP")
    peers.axis_route(actor=None, peer=peer, agency_codes=[MINISTRY])
    ministry.refresh_from_db()
    yield Connected(axis=axis, peer=peer, ministry=ministry, pump=pump)
    if gateway is not None:
        gateway.stop()


def _statuses(axis: StandinAxis, code: str = MINISTRY) -> list[str]:
    out = []
    for held in axis.for_agency(code):
        message = edxml.parse_message(held.body)
        if isinstance(message, StatusMessage):
            out.append(message.status_code.value)
    return out


def _incoming(connected: Connected, finance: Agency, **kwargs: Any) -> str:
    body = ministry_edoc(to=[finance.code], files=[("cong-van.pdf", make_pdf("VPCP")),
                                                  ("phu-luc.doc", DOC)], **kwargs)
    return connected.axis.deliver(body)


def test_a_ministry_document_arrives_with_every_attachment(connected: Connected,
                                                           finance: Agency) -> None:
    """Issue 10, R4.1: a zipped two-attachment document is filed once through the arrival
    port (channel axis), acknowledged done, and 01 goes back to the ministry."""
    axis_id = _incoming(connected, finance)
    report = connected.poll()
    assert (report.filed, report.refused, report.waiting) == (1, 0, 0)
    delivery = Delivery.objects.get(recipient=finance)
    transmission = delivery.transmission
    assert (delivery.channel, delivery.state) == (Channel.AXIS, "01")
    assert (transmission.channel, transmission.origin) == (Channel.AXIS, AXIS_ID)
    assert transmission.origin_message_id == axis_id
    names = [(a.name, a.main) for a in transmission.attachments.order_by("position")]
    assert names == [("cong-van.pdf", True), ("phu-luc.doc", False)]
    assert connected.axis.find(axis_id).status == "done"  # type: ignore[union-attr]
    connected.send_outbox()
    assert _statuses(connected.axis) == ["01"]


def test_statuses_go_back_through_the_axis(connected: Connected, finance: Agency,
                                           finance_clerk: Any, finance_head: Any) -> None:
    """R7.2: 03, 04, 05, 06 set here reach the ministry through the outbox and the axis."""
    _incoming(connected, finance)
    connected.poll()
    delivery = Delivery.objects.get(recipient=finance)
    services.delivery_accept(actor=finance_clerk, delivery=delivery)
    for code in ("04", "05", "06"):
        services.delivery_status_set(actor=finance_head, delivery=delivery, code=code)
    connected.send_outbox()
    assert _statuses(connected.axis) == ["01", "03", "04", "05", "06"]
    held = list(connected.axis.for_agency(MINISTRY))
    assert {(h.service_type, h.message_type) for h in held} == {("Status", "status")}


def test_statuses_name_the_person_who_caused_them(connected: Connected, finance: Agency,
                                                  make_user: Callable[..., Any]) -> None:
    """R7.2, vn-standards §1.4: 03 and 04 carry in StaffInfo the clerk and the head who set
    them (unit, name, mailbox); the arrival's 01, set by nobody, names the agency only."""
    unit = Unit.objects.create(agency=finance, code="VP", name="Văn phòng Sở",
                               created_at=clock.now())
    clerk = make_user(finance, roles=[Role.CLERK], username="vt.stc", unit=unit)
    clerk.full_name, clerk.mailbox = "Nguyễn Thị Văn Thư", "vanthu@stc.example.vn"
    clerk.save()
    head = make_user(finance, roles=[Role.HEAD], username="ld.stc")
    _incoming(connected, finance)
    connected.poll()
    delivery = Delivery.objects.get(recipient=finance)
    services.delivery_accept(actor=clerk, delivery=delivery)
    services.delivery_status_set(actor=head, delivery=delivery, code="04")
    connected.send_outbox()
    staff = {}
    for held in connected.axis.for_agency(MINISTRY):
        message = edxml.parse_message(held.body)
        assert isinstance(message, StatusMessage)
        staff[message.status_code.value] = message.staff
    assert staff["01"] is None
    assert staff["03"] == edxml.StaffInfo(department="Văn phòng Sở", staff="Nguyễn Thị Văn Thư",
                                          email="vanthu@stc.example.vn")
    assert staff["04"] is not None
    assert (staff["04"].department, staff["04"].staff) == (finance.name, head.full_name)

def test_our_document_goes_to_the_ministry_and_its_status_comes_back(
        connected: Connected, clerk: Any, sender: Agency) -> None:
    """R7.1: a document to an agency routed to the axis leaves through the outbox, its files
    zipped as the SDK sends them; the ministry's 03 comes back by polling and moves our delivery."""
    document = ready_document(clerk, sender, [connected.ministry])
    transmission = services.transmission_send(actor=clerk, document=document)
    connected.send_outbox()
    (held,) = connected.axis.for_agency(MINISTRY)
    assert (held.sender, held.service_type, held.message_type) == (sender.code, "eDoc", "edoc")
    sent = edxml.parse_edoc(held.body)  # each file zipped as the SDK sends them
    assert sent.attachments
    assert all(a.zipped for a in sent.attachments)
    assert sent.attachments[0].data.startswith(b"%PDF")
    connected.axis.deliver(ministry_status(document_id=transmission.edxml_document_id,
                                           issuer=sender.code, code="03"),
                           service_type="Status", message_type="status")
    report = connected.poll()
    assert report.applied == 1
    assert Delivery.objects.get(transmission=transmission).state == "03"


def test_an_outage_delays_and_loses_nothing(connected: Connected, clerk: Any,
                                            sender: Agency, finance: Agency) -> None:
    """While the axis is down, sends are retried later and waiting messages stay on it."""
    document = ready_document(clerk, sender, [connected.ministry])
    services.transmission_send(actor=clerk, document=document)
    axis_id = _incoming(connected, finance)
    _down(connected)
    report = services.outbox_run(max_rounds=1)
    assert report.failed == 1
    poll = axis_poll(connected.peer)
    assert poll.filed == 0
    _up(connected)
    OutboxMessage.objects.update(next_attempt_at=clock.now())
    connected.send_outbox()
    assert len(connected.axis.for_agency(MINISTRY)) == 1
    assert connected.poll().filed == 1
    assert connected.axis.find(axis_id).status == "done"  # type: ignore[union-attr]


def _down(connected: Connected) -> None:
    if connected.peer.transport == "axis_http":
        connected.axis.outage = "503"
    else:
        root = Path(connected.peer.settings["spool"])
        root.rename(root.with_name("spool-unmounted"))


def _up(connected: Connected) -> None:
    connected.axis.outage = ""
    root = Path(connected.peer.settings["spool"]) if "spool" in connected.peer.settings else None
    if root is not None:
        root.with_name("spool-unmounted").rename(root)


def test_duplicate_deliveries_are_filed_once(connected: Connected, finance: Agency) -> None:
    """The axis lists an acknowledged message again, or sends the same bytes under a new id:
    each is acknowledged and filed once."""
    body = ministry_edoc(to=[finance.code], files=[("cong-van.pdf", make_pdf("VPCP"))])
    connected.axis.deliver(body)
    assert connected.poll().filed == 1
    connected.axis.duplicate = True
    again = connected.poll()
    assert (again.filed, again.duplicates) == (0, 1)
    connected.axis.duplicate = False
    connected.axis.deliver(body)
    assert connected.poll().duplicates == 1
    assert Transmission.objects.filter(channel=Channel.AXIS).count() == 1


def test_an_unknown_ministry_is_added_as_served_by_the_axis(connected: Connected,
                                                            finance: Agency) -> None:
    """An agency the directory lacks is created as external, served by the axis, audited."""
    connected.axis.deliver(ministry_edoc(sender="G12", sender_name="Bộ Tài chính",
                                         to=[finance.code],
                                         files=[("cv.pdf", make_pdf("BTC"))]))
    assert connected.poll().filed == 1
    g12 = Agency.objects.get(code="G12")
    assert (g12.name, g12.installation) == ("Bộ Tài chính", AXIS_ID)
    assert AuditEvent.objects.filter(action="exchange.axis_agency_created",
                                     object_id="G12").exists()


def test_impersonation_and_broken_messages_are_refused(connected: Connected,
                                                       sender: Agency, finance: Agency) -> None:
    """R14.3: a message in the name of one of our agencies, and one that does not read, are
    refused on the axis with the reason and audited; nothing is filed."""
    forged = connected.axis.deliver(ministry_edoc(sender=sender.code, to=[finance.code],
                                                  files=[("cv.pdf", make_pdf("x"))]))
    broken = connected.axis.submit(b"<edXML>not really</edXML>", sender=MINISTRY,
                                   service_type="eDoc", message_type="edoc",
                                   to=[finance.code])
    report = connected.poll()
    assert report.refused == 2
    assert not Transmission.objects.exists()
    assert connected.axis.find(forged).status == "fail"  # type: ignore[union-attr]
    assert "federation_sender_not_served" in connected.axis.find(forged).reason  # type: ignore[union-attr]
    assert connected.axis.find(broken).status == "fail"  # type: ignore[union-attr]
    refused = [json.loads(e.data) for e in AuditEvent.objects.filter(
        action="exchange.axis_refused")]
    assert {r["axis_id"] for r in refused} == {forged, broken}


def test_a_scanner_outage_leaves_the_message_waiting(connected: Connected, finance: Agency,
                                                     scanner_down: str) -> None:
    """R16.1: nothing is accepted unscanned; the message stays on the axis for a later poll."""
    axis_id = _incoming(connected, finance)
    report = connected.poll()
    assert (report.filed, report.waiting) == (0, 1)
    assert connected.axis.find(axis_id).status == ""  # type: ignore[union-attr]


def test_spool_file_names_follow_the_message_id(tmp_path: Path, clerk: Any, sender: Agency,
                                                make_agency: Callable[..., Agency]) -> None:
    """A retried outbox message rewrites its own spool file: one file per message id."""
    peer = peers.axis_add(actor=None, installation_id=AXIS_ID, spool=str(tmp_path))
    make_agency(MINISTRY, name="VPCP")
    peers.axis_route(actor=None, peer=peer, agency_codes=[MINISTRY])
    document = ready_document(clerk, sender, [Agency.objects.get(code=MINISTRY)])
    services.transmission_send(actor=clerk, document=document)
    services.outbox_run(max_rounds=1)
    message = OutboxMessage.objects.get(kind=OutboxKind.EDOC)
    OutboxMessage.objects.update(done_at=None, next_attempt_at=clock.now())
    services.outbox_run(max_rounds=1)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == [f"{message.uid}.edxml", f"{message.uid}.json"]
    body = (tmp_path / "out" / f"{message.uid}.edxml").read_bytes()
    assert hashlib.sha256(body).hexdigest() == json.loads(
        (tmp_path / "out" / f"{message.uid}.json").read_text())["sha256"]


@pytest.mark.parametrize("connected", ["http"], indirect=True)  # a folder cannot refuse
def test_a_final_refusal_stops_the_retries(connected: Connected, clerk: Any,
                                           sender: Agency) -> None:
    """R7.1: the gateway refuses the document for good (413): kept with its reason, recorded
    as evidence of the delivery, not retried until the hub administrator asks."""
    connected.axis.refuse_sends = 413
    document = ready_document(clerk, sender, [connected.ministry])
    services.transmission_send(actor=clerk, document=document)
    services.outbox_run(max_rounds=1)
    message = OutboxMessage.objects.get(kind=OutboxKind.EDOC)
    assert message.refused_at is not None
    assert "413" in message.last_error
    assert connected.axis.for_agency(MINISTRY) == []


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATABASE_URL", "VANBAN_MASTER_KEY"])
def test_the_gateway_credential_is_only_a_variable_meant_for_the_axis(name: str) -> None:
    """R14.3: the REST gateway's credential is read from a variable named by the operator; a
    name outside ``VANBAN_AXIS_…`` (the installation's own secrets) is refused, and a row
    naming one anyway sends nothing."""
    from vanban.core.errors import ValidationFailed
    from vanban.exchange.axis.adapters import _token

    with pytest.raises(ValidationFailed) as err:
        peers.axis_add(actor=None, installation_id=AXIS_ID, url="https://axis.example",
                       token_env=name)
    assert err.value.code == "bad_token_env"
    assert _token(name) == ""
