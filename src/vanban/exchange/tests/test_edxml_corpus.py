"""The corpus of real shapes (``corpus/``, vn-standards.md §1.9): what other e-office systems
and the national axis really send is read without loss, and written back in the SDK's shape.

Every test here failed on the codec before issue 10 (R14.1: edXML exchange with other systems).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from vanban.exchange.core.edxml import (
    NS,
    Attachment,
    EdocMessage,
    EdxmlMissingField,
    EdxmlTooLarge,
    EdxmlZipBomb,
    build_edoc,
    parse_edoc,
    parse_message,
)
from vanban.exchange.core.filetype import DOC, PDF, ZIP
from vanban.exchange.core.organisation import Organisation, ResponseFor, StaffInfo
from vanban.exchange.core.status import StatusCode, StatusMessage, build_status, parse_status
from vanban.exchange.core.unzip import ZipLimits
from vanban.exchange.core.xmlsafe import VN_TZ
from vanban.exchange.tests.corpus.make_corpus import DOC as DOC_BYTES
from vanban.exchange.tests.corpus.make_corpus import PDF as PDF_BYTES
from vanban.exchange.tests.corpus.make_corpus import corpus, zipped

CORPUS = Path(__file__).resolve().parent / "corpus"


def read(name: str) -> EdocMessage:
    return parse_edoc((CORPUS / name).read_bytes())


def again(message: EdocMessage) -> EdocMessage:
    """Written back and read again: a forward carries what was received."""
    return parse_edoc(build_edoc(message))


def names(data: bytes, path: str) -> list[str]:
    """Local names of the children of the element at ``path`` (local names, '/'-joined)."""
    el = etree.fromstring(data)
    for step in path.split("/"):
        el = next(c for c in el if etree.QName(c).localname == step)
    return [etree.QName(c).localname for c in el]


def test_corpus_files_are_what_the_builder_makes() -> None:
    """The committed files are the documented shapes (nobody edited one by hand)."""
    for name, text in corpus().items():
        assert (CORPUS / name).read_bytes() == text.encode("utf-8"), name


def test_zipped_attachments_are_unzipped_by_content() -> None:
    """R14.1 issue 10 #1: the SDK's one-entry zip is undone whatever the types declare; both
    declared types are kept; the name stays the declared one (the inner name is a uuid)."""
    message = read("axis_2019_empty_response_for.edxml")
    (item,) = message.attachments
    assert item.data == PDF_BYTES
    assert item.zipped
    assert item.detected_type == PDF
    assert item.name == "CONGVAN.SIGNED.PDF"
    assert (item.content_type, item.manifest_type) == ("application/zip", "application/pdf")
    assert item.size == len(PDF_BYTES)
    assert item.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    forwarded = again(message).attachments[0]
    assert forwarded == item  # zipped again, same entry, same types


def test_pdf_and_doc_both_kept_with_their_real_types() -> None:
    """R14.1 issue 10 #2: a letter with a signed PDF and a .doc keeps both, each typed."""
    message = read("ministry_pdf_and_doc.edxml")
    kept = [(a.name, a.detected_type, a.zipped) for a in message.attachments]
    assert kept == [("4521-BTTTT.signed.pdf", PDF, True), ("4521-BTTTT.doc", DOC, True)]
    assert message.attachments[1].data == DOC_BYTES


def test_zip_named_wrapper_takes_the_inner_name_and_bundles_stay_zips() -> None:
    """R14.1: ``x.zip`` around one file is that file; a zip of several files is kept as is."""
    wrapper, bundle = read("zip_wrapper_and_bundle.edxml").attachments
    assert (wrapper.name, wrapper.detected_type, wrapper.zipped) == ("kehoach.pdf", PDF, True)
    assert wrapper.declared_name == "kehoach.zip"
    assert (bundle.name, bundle.detected_type, bundle.zipped) == ("phuluc.zip", ZIP, False)
    assert again(read("zip_wrapper_and_bundle.edxml")).attachments == (wrapper, bundle)


def test_zip_bomb_is_refused_with_a_reason() -> None:
    """R14.1: a zip that expands ~1000:1 is refused, typed, in both languages."""
    with pytest.raises(EdxmlZipBomb) as caught:
        read("zip_bomb.edxml")
    assert caught.value.code == "edxml_zip_bomb"
    assert "200:1" in caught.value.en
    assert caught.value.vi


def test_zip_limits_on_size_and_entries() -> None:
    """R14.1: the unzipped size is bounded while inflating, and so is the entry count."""
    data = (CORPUS / "ministry_pdf_and_doc.edxml").read_bytes()
    with pytest.raises(EdxmlZipBomb):
        parse_edoc(data, zip_limits=ZipLimits(max_bytes=100))
    with pytest.raises(EdxmlZipBomb):
        parse_edoc((CORPUS / "zip_wrapper_and_bundle.edxml").read_bytes(),
                   zip_limits=ZipLimits(max_bytes=10**6, max_entries=1))


def test_empty_response_for_is_skipped_with_a_warning() -> None:
    """R14.1 issue 10 #3: ``<edXML:ResponseFor />`` no longer refuses the message."""
    message = read("axis_2019_empty_response_for.edxml")
    assert message.response_for == ()
    assert any(w.startswith("empty_response_for:") for w in message.warnings)


def test_receiver_without_organ_id_is_skipped_with_a_warning() -> None:
    """R14.1 issue 10 #3: one bad receiver does not refuse the message for the others."""
    message = read("ministry_pdf_and_doc.edxml")
    assert [o.organ_id for o in message.recipients] == ["000.00.01.H06"]
    assert any(w.startswith("receiver_without_organ_id:") for w in message.warnings)


def test_unidentifiable_document_is_refused() -> None:
    """R14.1: no sender OrganId: the document cannot be identified, so it is refused."""
    with pytest.raises(EdxmlMissingField) as caught:
        read("refused_no_sender.edxml")
    assert caught.value.extra["field"] == "From/OrganId"


def test_direction_signature_and_every_hop_are_kept_and_forwarded() -> None:
    """R14.1 issue 10 #4: Direction, the raw Signature block and hops without OrganId (with
    their millisecond times) survive a read and a forward."""
    ministry = read("ministry_pdf_and_doc.edxml")
    assert ministry.direction is True
    assert ministry.trace[0].timestamp == datetime(2025, 10, 20, 9, 15, 0, 250000, tzinfo=VN_TZ)
    axis = read("axis_2019_empty_response_for.edxml")
    assert axis.signature.startswith(b"<Signature")
    assert b"c2FtcGxlIHNpZ25hdHVyZSB2YWx1ZQ==" in axis.signature
    forwarded = build_edoc(axis)
    assert axis.signature in forwarded
    assert names(forwarded, "edXMLEnvelope/edXMLHeader") == [
        "MessageHeader", "TraceHeaderList", "Signature"]
    gateway = read("axis_2025_gateway.edxml")
    assert [(h.organ_id, h.timestamp.microsecond) for h in gateway.trace] == [
        ("", 634000), ("", 101000)]
    assert again(gateway).trace == gateway.trace
    assert b"07:33:27.634</edXML:Timestamp>" in build_edoc(gateway)
    for message in (ministry, axis, gateway):
        assert again(message) == message


def test_nfd_text_is_normalised() -> None:
    """R14.1 issue 10 #4: NFD Vietnamese reads as NFC."""
    subject = read("ministry_pdf_and_doc.edxml").subject
    assert subject == "Về việc triển khai kết nối liên thông văn bản"
    assert len(subject) == 45


def test_values_read_are_values_written() -> None:
    """R14.1 issue 10 #5: Priority 5 and −1, SteeringType 0, Type 3 and 71, a 24-character
    CodeNumber: read, written back unchanged, read again."""
    ministry = read("ministry_pdf_and_doc.edxml")
    bkav = read("bkav_priority_minus_one.edxml")
    gateway = read("axis_2025_gateway.edxml")
    assert (ministry.priority, ministry.steering_type) == (5, 0)
    assert (bkav.priority, bkav.type_code, bkav.promulgation_date) == (-1, 3, date(2025, 10, 20))
    assert (gateway.type_code, gateway.code_number) == (71, "GW-20251014073327634-773")
    for message in (ministry, bkav, gateway):
        assert again(message) == message
    assert b"<edXML:SteeringType>0</edXML:SteeringType>" in build_edoc(ministry)


def test_absent_steering_type_stays_absent() -> None:
    """R14.1: SteeringType 0 is a value; absent is ``None`` and not written as 1."""
    data = (CORPUS / "bkav_priority_minus_one.edxml").read_bytes().replace(
        b"<edXML:SteeringType>1</edXML:SteeringType>", b"")
    message = parse_edoc(data)
    assert message.steering_type is None
    assert b"SteeringType" not in build_edoc(message)


def test_document_written_in_the_sdk_order() -> None:
    """R14.1 issue 10 #6: ResponseFor after OtherInfo and before SteeringType, Direction
    inside OtherInfo before Appendixes, the business StaffInfo after Paper (edoc_new.edxml)."""
    message = read("ministry_pdf_and_doc.edxml")
    reply = ResponseFor(organ_id="000.00.00.G22", code="1/X", document_id="a,b,c")
    data = build_edoc(EdocMessage(**{**message.__dict__, "response_for": (reply,),
                                     "appendixes": ("Phụ lục",)}))
    assert names(data, "edXMLEnvelope/edXMLHeader/MessageHeader") == [
        "From", "To", "DocumentId", "Code", "PromulgationInfo", "DocumentType", "Subject",
        "Content", "SignerInfo", "OtherInfo", "ResponseFor", "SteeringType", "ToPlaces"]
    assert names(data, "edXMLEnvelope/edXMLHeader/MessageHeader/OtherInfo") == [
        "Priority", "SphereOfPromulgation", "TyperNotation", "PromulgationAmount", "PageAmount",
        "Direction", "Appendixes"]
    assert names(data, "edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness") == [
        "DocumentId", "BussinessDocType", "BussinessDocReason", "Paper", "StaffInfo"]


def test_status_written_in_the_sdk_order_always_with_staff_info() -> None:
    """R14.1 issue 10 #6: From, ResponseFor, StaffInfo, StatusCode, Description, Timestamp;
    StaffInfo present even when the caller gives none (made from the sender)."""
    status = StatusMessage(
        message_id="m-1", response_for=ResponseFor(organ_id="000.00.00.G22", code="1/X"),
        sender=Organisation(organ_id="000.00.01.H06", name="Sở TT&TT", email="vt@x.vn"),
        status_code=StatusCode.ACCEPTED, timestamp=datetime(2025, 10, 20, 10, 0, tzinfo=VN_TZ))
    data = build_status(status)
    assert names(data, "edXMLEnvelope/edXMLHeader/MessageHeader") == [
        "From", "ResponseFor", "StaffInfo", "StatusCode", "Description", "Timestamp"]
    assert names(data, "edXMLEnvelope/edXMLHeader/MessageHeader/StaffInfo") == [
        "Department", "Staff", "Email", "Mobile"]
    assert parse_status(data) == status


def test_sdk_status_read_with_milliseconds_and_staff() -> None:
    """R14.1 issue 10 #4, #6: the SDK's status (no trace list, milliseconds) reads whole and
    is written back in the same order with the same staff."""
    status = parse_message((CORPUS / "sdk_status_03.edxml").read_bytes())
    assert isinstance(status, StatusMessage)
    assert status.timestamp == datetime(2025, 10, 20, 10, 1, 2, 345000, tzinfo=VN_TZ)
    assert status.staff == StaffInfo(department="Văn thư", staff="Lê Văn C",
                                     email="vt@stttt.gov.vn", mobile="0912000002")
    assert status.message_id == ""
    data = build_status(status)
    assert b"TraceHeaderList" not in data  # as the SDK: no trace list without an id
    assert parse_status(data) == status


def test_build_refuses_what_its_own_reader_would_refuse() -> None:
    """R14.1 issue 10 #5: ``build_edoc`` checks its output against the reader's limits."""
    message = read("bkav_priority_minus_one.edxml")
    big = Attachment(content_id="big", name="big.pdf", content_type="application/pdf",
                     data=PDF_BYTES + bytes(4000))
    grown = EdocMessage(**{**message.__dict__, "attachments": (big,)})
    with pytest.raises(EdxmlTooLarge):
        build_edoc(grown, max_bytes=6000)
    with pytest.raises(EdxmlTooLarge):
        build_edoc(grown, max_attachment_bytes=1000)
    data = build_edoc(grown, max_bytes=12000)
    assert parse_edoc(data, max_bytes=12000) == grown


def test_writer_zips_like_the_sdk_when_asked() -> None:
    """R14.1: an attachment marked ``zipped`` travels in a one-entry zip (the SDK's way) and
    reads back as the file; an unmarked one travels plain."""
    message = read("bkav_priority_minus_one.edxml")
    plain = message.attachments[0]
    wrapped = Attachment(content_id="2", name="cv.pdf", content_type="application/zip",
                         data=PDF_BYTES, zipped=True)
    data = build_edoc(EdocMessage(**{**message.__dict__, "attachments": (plain, wrapped)}))
    root = etree.fromstring(data)
    encoded = root.findall(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment"
                           f"/{{{NS}}}ContentTransferEncoded")
    assert encoded[1].text.startswith("UEsDB")  # PK\x03\x04
    assert not encoded[0].text.startswith("UEsDB")
    assert parse_edoc(data).attachments == (plain, wrapped)
    assert zipped(PDF_BYTES, "x")[:4] == b"PK\x03\x04"


def test_a_signature_block_c14n_refuses_is_kept_as_written() -> None:
    """R14.1 issue 10 #4: a Signature block whose namespace C14N refuses (a relative URI, as
    a damaged sender writes it) neither makes the message unreadable nor is dropped."""
    data = (CORPUS / "axis_2019_empty_response_for.edxml").read_bytes()
    odd = data.replace(b"<Signature", b'<Signature xmlns:x="relative/ns"', 1)
    assert odd != data
    message = parse_edoc(odd)
    assert b"c2FtcGxlIHNpZ25hdHVyZSB2YWx1ZQ==" in message.signature
    assert again(message).signature == message.signature
