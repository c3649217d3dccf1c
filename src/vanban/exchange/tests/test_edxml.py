"""edXML codec: the SDK layout read by hand-written samples, strict output, and refusals."""

from __future__ import annotations

import base64
from datetime import date, datetime

import pytest

from vanban.core.errors import ValidationFailed
from vanban.exchange.core.edxml import (
    NS,
    Attachment,
    Business,
    BusinessType,
    EdocMessage,
    EdxmlAttachmentTooLarge,
    EdxmlBadBase64,
    EdxmlBadValue,
    EdxmlForbiddenConstruct,
    EdxmlMissingField,
    EdxmlNotXml,
    EdxmlTooLarge,
    EdxmlUnknownRoot,
    Organisation,
    ReceiverChange,
    Replacement,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    TraceHop,
    build_edoc,
    make_document_id,
    parse_edoc,
    parse_message,
)
from vanban.exchange.core.xmlsafe import VN_TZ

PDF = b"%PDF-1.7\n% van ban dien tu\n" + bytes(range(256))
B64 = base64.b64encode(PDF).decode()

# The VNPT SDK sample's layout (vn-standards.md §1.2–§1.4), written by hand with our values.
SDK_SAMPLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>000.00.01.H06</edXML:OrganId>
          <edXML:OrganizationInCharge>UBND tỉnh Bắc Giang</edXML:OrganizationInCharge>
          <edXML:OrganName>Sở Thông tin và Truyền thông</edXML:OrganName>
          <edXML:OrganAdd>Số 1 đường Nguyễn Văn Cừ, TP Bắc Giang</edXML:OrganAdd>
          <edXML:Email>stttt@bacgiang.gov.vn</edXML:Email>
          <edXML:Telephone>0204 3 555 555</edXML:Telephone>
          <edXML:Fax></edXML:Fax>
          <edXML:Website>stttt.bacgiang.gov.vn</edXML:Website>
        </edXML:From>
        <edXML:To>
          <edXML:OrganId>000.00.02.H06</edXML:OrganId>
          <edXML:OrganizationInCharge> UBND tỉnh Bắc Giang</edXML:OrganizationInCharge>
          <edXML:OrganName>Sở Nội vụ</edXML:OrganName>
          <edXML:OrganAdd/><edXML:Email/><edXML:Telephone/><edXML:Fax/><edXML:Website/>
        </edXML:To>
        <edXML:To>
          <edXML:OrganId> 000.00.00.G22 </edXML:OrganId>
          <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName>
        </edXML:To>
        <edXML:DocumentId>000.00.01.H06,2025/03/14,125/STTTT-VP</edXML:DocumentId>
        <edXML:Code>
          <edXML:CodeNumber>125</edXML:CodeNumber>
          <edXML:CodeNotation>STTTT-VP</edXML:CodeNotation>
        </edXML:Code>
        <edXML:PromulgationInfo>
          <edXML:Place>Bắc Giang</edXML:Place>
          <edXML:PromulgationDate>2025/03/14</edXML:PromulgationDate>
        </edXML:PromulgationInfo>
        <edXML:DocumentType>
          <edXML:Type>1</edXML:Type>
          <edXML:TypeDetail>0</edXML:TypeDetail>
          <edXML:TypeName>Công văn</edXML:TypeName>
        </edXML:DocumentType>
        <edXML:Subject>V/v kết nối, liên thông phần mềm quản lý văn bản</edXML:Subject>
        <edXML:Content>V/v kết nối, liên thông phần mềm quản lý văn bản</edXML:Content>
        <edXML:SignerInfo>
          <edXML:Competence>KT. GIÁM ĐỐC</edXML:Competence>
          <edXML:Position>Phó Giám đốc</edXML:Position>
          <edXML:FullName>Nguyễn Thị Ngọc Trâm</edXML:FullName>
        </edXML:SignerInfo>
        <edXML:DueDate>2025/03/28</edXML:DueDate>
        <edXML:OtherInfo>
          <edXML:Priority>2</edXML:Priority>
          <edXML:SphereOfPromulgation>Liên thông văn bản quốc gia</edXML:SphereOfPromulgation>
          <edXML:TyperNotation>TVC</edXML:TyperNotation>
          <edXML:PromulgationAmount>2</edXML:PromulgationAmount>
          <edXML:PageAmount>3</edXML:PageAmount>
          <edXML:Direction>false</edXML:Direction>
          <edXML:Appendixes>
            <edXML:Appendix>Danh sách đơn vị</edXML:Appendix>
          </edXML:Appendixes>
        </edXML:OtherInfo>
        <edXML:SteeringType>1</edXML:SteeringType>
        <edXML:ToPlaces>
          <edXML:Place>Như trên</edXML:Place>
          <edXML:Place>Lưu: VT</edXML:Place>
        </edXML:ToPlaces>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader>
          <edXML:OrganId>000.00.01.H06</edXML:OrganId>
          <edXML:Timestamp>2025/03/14 08:30:00</edXML:Timestamp>
        </edXML:TraceHeader>
        <edXML:Bussiness>
          <edXML:DocumentId>000.00.01.H06,2025/03/14,125/STTTT-VP</edXML:DocumentId>
          <edXML:BussinessDocType>0</edXML:BussinessDocType>
          <edXML:BussinessDocReason>Văn bản điện tử mới</edXML:BussinessDocReason>
          <edXML:Paper>0</edXML:Paper>
          <edXML:StaffInfo>
            <edXML:Department>Văn thư văn phòng</edXML:Department>
            <edXML:Staff>Trần Văn Bình</edXML:Staff>
            <edXML:Email>vanthu@bacgiang.gov.vn</edXML:Email>
            <edXML:Mobile>84912000001</edXML:Mobile>
          </edXML:StaffInfo>
        </edXML:Bussiness>
      </edXML:TraceHeaderList>
      <Signature>
        <SignedInfo>
          <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
          <SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>
        </SignedInfo>
        <SignatureValue>AAAA</SignatureValue>
      </Signature>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference>
          <edXML:ContentId>cid:209</edXML:ContentId>
          <edXML:ContentType>application/pdf</edXML:ContentType>
          <edXML:Description>Công văn 125</edXML:Description>
          <edXML:AttachmentName>125_STTTT-VP.pdf</edXML:AttachmentName>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentId>{{CID}}</ContentId>
      <AttachmentName>125_STTTT-VP.pdf</AttachmentName>
      <Description>Công văn 125</Description>
      <ContentType>application/pdf</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="{NS}">{B64}</edXML:ContentTransferEncoded>
    </Attachment>
  </AttachmentEncoded>
</edXML>
"""


def sample(cid: str = "cid:209") -> bytes:
    return SDK_SAMPLE.replace("{CID}", cid).encode("utf-8")


def message(**changes: object) -> EdocMessage:
    """A complete outgoing message; ``changes`` override fields."""
    values: dict[str, object] = {
        "message_id": "6f1c2b8e-0d9a-4c1e-9a77-3b1d2e4f5a60",
        "sender": Organisation("000.00.01.H06", name="Sở Thông tin và Truyền thông"),
        "recipients": (Organisation("000.00.02.H06", name="Sở Nội vụ"),
                       Organisation("000.00.03.H06", name="Sở Tài chính")),
        "code_number": "125", "code_notation": "STTTT-VP",
        "promulgation_date": date(2025, 3, 14), "promulgation_place": "Bắc Giang",
        "subject": "V/v triển khai hệ thống quản lý văn bản & điều hành", "type_name": "Công văn",
        "signer": SignerInfo("KT. GIÁM ĐỐC", "Phó Giám đốc", "Nguyễn Văn An"),
        "due_date": date(2025, 3, 28), "priority": 1,
        "trace": (TraceHop("000.00.01.H06", datetime(2025, 3, 14, 8, 30, tzinfo=VN_TZ)),),
        "attachments": (Attachment("a1", "công văn.pdf", "application/pdf", PDF),),
    }
    values.update(changes)
    return EdocMessage(**values)  # type: ignore[arg-type]


def test_reads_the_sdk_layout() -> None:
    """R14.1: a message in the VNPT SDK's layout (edXML: prefixes, cid:, Signature) is read."""
    msg = parse_edoc(sample())
    assert msg.sender == Organisation(
        organ_id="000.00.01.H06", name="Sở Thông tin và Truyền thông",
        in_charge="UBND tỉnh Bắc Giang", address="Số 1 đường Nguyễn Văn Cừ, TP Bắc Giang",
        email="stttt@bacgiang.gov.vn", telephone="0204 3 555 555", fax="",
        website="stttt.bacgiang.gov.vn")
    assert [r.organ_id for r in msg.recipients] == ["000.00.02.H06", "000.00.00.G22"]
    assert msg.recipients[0].in_charge == " UBND tỉnh Bắc Giang"  # free text kept as sent
    assert (msg.code_number, msg.code_notation, msg.code) == ("125", "STTTT-VP", "125/STTTT-VP")
    assert msg.promulgation_date == date(2025, 3, 14)
    assert msg.promulgation_place == "Bắc Giang"
    assert (msg.type_code, msg.type_detail, msg.type_name) == (1, 0, "Công văn")
    assert msg.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert msg.signer == SignerInfo("KT. GIÁM ĐỐC", "Phó Giám đốc", "Nguyễn Thị Ngọc Trâm")
    assert msg.due_date == date(2025, 3, 28)
    assert (msg.priority, msg.steering_type) == (2, 1)
    assert (msg.promulgation_amount, msg.page_amount) == (2, 3)
    assert msg.appendixes == ("Danh sách đơn vị",)
    assert msg.to_places == ("Như trên", "Lưu: VT")
    assert msg.document_id == "000.00.01.H06,2025/03/14,125/STTTT-VP"
    assert msg.business_type is BusinessType.NEW
    assert msg.business.staff == StaffInfo("Văn thư văn phòng", "Trần Văn Bình",
                                           "vanthu@bacgiang.gov.vn", "84912000001")
    assert msg.trace == (TraceHop("000.00.01.H06", datetime(2025, 3, 14, 8, 30, tzinfo=VN_TZ)),)
    assert msg.message_id == ""  # the SDK writes no message id
    [att] = msg.attachments
    assert (att.content_id, att.name, att.content_type, att.description) == (
        "209", "125_STTTT-VP.pdf", "application/pdf", "Công văn 125")
    assert att.data == PDF


@pytest.mark.parametrize("cid", ["cid:209", "209", "CID:209", "&lt;209&gt;", " cid:209 "])
def test_content_id_with_or_without_cid(cid: str) -> None:
    """A bare id in AttachmentEncoded (one implementation) still matches the manifest."""
    [att] = parse_edoc(sample(cid)).attachments
    assert att.content_id == "209"
    assert att.data == PDF


def test_any_prefix_and_no_prefix_read_the_same() -> None:
    """Lenient input: a default-namespace message and another prefix read like the SDK's."""
    expected = parse_edoc(sample())
    unprefixed = sample().replace(b"edXML:", b"").replace(b' xmlns="' + NS.encode() + b'"', b"", 1)
    unprefixed = unprefixed.replace(b"<edXML>", b'<edXML xmlns="' + NS.encode() + b'">', 1)
    other = sample().replace(b"edXML:", b"q:").replace(b"xmlns:edXML=", b"xmlns:q=")
    assert b"edXML:" not in unprefixed
    assert parse_edoc(unprefixed) == expected
    assert parse_edoc(other) == expected


def test_base64_with_line_breaks() -> None:
    """MIME-style base64 (76-character lines) is accepted."""
    wrapped = "\n".join(B64[i:i + 76] for i in range(0, len(B64), 76))
    data = sample().replace(B64.encode(), wrapped.encode())
    assert parse_edoc(data).attachments[0].data == PDF


def test_output_layout_is_the_sdk_one() -> None:
    """Strict output: declaration, default-namespace root, edXML: prefix, cid: in both places."""
    data = build_edoc(message())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="' + NS.encode())
    assert b'<edXML:edXMLEnvelope xmlns:edXML="' + NS.encode() + b'">' in data
    envelope = data.split(b"<edXML:edXMLEnvelope", 1)[1].split(b"</edXML:edXMLEnvelope>")[0]
    assert b"<" + b"From>" not in envelope
    assert b"<edXML:From>" in envelope
    assert data.count(b"cid:a1") == 2
    assert b'<edXML:ContentTransferEncoded xmlns:edXML="' + NS.encode() + b'">' in data
    assert "Sở Nội vụ".encode() in data  # UTF-8, not character references
    assert b"<edXML:PromulgationDate>2025/03/14</edXML:PromulgationDate>" in data
    assert b"<edXML:BussinessDocType>0</edXML:BussinessDocType>" in data


def test_output_is_deterministic() -> None:
    """The same message always gives the same bytes (the transport signs the body)."""
    assert build_edoc(message()) == build_edoc(message())
    assert build_edoc(message()) != build_edoc(message(subject="Khác"))


def test_round_trip_of_every_business_type() -> None:
    """Revoke, update (receiver changes) and replace survive build → parse."""
    original = "000.00.01.H06,2025/03/01,100/STTTT-VP"
    cases = [
        Business(BusinessType.REVOKE, document_id=original,
                 staff=StaffInfo("Văn thư", "Lê Thị Hoa")),
        Business(BusinessType.UPDATE, document_id=original, document_info_changed=True,
                 receivers_changed=True, receiver_changes=(
                     ReceiverChange("000.00.04.H06", added=True),
                     ReceiverChange("000.00.03.H06", added=False))),
        Business(BusinessType.REPLACE, reason="Thay thế do sai sót", replacements=(
            Replacement(original, ("000.00.02.H06", "000.00.03.H06")),)),
    ]
    for business in cases:
        msg = message(business=business, response_for=[
            ResponseFor("000.00.01.H06", "100/STTTT-VP", date(2025, 3, 1), original)])
        assert parse_edoc(build_edoc(msg)) == msg
    assert Business(BusinessType.REVOKE).reason == "Thu hồi văn bản điện tử"


def test_document_id_is_derived() -> None:
    """DocumentId follows ``<OrganId>,<yyyy/MM/dd>,<number>/<notation>`` (§1.3 #1.14)."""
    assert message().document_id == "000.00.01.H06,2025/03/14,125/STTTT-VP"
    assert make_document_id("000.00.00.G22", date(2015, 9, 30), "7816", "VPCP-TTĐT") == (
        "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")


def test_parse_message_tells_documents_from_statuses() -> None:
    assert parse_message(build_edoc(message())) == message()


# ---------------------------------------------------------------- refusals

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>"""


@pytest.mark.parametrize("max_bytes", [1024 * 1024, 64 * 1024 * 1024])
def test_refuses_entity_expansion(max_bytes: int) -> None:
    """Billion laughs is refused, with and without libxml2's huge-tree mode."""
    with pytest.raises(EdxmlForbiddenConstruct) as caught:
        parse_edoc(BILLION_LAUGHS, max_bytes=max_bytes)
    assert caught.value.code == "edxml_doctype_forbidden"
    assert "DOCTYPE" in caught.value.vi
    assert "DOCTYPE" in caught.value.en


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE edXML [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    b'<!DOCTYPE edXML SYSTEM "file:///etc/passwd">',
    b'<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/x.dtd">',
])
def test_refuses_external_entities(doctype: bytes) -> None:
    """XXE: no file is read, no network is touched, the DOCTYPE itself is refused."""
    body = sample().replace(b"<edXML:Subject>V/v", b"<edXML:Subject>&xxe;V/v")
    data = body.replace(b'<?xml version="1.0" encoding="UTF-8"?>\n',
                        b'<?xml version="1.0" encoding="UTF-8"?>\n' + doctype + b"\n")
    with pytest.raises((EdxmlForbiddenConstruct, EdxmlNotXml)) as caught:
        parse_edoc(data)
    assert "root:" not in caught.value.en  # nothing of /etc/passwd leaks into the reason


@pytest.mark.parametrize("data", [
    b"", b"not xml at all", b"\x00\x01\x02", b"<edXML", "xin chào".encode("utf-16"),
    b'<?xml version="1.0" encoding="bogus"?><edXML/>',
    sample()[: len(sample()) // 2],
])
def test_refuses_what_is_not_xml(data: bytes) -> None:
    with pytest.raises(EdxmlNotXml) as caught:
        parse_edoc(data)
    assert caught.value.code == "edxml_not_xml"
    assert caught.value.vi.startswith("Thông điệp")


@pytest.mark.parametrize("data", [
    b"<edXML/>",
    b'<edXML xmlns="urn:other"/>',
    f'<Envelope xmlns="{NS}"/>'.encode(),
    b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"/>',
])
def test_refuses_unknown_root(data: bytes) -> None:
    with pytest.raises(EdxmlUnknownRoot) as caught:
        parse_edoc(data)
    assert NS in caught.value.en


@pytest.mark.parametrize(("tag", "field"), [
    ("From", "MessageHeader/From"),
    ("Subject", "MessageHeader/Subject"),
    ("PromulgationDate", "PromulgationInfo/PromulgationDate"),
    ("Code", "MessageHeader/Code"),
    ("edXMLHeader", "edXMLEnvelope/edXMLHeader"),
])
def test_refuses_missing_required_fields(tag: str, field: str) -> None:
    """The element is renamed away: the message stays well-formed but lacks it."""
    data = sample().replace(f"<edXML:{tag}>".encode(), f"<edXML:X{tag}>".encode())
    data = data.replace(f"</edXML:{tag}>".encode(), f"</edXML:X{tag}>".encode())
    with pytest.raises(EdxmlMissingField) as caught:
        parse_edoc(data)
    assert caught.value.extra["field"] == field
    assert "thiếu" in caught.value.vi
    assert field in caught.value.en


def test_refuses_an_empty_sender_code() -> None:
    data = sample().replace(b"<edXML:OrganId>000.00.01.H06</edXML:OrganId>",
                            b"<edXML:OrganId> </edXML:OrganId>", 1)
    with pytest.raises(EdxmlMissingField) as caught:
        parse_edoc(data)
    assert caught.value.extra["field"] == "From/OrganId"


def test_refuses_a_message_without_recipients() -> None:
    data = sample().replace(b"<edXML:To>", b"<edXML:Cc>").replace(b"</edXML:To>", b"</edXML:Cc>")
    with pytest.raises(EdxmlMissingField):
        parse_edoc(data)
    with pytest.raises(EdxmlMissingField):
        build_edoc(message(recipients=()))


def test_refuses_bad_values() -> None:
    data = sample().replace(b"2025/03/14</edXML:PromulgationDate>", b"mai</edXML:PromulgationDate>")
    with pytest.raises(EdxmlBadValue):
        parse_edoc(data)
    data = sample().replace(b"<edXML:BussinessDocType>0", b"<edXML:BussinessDocType>7")
    with pytest.raises(EdxmlBadValue):
        parse_edoc(data)


def test_refuses_oversized_attachment_before_decoding() -> None:
    with pytest.raises(EdxmlAttachmentTooLarge) as caught:
        parse_edoc(sample(), max_attachment_bytes=100)
    assert caught.value.status == 413
    assert caught.value.extra["limit"] == 100
    assert parse_edoc(sample(), max_attachment_bytes=len(PDF)).attachments[0].data == PDF


def test_refuses_oversized_message() -> None:
    with pytest.raises(EdxmlTooLarge) as caught:
        parse_edoc(sample(), max_bytes=1000)
    assert not isinstance(caught.value, EdxmlAttachmentTooLarge)
    assert "1000" in caught.value.vi
    assert "1000" in caught.value.en


@pytest.mark.parametrize("bad", ["%%%%", "QUJD!", "QUJDRA", "QQ=QQ==", "é"])
def test_refuses_bad_base64(bad: str) -> None:
    data = sample().replace(B64.encode(), bad.encode())
    with pytest.raises(EdxmlBadBase64):
        parse_edoc(data)


def test_build_refuses_what_xml_cannot_carry() -> None:
    """Strict output: control characters, a priority outside −1..9 and empty ids are refused."""
    with pytest.raises(EdxmlBadValue):
        build_edoc(message(subject="Trích yếu\x00có ký tự lạ"))
    with pytest.raises(EdxmlBadValue):
        build_edoc(message(priority=10))
    with pytest.raises(EdxmlBadValue):
        build_edoc(message(message_id=" "))
    with pytest.raises(EdxmlBadValue):
        build_edoc(message(attachments=[Attachment("x", "a", "b", b""),
                                        Attachment("cid:x", "c", "d", b"")]))
    with pytest.raises(EdxmlBadValue):
        build_edoc(message(trace=[TraceHop("000.00.01.H06", datetime(2025, 1, 1))]))


def test_errors_are_validation_failures() -> None:
    """Every refusal is a ``ValidationFailed`` with a stable code and both languages."""
    with pytest.raises(ValidationFailed) as caught:
        parse_edoc(b"<oops")
    assert caught.value.code.startswith("edxml_")
    assert caught.value.message("en") != caught.value.message("vi")


def test_large_attachment_over_libxml2_text_limit() -> None:
    """An 8 MB file (over 10 MB of base64, one text node) is read when the limits allow it."""
    big = bytes(range(256)) * (8 * 1024 * 4)
    msg = message(attachments=[Attachment("big", "scan.pdf", "application/pdf", big)])
    assert parse_edoc(build_edoc(msg)).attachments[0].data == big
    with pytest.raises(EdxmlTooLarge):
        parse_edoc(build_edoc(msg), max_bytes=10_000_000)


def test_refuses_deep_nesting() -> None:
    """A nesting bomb is cut off by the parser's depth limit, not by running out of stack."""
    depth = 100_000
    data = f'<edXML xmlns="{NS}">'.encode() + b"<a>" * depth + b"</a>" * depth + b"</edXML>"
    with pytest.raises(EdxmlNotXml):
        parse_edoc(data)
