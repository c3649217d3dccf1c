"""Issue 10, "Done means": a round trip through the stand-in national axis.

A ministry (Văn phòng Chính phủ, brought into the directory from the axis's agency list)
sends a document with two attachments, each in the SDK's one-entry zip: a PDF signed with its
certificate from the test PKI and a ``.doc``. ``vanban axis poll`` files it; it verifies, is
registered (03), assigned (04), started (05) and completed (06) through the incoming and
workflow services; the outbox worker carries each status back through the
axis, where it is read with the codec in the SDK's shape: ``From, ResponseFor, StaffInfo,
StatusCode, Description, Timestamp``, with ``StaffInfo`` always present (R4.1, R7.1, R7.2,
R8.1, R10.1)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from lxml import etree

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind, Unit
from vanban.exchange.core import edxml
from vanban.exchange.core.status import StatusMessage, staff_for
from vanban.exchange.core.xmlsafe import NS
from vanban.exchange.models import Channel, Delivery
from vanban.exchange.services.outbox import outbox_run
from vanban.exchange.tests.axis_standin import HttpStandin, StandinAxis, ministry_edoc
from vanban.exchange.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db

MINISTRY = "000.00.00.G22"
AXIS_ID = "vdxp"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1016  # an OLE2 (.doc) file header
SDK_ORDER = ["From", "ResponseFor", "StaffInfo", "StatusCode", "Description", "Timestamp"]


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[HttpStandin]:
    axis = StandinAxis(agencies=[
        {"code": MINISTRY, "name": "Văn phòng Chính phủ", "parent": ""},
        {"code": "000.00.04.G22", "name": "Cục Kiểm soát thủ tục hành chính",
         "parent": MINISTRY}])
    monkeypatch.setenv("VANBAN_AXIS_TOKEN", axis.token)
    monkeypatch.setenv("VANBAN_EXCHANGE_WAKE", "0")
    server = HttpStandin(axis, ["000.00.03.H06"])
    yield server
    server.stop()


@pytest.fixture
def finance(make_agency: Callable[..., Agency]) -> Agency:
    province = make_agency("000.00.00.H06", name="Ủy ban nhân dân tỉnh Bắc Giang",
                           short_name="UBND", kind=AgencyKind.PROVINCE)
    return make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC", parent=province)


def _zipped_attachments(body: bytes) -> list[bool]:
    """Whether each attachment on the wire is a one-entry zip (the SDK's wrapping)."""
    import base64

    root = etree.fromstring(body)
    out = []
    for el in root.iter(f"{{{NS}}}ContentTransferEncoded", "ContentTransferEncoded"):
        data = base64.b64decode("".join(el.itertext()))
        out.append(zipfile.is_zipfile(io.BytesIO(data)))
    return out


def _sdk_shape(body: bytes) -> list[str]:
    """The local names of a status message's MessageHeader children, in order."""
    root = etree.fromstring(body)
    (header,) = [el for el in root.iter() if etree.QName(el).localname == "MessageHeader"]
    return [etree.QName(el).localname for el in header]


def _staff(body: bytes) -> list[tuple[str, str]]:
    """The children of a status's ``StaffInfo`` (name, text), in order."""
    root = etree.fromstring(body)
    (staff,) = [el for el in root.iter() if etree.QName(el).localname == "StaffInfo"]
    return [(etree.QName(el).localname, el.text or "") for el in staff]


def test_a_ministry_document_round_trip(gateway: HttpStandin, finance: Agency,
                                        make_user: Callable[..., Any]) -> None:
    """Issue 10: arrives zipped with two attachments, verifies, registers, is assigned and
    completed; 01, 03, 04, 05, 06 go back through the axis in the SDK's shape."""
    from vanban.incoming.services import incoming_register_delivery, incoming_verify
    from vanban.signatures import services as signatures
    from vanban.signatures.demo import demo_pki_load
    from vanban.workflow.services import (
        LineInput,
        assignment_create,
        incoming_complete,
        incoming_start,
    )

    axis = gateway.axis
    call_command("axis", "add", AXIS_ID, "--url", gateway.url, "--auth-header", "X-Axis-Token",
                 "--token-env", "VANBAN_AXIS_TOKEN")
    call_command("directory", "national-import", "--axis", AXIS_ID)
    ministry = Agency.objects.get(code=MINISTRY)
    assert ministry.installation == AXIS_ID
    demo_pki_load(agencies=[ministry])
    signed = signatures.pdf_sign(actor=None, agency=ministry,
                                 data=make_pdf("Cong van so 7816/VPCP-TTDT")).data
    body = ministry_edoc(to=[finance.code], files=[("7816-VPCP.pdf", signed),
                                                   ("phu-luc.doc", DOC)])
    assert _zipped_attachments(body) == [True, True]
    axis_id = axis.deliver(body)

    call_command("axis", "poll", "--peer", AXIS_ID)
    assert axis.find(axis_id).status == "done"  # type: ignore[union-attr]
    delivery = Delivery.objects.get(recipient=finance)
    assert delivery.channel == Channel.AXIS
    files = [(a.name, a.content_type, a.main, a.size) for a in
             delivery.transmission.attachments.order_by("position")]
    assert files == [("7816-VPCP.pdf", "application/pdf", True, len(signed)),
                     ("phu-luc.doc", "application/msword", False, len(DOC))]
    assert incoming_verify(delivery=delivery).valid

    clerk = make_user(finance, roles=[Role.CLERK], username="vt.stc")
    head = make_user(finance, roles=[Role.HEAD], username="ld.stc")
    unit = Unit.objects.create(agency=finance, code="QLNS", name="Phòng Quản lý ngân sách",
                               short_name="QLNS", created_at=clock.now())
    specialist = make_user(finance, roles=[Role.SPECIALIST], unit=unit, username="cv.stc")
    incoming = incoming_register_delivery(actor=clerk, delivery=delivery, recipient_user=head)
    assignment_create(actor=head, document=incoming,
                      lines=[LineInput(role="lead", unit=unit, working_days=5)])
    incoming.refresh_from_db()
    incoming_start(actor=specialist, document=incoming)
    incoming.refresh_from_db()
    incoming_complete(actor=head, document=incoming)
    assert Delivery.objects.get(pk=delivery.pk).state == "06"

    outbox_run()
    sent = [h.body for h in axis.for_agency(MINISTRY)]
    statuses = [edxml.parse_message(b) for b in sent]
    assert all(isinstance(s, StatusMessage) for s in statuses)
    codes = [s.status_code.value for s in statuses if isinstance(s, StatusMessage)]
    assert codes == ["01", "03", "04", "05", "06"]
    # StaffInfo names who caused each status: nobody for 01, then the clerk (03), the head
    # (04, 06) and the specialist in the unit (05).
    who = {"01": (finance.name, ""), "03": (finance.name, clerk.full_name),
           "04": (finance.name, head.full_name), "05": (unit.name, specialist.full_name),
           "06": (finance.name, head.full_name)}
    for raw, status in zip(sent, statuses, strict=True):
        assert isinstance(status, StatusMessage)
        assert _sdk_shape(raw) == SDK_ORDER
        department, person = who[status.status_code.value]
        assert _staff(raw) == [("Department", department), ("Staff", person),
                               ("Email", finance.mailbox), ("Mobile", "")]
        assert staff_for(status).department == department
        assert status.sender.organ_id == finance.code
        assert status.response_for.document_id == delivery.transmission.edxml_document_id
        assert status.response_for.organ_id == MINISTRY
