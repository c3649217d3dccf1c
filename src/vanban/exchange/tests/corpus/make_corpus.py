"""Builds the edXML corpus in this folder: one file per shape real e-office systems send
(vn-standards.md §1.9), written by hand in the SDK's layout with made-up content.

Run ``python -m vanban.exchange.tests.corpus.make_corpus`` (with ``src`` on the path) to
write the files again; the tests read the committed files, so a codec change cannot quietly
rewrite its own evidence. Nothing here uses the codec's writer.
"""

from __future__ import annotations

import base64
import io
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Công văn gốc".encode("utf-16-le")
SIGNATURE = """<Signature>
        <SignedInfo>
          <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315" />
          <SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1" />
          <Reference URI="">
            <Transforms>
              <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" />
            </Transforms>
            <DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1" />
            <DigestValue>c2FtcGxlIGRpZ2VzdA==</DigestValue>
          </Reference>
        </SignedInfo>
        <SignatureValue>c2FtcGxlIHNpZ25hdHVyZSB2YWx1ZQ==</SignatureValue>
        <KeyInfo><X509Data><X509SubjectName>CN=van thu</X509SubjectName>
          <X509Certificate>MIIBtest</X509Certificate></X509Data></KeyInfo>
      </Signature>"""


def zipped(data: bytes, entry: str) -> bytes:
    """A one-entry zip as the SDK makes it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(entry, date_time=(2025, 10, 23, 16, 28, 42))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)
    return out.getvalue()


def organ(tag: str, organ_id: str | None, name: str) -> str:
    ident = "" if organ_id is None else f"<edXML:OrganId>{organ_id}</edXML:OrganId>"
    return (f"<edXML:{tag}>{ident}<edXML:OrganizationInCharge>{name}"
            f"</edXML:OrganizationInCharge><edXML:OrganName>{name}</edXML:OrganName>"
            "<edXML:OrganAdd/><edXML:Email/><edXML:Telephone/><edXML:Fax/><edXML:Website/>"
            f"</edXML:{tag}>")


def attachment(cid: str, name: str, manifest_type: str, own_type: str,
               payload: bytes) -> tuple[str, str]:
    ref = (f"<edXML:Reference><edXML:ContentId>cid:{cid}</edXML:ContentId>"
           f"<edXML:ContentType>{manifest_type}</edXML:ContentType>"
           f"<edXML:Description>{name}</edXML:Description>"
           f"<edXML:AttachmentName>{name}</edXML:AttachmentName></edXML:Reference>")
    body = base64.b64encode(payload).decode()
    wrapped = "\n".join(body[i:i + 76] for i in range(0, len(body), 76))
    enc = (f"<Attachment><ContentId>cid:{cid}</ContentId><AttachmentName>{name}"
           f"</AttachmentName><Description>{name}</Description><ContentType>{own_type}"
           "</ContentType><edXML:ContentTransferEncoded xmlns:edXML=\"" + NS + "\">"
           f"{wrapped}</edXML:ContentTransferEncoded></Attachment>")
    return ref, enc


def edoc(*, header: str, trace: str, files: list[tuple[str, str]], signature: str = "") -> str:
    refs = "".join(ref for ref, _ in files)
    encs = "".join(enc for _, enc in files)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>{header}</edXML:MessageHeader>
      <edXML:TraceHeaderList>{trace}</edXML:TraceHeaderList>
      {signature}
    </edXML:edXMLHeader>
    <edXML:edXMLBody><edXML:edXMLManifest version="1.0">{refs}</edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>{encs}</AttachmentEncoded>
</edXML>
"""


def body(*, code_number: str, notation: str, date: str, subject: str, type_code: str = "1",
         priority: str = "0", steering: str = "1", direction: str = "false",
         response_for: str = "", to: str = "") -> str:
    """MessageHeader children in the SDK's order (edoc_new.edxml, the 2019 axis message)."""
    return (organ("From", "000.00.00.G22", "Văn phòng Chính phủ")
            + (to or organ("To", "000.00.01.H06", "Sở Thông tin và Truyền thông"))
            + f"<edXML:DocumentId>000.00.00.G22,{date},{code_number}/{notation}"
            "</edXML:DocumentId>"
            f"<edXML:Code><edXML:CodeNumber>{code_number}</edXML:CodeNumber>"
            f"<edXML:CodeNotation>{notation}</edXML:CodeNotation></edXML:Code>"
            "<edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place>"
            f"<edXML:PromulgationDate>{date}</edXML:PromulgationDate></edXML:PromulgationInfo>"
            f"<edXML:DocumentType><edXML:Type>{type_code}</edXML:Type><edXML:TypeDetail>0"
            "</edXML:TypeDetail><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>"
            f"<edXML:Subject>{subject}</edXML:Subject><edXML:Content>{subject}</edXML:Content>"
            "<edXML:SignerInfo><edXML:Competence>TL. BỘ TRƯỞNG</edXML:Competence>"
            "<edXML:Position>Vụ trưởng</edXML:Position><edXML:FullName>Nguyễn Văn A"
            "</edXML:FullName></edXML:SignerInfo>"
            f"<edXML:OtherInfo><edXML:Priority>{priority}</edXML:Priority>"
            "<edXML:SphereOfPromulgation>Liên thông văn bản quốc gia"
            "</edXML:SphereOfPromulgation><edXML:TyperNotation>TVC</edXML:TyperNotation>"
            "<edXML:PromulgationAmount>1</edXML:PromulgationAmount>"
            "<edXML:PageAmount>2</edXML:PageAmount>"
            f"<edXML:Direction>{direction}</edXML:Direction></edXML:OtherInfo>"
            f"{response_for}<edXML:SteeringType>{steering}</edXML:SteeringType>"
            "<edXML:ToPlaces><edXML:Place>Như trên</edXML:Place></edXML:ToPlaces>")


def hop(organ_id: str | None, when: str) -> str:
    ident = "" if organ_id is None else f"<edXML:OrganId>{organ_id}</edXML:OrganId>"
    return (f"<edXML:TraceHeader>{ident}<edXML:Timestamp>{when}</edXML:Timestamp>"
            "</edXML:TraceHeader>")


BUSINESS = ("<edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType>"
            "<edXML:BussinessDocReason>Văn bản điện tử mới</edXML:BussinessDocReason>"
            "<edXML:Paper>0</edXML:Paper><edXML:StaffInfo><edXML:Department>Văn thư"
            "</edXML:Department><edXML:Staff>Trần Thị B</edXML:Staff><edXML:Email>vt@gov.vn"
            "</edXML:Email><edXML:Mobile>0912000001</edXML:Mobile></edXML:StaffInfo>"
            "</edXML:Bussiness>")


def corpus() -> dict[str, str]:
    """File name → message text."""
    nfd = unicodedata.normalize("NFD", "Về việc triển khai kết nối liên thông văn bản")
    return {
        # 2019 shape: empty ResponseFor, Signature, manifest says PDF, attachment says zip.
        "axis_2019_empty_response_for.edxml": edoc(
            header=body(code_number="1223", notation="VPCP-KSTT", date="2019/01/17",
                        subject="Văn bản liên thông chỉ đạo",
                        response_for="<edXML:ResponseFor />"),
            trace=hop("000.00.00.G22", "2019/05/17 18:16:33") + hop("001.00.20.TT2",
                                                                    "2019/05/17 18:16:35"),
            signature=SIGNATURE,
            files=[attachment("36b8a92e-f054-11e7-842b-005056b672fc", "CONGVAN.SIGNED.PDF",
                              "application/pdf", "application/zip",
                              zipped(PDF, "5c7082fe-4ac3-4b46-961e-e2439bfae484.PDF"))]),
        # 2025 gateway shape: hops "null" and without OrganId, milliseconds, no Bussiness,
        # a 24-character CodeNumber and DocumentType/Type 71.
        "axis_2025_gateway.edxml": edoc(
            header=body(code_number="GW-20251014073327634-773", notation="GW-AUTO",
                        date="2025/10/14", subject="Kiểm tra trục liên thông", type_code="71"),
            trace=hop("null", "2025/10/14 07:33:27.634") + hop(None, "2025/10/14 07:33:28.101"),
            files=[attachment("56fb5bcb-8229-4691-8b4f-51305171b954", "TestTrucLienThong.pdf",
                              "application/pdf", "application/pdf",
                              zipped(PDF, "7091b48b-9e89-4b11-bdb8-4265d0200f0e.pdf"))]),
        # A ministry letter: signed PDF + .doc, both zipped; a Receiver without OrganId;
        # NFD subject; Priority 5; SteeringType 0; Direction true.
        "ministry_pdf_and_doc.edxml": edoc(
            header=body(code_number="4521", notation="BTTTT-CĐSQG", date="2025/10/20",
                        subject=nfd, priority="5", steering="0", direction="true",
                        to=organ("To", "000.00.01.H06", "Sở Thông tin và Truyền thông")
                        + organ("To", None, "Đơn vị không có mã")),
            trace=hop("000.00.00.G12", "2025-10-20T09:15:00.250+07:00") + BUSINESS,
            files=[attachment("209", "4521-BTTTT.signed.pdf", "application/zip",
                              "application/pdf", zipped(PDF, "a1.pdf")),
                   attachment("210", "4521-BTTTT.doc", "application/zip", "application/zip",
                              zipped(DOC, "a2.doc"))]),
        # Bkav-like: dates dd/MM/yyyy, Priority -1, Type 3, a plain (unzipped) attachment.
        "bkav_priority_minus_one.edxml": edoc(
            header=body(code_number="77", notation="UBND-VX", date="20/10/2025",
                        subject="Giấy mời họp", type_code="3", priority="-1"),
            trace=hop("000.00.00.H14", "20/10/2025 08:00:00") + BUSINESS,
            files=[attachment("1", "giaymoi.pdf", "application/pdf", "application/pdf", PDF)]),
        # A wrapper named .zip around the real file, and a multi-entry zip kept as it is.
        "zip_wrapper_and_bundle.edxml": edoc(
            header=body(code_number="12", notation="SYT-KHTC", date="2025/10/21",
                        subject="Kế hoạch kèm phụ lục"),
            trace=hop("000.00.00.H14", "2025/10/21 10:00:00") + BUSINESS,
            files=[attachment("1", "kehoach.zip", "application/zip", "application/zip",
                              zipped(PDF, "kehoach.pdf")),
                   attachment("2", "phuluc.zip", "application/zip", "application/zip",
                              _bundle())]),
        # A zip bomb: one entry of 8 MB of zeros in about 8 KB (a ratio near 1000:1).
        "zip_bomb.edxml": edoc(
            header=body(code_number="1", notation="X", date="2025/10/21", subject="Bom nén"),
            trace=hop("000.00.00.H14", "2025/10/21 10:00:00"),
            files=[attachment("1", "bomb.pdf", "application/zip", "application/zip",
                              zipped(bytes(8 * 1024 * 1024), "bomb.pdf"))]),
        # Cannot be identified: no sender OrganId.
        "refused_no_sender.edxml": edoc(
            header=body(code_number="1", notation="X", date="2025/10/21",
                        subject="Không rõ nơi gửi").replace(
                "<edXML:OrganId>000.00.00.G22</edXML:OrganId>", "", 1),
            trace="", files=[]),
        # An SDK status: From, ResponseFor, StaffInfo, StatusCode, Description, Timestamp.
        "sdk_status_03.edxml": _status(),
    }


def _bundle() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("phuluc1.pdf", PDF), ("phuluc2.doc", DOC)):
            info = zipfile.ZipInfo(name, date_time=(2025, 10, 21, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def _status() -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        {organ("From", "000.00.01.H06", "Sở Thông tin và Truyền thông")}
        <edXML:ResponseFor><edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:Code>4521/BTTTT-CĐSQG</edXML:Code>
          <edXML:PromulgationDate>2025/10/20</edXML:PromulgationDate>
          <edXML:DocumentId>000.00.00.G22,2025/10/20,4521/BTTTT-CĐSQG</edXML:DocumentId>
        </edXML:ResponseFor>
        <edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department>
          <edXML:Staff>Lê Văn C</edXML:Staff><edXML:Email>vt@stttt.gov.vn</edXML:Email>
          <edXML:Mobile>0912000002</edXML:Mobile></edXML:StaffInfo>
        <edXML:StatusCode>03</edXML:StatusCode>
        <edXML:Description>Đã tiếp nhận</edXML:Description>
        <edXML:Timestamp>2025/10/20 10:01:02.345</edXML:Timestamp>
      </edXML:MessageHeader>
    </edXML:edXMLHeader>
  </edXML:edXMLEnvelope>
</edXML>
"""


def main() -> None:
    """Write every corpus file next to this module."""
    for name, text in corpus().items():
        (HERE / name).write_bytes(text.encode("utf-8"))


if __name__ == "__main__":
    main()
