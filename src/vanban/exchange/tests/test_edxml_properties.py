"""edXML codec properties: ``parse(build(m)) == m`` and hostile bytes only raise our errors."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from vanban.exchange.core.edxml import (
    Attachment,
    Business,
    BusinessType,
    EdocMessage,
    EdxmlError,
    Organisation,
    ReceiverChange,
    Replacement,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    TraceHop,
    build_edoc,
    parse_edoc,
    parse_message,
)
from vanban.exchange.core.status import StatusCode, StatusMessage, build_status, parse_status
from vanban.exchange.core.xmlsafe import VN_TZ
from vanban.exchange.tests.test_edxml import message, sample

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữự"
    "ỳýỷỹỵĐĂÂÊÔƠƯÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ"
)
# Any character XML 1.0 can carry, weighted towards Vietnamese and markup-looking ones.
CHARS = st.one_of(
    st.sampled_from(VIETNAMESE),
    st.sampled_from(" \t\n\r<>&\"';/.,-:"),
    st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"),
)
# The reader gives NFC text (NFD Vietnamese is normalised), so generated text is NFC.
TEXT = st.text(CHARS, max_size=24).map(lambda s: unicodedata.normalize("NFC", s))
NON_BLANK = TEXT.filter(lambda s: s.strip() != "")
ORGAN_ID = st.builds(
    "{:03d}.{:02d}.{:02d}.{}{:02d}".format, st.integers(0, 999), st.integers(0, 99),
    st.integers(0, 99), st.sampled_from("GH"), st.integers(0, 99))
NOTATION = st.text("ABCDĐEGHKLMNOPQRSTUVXY-&", min_size=1, max_size=15).filter(
    lambda s: s.strip() == s and s != "")
CODE = st.text("0123456789ABCDEFabcdef-_.", min_size=1, max_size=20)
DATES = st.dates(min_value=date(1945, 9, 2), max_value=date(2100, 12, 31))
TIMES = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                     timezones=st.sampled_from([VN_TZ, UTC])).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000 if d.microsecond % 7 == 0
                        else 0))
SMALL_INT = st.integers(min_value=0, max_value=10_000)

organisations = st.builds(
    Organisation, organ_id=ORGAN_ID, name=TEXT, in_charge=TEXT, address=TEXT, email=TEXT,
    telephone=TEXT, fax=TEXT, website=TEXT)
staff_infos = st.builds(StaffInfo, department=TEXT, staff=TEXT, email=TEXT, mobile=TEXT)
response_fors = st.builds(ResponseFor, organ_id=ORGAN_ID, code=CODE,
                          promulgation_date=st.none() | DATES, document_id=CODE)
businesses = st.builds(
    Business, type=st.sampled_from(BusinessType), reason=TEXT, document_id=st.just("") | CODE,
    paper=st.booleans(), staff=st.none() | staff_infos, document_info_changed=st.booleans(),
    receivers_changed=st.booleans(),
    receiver_changes=st.lists(st.builds(ReceiverChange, organ_id=ORGAN_ID, added=st.booleans()),
                              max_size=3).map(tuple),
    replacements=st.lists(st.builds(Replacement, document_id=CODE,
                                    organ_ids=st.lists(ORGAN_ID, max_size=3).map(tuple)),
                          max_size=2).map(tuple),
)
attachment_lists = st.lists(
    st.builds(Attachment, content_id=CODE, name=TEXT,
              content_type=st.sampled_from(["application/pdf", "application/zip", ""]),
              data=st.binary(max_size=300).filter(lambda b: not b.startswith(b"PK")),
              description=TEXT, zipped=st.booleans(),
              manifest_type=st.sampled_from(["", "application/zip", "application/msword"])),
    max_size=3, unique_by=lambda a: a.content_id).map(tuple)


@st.composite
def messages(draw: st.DrawFn) -> EdocMessage:
    """Any message the hub could send: every optional part present or not."""
    return EdocMessage(
        message_id=draw(CODE), sender=draw(organisations),
        recipients=draw(st.lists(organisations, min_size=1, max_size=3).map(tuple)),
        code_number=draw(st.just("") | st.integers(1, 99999).map(str)),
        code_notation=draw(NOTATION), promulgation_date=draw(DATES), subject=draw(NON_BLANK),
        promulgation_place=draw(TEXT), type_name=draw(TEXT),
        type_code=draw(st.integers(-5, 200)),
        type_detail=draw(SMALL_INT), content=draw(TEXT),
        signer=draw(st.none() | st.builds(SignerInfo, competence=TEXT, position=TEXT,
                                          full_name=TEXT)),
        due_date=draw(st.none() | DATES), to_places=draw(st.lists(TEXT, max_size=3).map(tuple)),
        priority=draw(st.integers(-1, 9)), direction=draw(st.none() | st.booleans()),
        sphere=draw(TEXT), typer_notation=draw(TEXT),
        promulgation_amount=draw(st.none() | SMALL_INT), page_amount=draw(st.none() | SMALL_INT),
        appendixes=draw(st.lists(TEXT, max_size=2).map(tuple)),
        steering_type=draw(st.none() | st.integers(0, 3)),
        response_for=draw(st.lists(response_fors, max_size=2).map(tuple)),
        document_id=draw(st.just("") | CODE), business=draw(businesses),
        trace=draw(st.lists(st.builds(TraceHop, organ_id=st.just("") | ORGAN_ID,
                                      timestamp=TIMES),
                            max_size=2).map(tuple)),
        attachments=draw(attachment_lists),
    )


def read_or_refuse(data: bytes, *, max_attachment_bytes: int = 10**6,
                   ) -> EdocMessage | StatusMessage | EdxmlError:
    """The parsed message or our refusal; any other exception propagates and fails the test."""
    try:
        return parse_message(data, max_attachment_bytes=max_attachment_bytes)
    except EdxmlError as exc:
        refusal = exc
    assert refusal.code.startswith("edxml_")
    assert refusal.vi
    assert refusal.en
    return refusal


@settings(max_examples=100, deadline=None)
@given(messages())
def test_round_trip(msg: EdocMessage) -> None:
    """R14.1: what one installation builds, another reads back unchanged (Vietnamese text)."""
    data = build_edoc(msg)
    assert parse_edoc(data) == msg
    assert parse_message(data) == msg
    assert build_edoc(parse_edoc(data)) == data  # and the output is canonical


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_only_raise_our_errors(data: bytes) -> None:
    """Random input never escapes as anything but an ``EdxmlError``."""
    outcome = read_or_refuse(data)
    assert isinstance(outcome, EdocMessage | StatusMessage | EdxmlError)
    assert_written_back(outcome)


CORPUS = Path(__file__).resolve().parent / "corpus"
# Seeds for mutation: the hand-written SDK sample (cid: and bare), our own output, and the
# corpus of real shapes (except the zip bomb, refused whatever the mutation).
SEEDS = [sample(), sample("209"), build_edoc(message()),
         build_edoc(message(attachments=(), signer=None, due_date=None)),
         *(path.read_bytes() for path in sorted(CORPUS.glob("*.edxml"))
           if path.name != "zip_bomb.edxml")]


def assert_written_back(outcome: EdocMessage | StatusMessage | EdxmlError) -> None:
    """R14.1: anything vanban reads it can write back and read again with nothing lost
    (statuses with an unknown code or no readable time are kept, never sent)."""
    if isinstance(outcome, EdocMessage):
        again = parse_edoc(build_edoc(outcome))
        assert again == outcome
        assert build_edoc(again) == build_edoc(outcome)
    elif isinstance(outcome, StatusMessage) and outcome.timestamp is not None and (
            outcome.status_code is not StatusCode.UNKNOWN):
        assert parse_status(build_status(outcome)) == outcome


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid message with bytes deleted, inserted, replaced or duplicated."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "truncate"]))
        at = draw(st.integers(0, len(data)))
        size = draw(st.integers(1, 40))
        if op == "delete":
            del data[at:at + size]
        elif op == "insert":
            fragment = draw(st.sampled_from([
                b"<", b">", b"&", b"<!DOCTYPE x>", b"&amp;", b"<x>", b"</edXML:To>",
                b"\xff\xfe", b"\x00", "Đ".encode(), b"cid:", b"==",
            ]) | st.binary(min_size=1, max_size=8))
            data[at:at] = fragment
        elif op == "replace":
            data[at:at + 1] = draw(st.binary(min_size=1, max_size=1))
        elif op == "duplicate":
            data[at:at] = data[at:at + size]
        else:
            del data[at:]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_messages_only_raise_our_errors(data: bytes) -> None:
    """Damaged messages are read or refused with a reason, never a crash."""
    outcome = read_or_refuse(data, max_attachment_bytes=1000)
    assert isinstance(outcome, EdocMessage | StatusMessage | EdxmlError)
    assert_written_back(outcome)


@st.composite
def pruned(draw: st.DrawFn) -> bytes:
    """A well-formed message with one element removed or emptied (structural mutation)."""
    root = etree.fromstring(draw(st.sampled_from(SEEDS)))
    elements = list(root.iter())[1:]
    victim = draw(st.sampled_from(elements))
    if draw(st.booleans()):
        victim.getparent().remove(victim)
    else:
        victim.text = draw(st.sampled_from(["", " ", "x", "-1", "99999999999", "2025/13/45"]))
        for kid in list(victim):
            victim.remove(kid)
    return bytes(etree.tostring(root, encoding="UTF-8"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pruned())
def test_structurally_damaged_messages_only_raise_our_errors(data: bytes) -> None:
    outcome = read_or_refuse(data)
    assert isinstance(outcome, EdocMessage | StatusMessage | EdxmlError)
    assert_written_back(outcome)
