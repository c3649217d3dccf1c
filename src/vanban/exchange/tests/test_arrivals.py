"""The one arrival port (ADR 0015): once per message, every file through the door and kept with
its real type, the main document chosen by content, the raw message kept, one delivery per
recipient, the 01 status back only where the channel carries statuses (R4.1, R7.1, R16.1;
issue 10 observed 1, 2 and 5)."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from datetime import date
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.errors import DomainError
from vanban.directory.models import Agency
from vanban.exchange import arrivals, wire
from vanban.exchange.arrivals import (
    Arrival,
    ArrivalHeader,
    ArrivedFile,
    arrival_accept,
    detected_type,
)
from vanban.exchange.core import edxml
from vanban.exchange.models import (
    Attachment,
    Channel,
    Delivery,
    OutboxKind,
    OutboxMessage,
    Peer,
    Transmission,
)
from vanban.exchange.selectors import transmission_attachments
from vanban.exchange.tests.conftest import make_pdf
from vanban.storage.models import Blob
from vanban.storage.selectors import blob_read

pytestmark = pytest.mark.django_db
PEER = "caobang"
# The head of an old Word document (OLE compound file), padded: what a .doc really starts with.
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Dự thảo".encode()
PROGRAM = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode"


@pytest.fixture
def remote(make_agency: Any) -> Agency:
    """An agency of the peer installation."""
    agency: Agency = make_agency("000.00.09.H11", name="Sở Tài chính Cao Bằng")
    agency.installation = PEER
    agency.save(update_fields=["installation"])
    now = clock.now()
    Peer.objects.create(installation_id=PEER, base_url="http://127.0.0.1:9",
                        public_key_pem="", created_at=now, updated_at=now)
    return agency


def _arrival(sender: Agency, recipients: list[Agency], files: list[ArrivedFile], *,
             channel: str = Channel.FEDERATED, origin: str = PEER, key: str = "m-1",
             priority: int = 0, code_number: str = "15", verification_id: int | None = None,
             raw: bytes = b"<edXML>raw</edXML>") -> Arrival:
    header = ArrivalHeader(
        document_id=f"{sender.code},2026/11/20,{code_number}/STC-NS", subject="Về việc phối hợp",
        code_number=code_number, code_notation="STC-NS", issued_date=date(2026, 11, 20),
        type_name="Công văn", priority=priority)
    return Arrival(channel=channel, origin=origin, message_key=key, sender=sender,
                   recipients=recipients, header=header, files=files, raw=raw,
                   evidence={"peer": origin}, verification_id=verification_id)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_attachment_is_kept_with_its_real_type(remote: Agency, finance: Agency,
                                                     health: Agency) -> None:
    """R4.1 (issue 10 observed 2): a letter with a .doc and a PDF keeps both, each with the
    type its bytes show beside the declared one; the PDF is the main document though it came
    second; the raw message is kept; one delivery per recipient in state 01."""
    pdf = make_pdf("Cong van 15")
    files = [ArrivedFile("du-thao.doc", OLE_DOC, declared_type="application/pdf"),
             ArrivedFile("cong-van.pdf", pdf, declared_type="application/zip",
                         description="Văn bản chính")]
    result = arrival_accept(_arrival(remote, [finance, health], files))
    assert not result.duplicate
    transmission = Transmission.objects.get()
    rows = list(transmission.attachments.order_by("position"))
    assert [(a.name, a.content_type, a.declared_type, a.main, a.size, a.sha256)
            for a in rows] == [
        ("du-thao.doc", "application/msword", "application/pdf", False, len(OLE_DOC),
         _sha(OLE_DOC)),
        ("cong-van.pdf", "application/pdf", "application/zip", True, len(pdf), _sha(pdf))]
    assert rows[1].description == "Văn bản chính"
    assert (transmission.file_sha256, transmission.file_name) == (_sha(pdf), "cong-van.pdf")
    assert blob_read(_sha(OLE_DOC)) == OLE_DOC
    assert blob_read(transmission.raw_sha256) == b"<edXML>raw</edXML>"
    assert transmission.channel == Channel.FEDERATED
    assert sorted((d.recipient.code, d.state, d.channel) for d in result.deliveries) == [
        (finance.code, "01", "federated"), (health.code, "01", "federated")]
    # Federation carries statuses: the 01 goes back for each recipient.
    assert OutboxMessage.objects.filter(kind=OutboxKind.STATUS).count() == 2
    assert transmission_attachments(transmission) == rows


def test_a_repeat_is_a_duplicate_and_changes_nothing(remote: Agency, finance: Agency) -> None:
    """R7.1: (channel, origin, message key) is stored once; the repeat returns it."""
    arrival = _arrival(remote, [finance], [ArrivedFile("cv.pdf", make_pdf())])
    first = arrival_accept(arrival)
    again = arrival_accept(arrival)
    assert again.duplicate
    assert again.transmission.pk == first.transmission.pk
    assert [d.pk for d in again.deliveries] == [d.pk for d in first.deliveries]
    assert (Transmission.objects.count(), Delivery.objects.count(),
            OutboxMessage.objects.count()) == (1, 1, 1)
    # The same key from another channel is another message.
    other = arrival_accept(_arrival(remote, [finance], [ArrivedFile("cv.pdf", make_pdf())],
                                    channel=Channel.MAIL, origin="vt@caobang.gov.vn"))
    assert not other.duplicate


def test_the_signed_pdf_is_the_main_document(pki: None, sender: Agency, remote: Agency,
                                             finance: Agency) -> None:
    """R4.2 (issue 10): the main document is chosen by content, a PDF carrying a signature
    before an unsigned one, whatever their order."""
    from vanban.signatures import services

    signed = services.pdf_sign(actor=None, agency=sender, data=make_pdf("Ky so")).data
    files = [ArrivedFile("phu-luc.pdf", make_pdf("Phu luc")), ArrivedFile("cv.pdf", signed)]
    transmission = arrival_accept(_arrival(remote, [finance], files)).transmission
    assert transmission.file_sha256 == _sha(signed)
    assert [a.main for a in transmission.attachments.order_by("position")] == [False, True]


@pytest.fixture
def pki(sender: Agency) -> None:
    """The demo PKI with a certificate for the sender."""
    from vanban.signatures.demo import demo_pki_load

    demo_pki_load(agencies=[sender])


@pytest.mark.parametrize(("files", "reason"), [
    ([ArrivedFile("du-thao.doc", OLE_DOC)], "not_pdf"),
    ([ArrivedFile("cv.pdf", make_pdf()), ArrivedFile("setup.pdf", PROGRAM)], "not_pdf"),
])
def test_a_message_without_a_main_document_or_with_a_program_is_refused(
        remote: Agency, finance: Agency, files: list[ArrivedFile], reason: str) -> None:
    """R16.1: no PDF at all, or a program among the files, is refused by the door with the
    file's real kind; nothing of the message is stored."""
    with pytest.raises(DomainError) as caught:
        arrival_accept(_arrival(remote, [finance], files))
    assert caught.value.code == "pdf_rejected"
    assert getattr(caught.value, "reason", None) is not None
    assert not Transmission.objects.exists()
    assert not Blob.objects.exists()


def test_no_file_and_no_recipient_are_refused(remote: Agency, finance: Agency) -> None:
    """A message with no file, or for none of our agencies, is refused by name."""
    with pytest.raises(DomainError) as caught:
        arrival_accept(_arrival(remote, [finance], []))
    assert caught.value.code == "no_main_document"
    with pytest.raises(DomainError) as caught:
        arrival_accept(_arrival(remote, [], [ArrivedFile("cv.pdf", make_pdf())]))
    assert caught.value.code == "no_local_recipient"
    assert not Transmission.objects.exists()


def test_mail_links_its_verdict_and_sends_no_status(sender: Agency, finance: Agency) -> None:
    """R4.1: a mail arrival keeps the verdict the gateway reached and has no status to send."""
    from vanban.signatures.verification import VerificationChannel, pdf_verify

    pdf = make_pdf("Thu cong vu")
    verdict = pdf_verify(data=pdf, sender=sender, channel=VerificationChannel.mail())
    result = arrival_accept(_arrival(sender, [finance], [ArrivedFile("cv.pdf", pdf)],
                                     channel=Channel.MAIL, origin="vt.snv@bacgiang.gov.vn",
                                     key="<a@b>+abc", verification_id=verdict.pk,
                                     raw=b"From: vt.snv@bacgiang.gov.vn\r\n\r\nbody"))
    transmission = result.transmission
    assert transmission.verification_id == verdict.pk
    assert Blob.objects.get(sha256=transmission.raw_sha256).content_type == "message/rfc822"
    assert [d.channel for d in result.deliveries] == [Channel.MAIL]
    assert not OutboxMessage.objects.exists()


def test_a_verdict_about_another_file_is_not_linked(sender: Agency, finance: Agency) -> None:
    """R4.3: a channel's verdict is linked only when it is about the main file chosen here and
    its sender; otherwise one file's "valid" would show beside another."""
    from vanban.signatures.verification import VerificationChannel, pdf_verify

    other = pdf_verify(data=make_pdf("Mot van ban khac"), sender=sender,
                       channel=VerificationChannel.mail())
    result = arrival_accept(_arrival(sender, [finance], [ArrivedFile("cv.pdf", make_pdf("B"))],
                                     channel=Channel.MAIL, origin="vt.snv@bacgiang.gov.vn",
                                     key="<c@d>+def", verification_id=other.pk))
    assert result.transmission.verification_id is None


def test_long_code_number_and_odd_priorities_are_stored_and_forwarded(
        remote: Agency, finance: Agency) -> None:
    """Issue 10 observed 5: a 24-character CodeNumber and priority −1 are stored as received,
    and the message built from the stored transmission carries them on."""
    number = "2025/ABC-XYZ/0001234-001"
    assert len(number) == 24
    result = arrival_accept(_arrival(remote, [finance], [ArrivedFile("cv.pdf", make_pdf())],
                                     priority=-1, code_number=number))
    transmission = Transmission.objects.get()
    assert (transmission.code_number, transmission.priority) == (number, -1)
    body = wire.edoc_for(result.deliveries[0], message_id=str(uuid.uuid4()))
    forwarded = edxml.parse_edoc(body)
    assert (forwarded.code_number, forwarded.priority) == (number, -1)
    assert [a.name for a in forwarded.attachments] == ["cv.pdf"]
    assert not forwarded.attachments[0].zipped  # a vanban peer gets the files plain
    to_axis = edxml.parse_edoc(wire.edoc_for(result.deliveries[0], message_id="m2",
                                             transport="axis_spool"))
    assert to_axis.attachments[0].zipped
    assert to_axis.attachments[0].data == forwarded.attachments[0].data


def test_a_zipped_attachment_arrives_unzipped(remote: Agency, finance: Agency) -> None:
    """Issue 10 observed 1: an SDK message wraps its PDF in a one-entry zip declared as a PDF;
    the codec unzips it by content and the port stores the PDF, with the declared type kept."""
    pdf = make_pdf("Nen zip")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cong-van.pdf", pdf)
    body = edxml.build_edoc(edxml.EdocMessage(
        message_id=str(uuid.uuid4()), sender=edxml.Organisation(organ_id=remote.code),
        recipients=(edxml.Organisation(organ_id=finance.code),), code_number="7",
        code_notation="STC-NS", promulgation_date=date(2026, 3, 2), subject="Tệp nén",
        attachments=(edxml.Attachment(content_id="1", name="cong-van.pdf",
                                      content_type="application/pdf",
                                      data=packed.getvalue()),)))
    message = edxml.parse_edoc(body)
    arrival = arrivals.edoc_arrival(message, channel=Channel.FEDERATED, origin=PEER, key="z-1",
                                sender=remote, raw=body, evidence={"peer": PEER})
    transmission = arrival_accept(arrival).transmission
    [row] = transmission.attachments.all()
    assert (row.sha256, row.content_type, row.main) == (_sha(pdf), "application/pdf", True)
    assert blob_read(transmission.raw_sha256) == body


def test_old_transmissions_show_their_one_file(sender: Agency) -> None:
    """A transmission stored before attachments were rows lists its file as the main one."""
    transmission = Transmission.objects.create(
        sender=sender, edxml_document_id="x", subject="Cũ", file_sha256="a" * 64,
        file_name="cu.pdf", file_size=3, sent_at=clock.now())
    [row] = transmission_attachments(transmission)
    assert (row.name, row.sha256, row.main, row.content_type) == (
        "cu.pdf", "a" * 64, True, "application/pdf")
    assert not Attachment.objects.exists()


def test_types_are_detected_from_the_bytes() -> None:
    """Issue 10 observed 1: names and declared types lie; the bytes say what a file is."""
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert detected_type(make_pdf(), "x.doc") == "application/pdf"
    assert detected_type(OLE_DOC, "x.xls") == "application/vnd.ms-excel"
    assert detected_type(docx.getvalue(), "x.pdf").endswith("wordprocessingml.document")
    assert detected_type(b"PK\x03\x04broken", "x.zip") == "application/zip"
    assert detected_type(b"\xff\xfe\xfd\x80", "") == "application/octet-stream"
    # "%PDF-" not at byte 0: the intake never saw it as a PDF, so it is never stored as one.
    assert detected_type(b" %PDF-1.7 /S /JavaScript", "x.pdf") == "application/octet-stream"


@pytest.mark.django_db(transaction=True)
def test_migration_gives_old_transmissions_their_main_attachment(make_agency: Any) -> None:
    """ADR 0015: a transmission stored before attachments were rows gets its one file as the
    main attachment, and one received from a peer is marked federated."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    agency = make_agency()
    executor = MigrationExecutor(connection)
    before = [("exchange", "0002_outbox_refused")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("exchange", "Transmission")
    now = clock.now()
    local = old.objects.create(sender_id=agency.pk, edxml_document_id="a", subject="Cũ",
                               file_sha256="a" * 64, file_name="cu.pdf", file_size=7, sent_at=now)
    received = old.objects.create(sender_id=agency.pk, edxml_document_id="b", subject="Nhận",
                                  origin=PEER, origin_message_id="m", file_sha256="b" * 64,
                                  file_name="", file_size=9, sent_at=now)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = {a.transmission_id: a for a in Attachment.objects.all()}
    assert (rows[local.pk].name, rows[local.pk].sha256, rows[local.pk].size,
            rows[local.pk].main) == ("cu.pdf", "a" * 64, 7, True)
    assert rows[received.pk].name == f"{received.pk}.pdf"
    assert Transmission.objects.get(pk=received.pk).channel == Channel.FEDERATED
    assert Transmission.objects.get(pk=local.pk).channel == ""
