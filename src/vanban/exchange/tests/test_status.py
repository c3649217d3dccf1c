"""edXML status messages (§1.6): code list, 14 → 15 alias, unknown codes kept, round trip."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.exchange.core.edxml import NS, EdocMessage, EdxmlError, parse_message
from vanban.exchange.core.organisation import Organisation, ResponseFor, StaffInfo
from vanban.exchange.core.status import (
    StatusCode,
    StatusMessage,
    build_status,
    parse_status,
    status_code_from_wire,
)
from vanban.exchange.core.xmlsafe import (
    VN_TZ,
    EdxmlBadValue,
    EdxmlForbiddenConstruct,
    EdxmlMissingField,
    EdxmlTooLarge,
)
from vanban.exchange.tests.test_edxml_properties import (
    NON_BLANK,
    ORGAN_ID,
    TEXT,
    TIMES,
    organisations,
    read_or_refuse,
    response_fors,
    staff_infos,
)

DOC_ID = "000.00.01.H06,2025/03/14,125/STTTT-VP"


def sdk_status(code: str, *, timestamp: str = "2025/03/14 09:15:00") -> bytes:
    """A status message written by hand in the SDK's layout."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>000.00.02.H06</edXML:OrganId>
          <edXML:OrganizationInCharge>UBND tỉnh Bắc Giang</edXML:OrganizationInCharge>
          <edXML:OrganName>Sở Nội vụ</edXML:OrganName>
          <edXML:OrganAdd/><edXML:Email/><edXML:Telephone/><edXML:Fax/><edXML:Website/>
        </edXML:From>
        <edXML:ResponseFor>
          <edXML:OrganId>000.00.01.H06</edXML:OrganId>
          <edXML:Code>125/STTTT-VP</edXML:Code>
          <edXML:PromulgationDate>2025/03/14</edXML:PromulgationDate>
          <edXML:DocumentId>{DOC_ID}</edXML:DocumentId>
        </edXML:ResponseFor>
        <edXML:StaffInfo>
          <edXML:Department>Văn thư</edXML:Department>
          <edXML:Staff>Phạm Thị Lan</edXML:Staff>
          <edXML:Mobile>0912000002</edXML:Mobile>
          <edXML:Email>vanthu.snv@bacgiang.gov.vn</edXML:Email>
        </edXML:StaffInfo>
        <edXML:StatusCode>{code}</edXML:StatusCode>
        <edXML:Description>Đã tiếp nhận văn bản</edXML:Description>
        <edXML:Timestamp>{timestamp}</edXML:Timestamp>
      </edXML:MessageHeader>
    </edXML:edXMLHeader>
  </edXML:edXMLEnvelope>
</edXML>""".encode()


def status(**changes: object) -> StatusMessage:
    values: dict[str, object] = {
        "message_id": "st-1",
        "response_for": ResponseFor("000.00.01.H06", "125/STTTT-VP", date(2025, 3, 14), DOC_ID),
        "sender": Organisation("000.00.02.H06", name="Sở Nội vụ"),
        "status_code": StatusCode.ACCEPTED,
        "timestamp": datetime(2025, 3, 14, 9, 15, tzinfo=VN_TZ),
        "description": "Đã tiếp nhận văn bản",
        "staff": StaffInfo("Văn thư", "Phạm Thị Lan"),
    }
    values.update(changes)
    return StatusMessage(**values)  # type: ignore[arg-type]


def test_reads_the_sdk_layout() -> None:
    """R7.1: the receiver's status (any element order) is read with its time in Hà Nội time."""
    msg = parse_status(sdk_status("03"))
    assert msg.status_code is StatusCode.ACCEPTED
    assert msg.raw_code == ""
    assert msg.sender.organ_id == "000.00.02.H06"
    assert msg.sender.name == "Sở Nội vụ"
    assert msg.response_for == ResponseFor(
        "000.00.01.H06", "125/STTTT-VP", date(2025, 3, 14), DOC_ID)
    assert msg.staff == StaffInfo("Văn thư", "Phạm Thị Lan", "vanthu.snv@bacgiang.gov.vn",
                                  "0912000002")
    assert msg.description == "Đã tiếp nhận văn bản"
    assert msg.timestamp == datetime(2025, 3, 14, 9, 15, tzinfo=VN_TZ)
    assert msg.message_id == ""


@pytest.mark.parametrize(("wire", "code"), [
    ("01", StatusCode.ARRIVED), ("02", StatusCode.REJECTED), ("03", StatusCode.ACCEPTED),
    ("04", StatusCode.ASSIGNED), ("05", StatusCode.PROCESSING), ("06", StatusCode.COMPLETED),
    ("13", StatusCode.RECALL_REQUESTED), ("15", StatusCode.RECALL_AGREED),
    ("16", StatusCode.RECALL_REFUSED),
])
def test_known_codes(wire: str, code: StatusCode) -> None:
    """The code list of §1.6; each is sent and read back as itself."""
    msg = parse_status(sdk_status(wire))
    assert msg.status_code is code
    assert msg.raw_code == ""
    assert parse_status(build_status(status(status_code=code))).status_code is code
    assert code.label_vi
    assert code.label_en


def test_14_is_read_as_15() -> None:
    """A public adapter's builder writes 14 for "agree"; it is read as 15, raw code kept."""
    msg = parse_status(sdk_status("14"))
    assert msg.status_code is StatusCode.RECALL_AGREED
    assert msg.raw_code == "14"
    forwarded = replace(msg, message_id="st-2")
    assert b"<edXML:StatusCode>15<" in build_status(forwarded)  # and never sent as 14


@pytest.mark.parametrize("wire", ["07", "12", "99", "A1", "tiep-nhan"])
def test_unknown_codes_are_kept_not_refused(wire: str) -> None:
    """Codes 07–12 and others are undefined: the message is kept with the raw value."""
    msg = parse_status(sdk_status(wire))
    assert msg.status_code is StatusCode.UNKNOWN
    assert msg.raw_code == wire
    with pytest.raises(EdxmlBadValue):
        build_status(msg)


def test_single_digit_code_is_padded() -> None:
    assert status_code_from_wire("3") == (StatusCode.ACCEPTED, "3")
    assert status_code_from_wire(" 06 ") == (StatusCode.COMPLETED, "")


@pytest.mark.parametrize("timestamp", [
    "2025/03/14 09:15:00", "14/03/2025 09:15:00", "2025-03-14T09:15:00",
    "2025-03-14T02:15:00Z", "2025-03-14T09:15:00+07:00",
])
def test_timestamp_formats(timestamp: str) -> None:
    """Lenient on time formats seen in adapters; no offset means Viet Nam time."""
    msg = parse_status(sdk_status("01", timestamp=timestamp))
    assert msg.timestamp == datetime(2025, 3, 14, 9, 15, tzinfo=VN_TZ)


def test_unreadable_timestamp_is_kept_as_none() -> None:
    assert parse_status(sdk_status("02", timestamp="hôm qua")).timestamp is None
    with pytest.raises(EdxmlMissingField):
        build_status(status(timestamp=None))


def test_output_layout_and_determinism() -> None:
    data = build_status(status())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="')
    assert b"<edXML:StatusCode>03</edXML:StatusCode>" in data
    assert b"<edXML:Timestamp>2025/03/14 09:15:00</edXML:Timestamp>" in data
    assert b'<edXML:TraceHeaderList id="st-1">' in data
    assert data == build_status(status())
    same_instant_in_utc = status(timestamp=datetime(2025, 3, 14, 2, 15, tzinfo=UTC))
    assert build_status(same_instant_in_utc) == data


def test_parse_message_dispatches_statuses() -> None:
    assert parse_message(build_status(status())) == status()


@pytest.mark.parametrize(("old", "new", "error"), [
    (b"<edXML:StatusCode>03</edXML:StatusCode>", b"", EdxmlMissingField),
    (b"<edXML:ResponseFor>", b"<edXML:XResponseFor>", EdxmlMissingField),
    (b'<?xml version="1.0" encoding="UTF-8"?>',
     b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
     EdxmlForbiddenConstruct),
])
def test_refusals(old: bytes, new: bytes, error: type[EdxmlError]) -> None:
    data = sdk_status("03").replace(old, new)
    data = data.replace(b"</edXML:ResponseFor>", b"</edXML:XResponseFor>") if (
        b"XResponseFor" in data) else data
    with pytest.raises(error):
        parse_status(data)


def test_refuses_oversized_status() -> None:
    with pytest.raises(EdxmlTooLarge):
        parse_status(sdk_status("03"), max_bytes=500)


KNOWN = st.sampled_from([c for c in StatusCode if c is not StatusCode.UNKNOWN])
statuses = st.builds(
    StatusMessage, message_id=st.text("abcdef0123456789-", min_size=1, max_size=36),
    response_for=response_fors, sender=organisations, status_code=KNOWN, timestamp=TIMES,
    description=TEXT, staff=st.none() | staff_infos)


@settings(max_examples=100, deadline=None)
@given(statuses)
def test_round_trip(msg: StatusMessage) -> None:
    """R14.1: statuses flow back unchanged, with Vietnamese text."""
    data = build_status(msg)
    assert parse_status(data) == msg
    assert build_status(parse_status(data)) == data


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), NON_BLANK, ORGAN_ID)
def test_hostile_input_only_raises_our_errors(noise: bytes, text: str, organ: str) -> None:
    base = sdk_status("03")
    cut = len(noise) % len(base)
    for data in (noise, base[:cut] + noise + base[cut:],
                 base.replace(b"000.00.02.H06", organ.encode()).replace(
                     "Văn thư".encode(), text.encode())):
        outcome = read_or_refuse(data)
        assert isinstance(outcome, EdocMessage | StatusMessage | EdxmlError)
