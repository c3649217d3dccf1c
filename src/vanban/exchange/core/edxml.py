"""edXML codec (QCVN 102:2016 envelope): build and parse document messages.

Faithful on output: the VNPT SDK's layout and element order (vn-standards.md §1.2, §1.9),
every element ``edXML:``-prefixed inside the envelope, ``cid:`` content ids, UTF-8 with an XML
declaration, the same bytes for the same message, and never a message bigger than our own
reader accepts. Tolerant on input (``reading``): any prefix or default namespace, any element
order, ``cid:`` or bare ids, zipped or plain attachments, optional fields absent or odd; what
was tolerated is listed in ``EdocMessage.warnings``. What cannot be accepted is refused with an
``EdxmlError`` (a ``ValidationFailed``), never an lxml exception.

Pure Python + lxml: no Django import (import-linter "Pure cores import no framework").
"""

from __future__ import annotations

from vanban.exchange.core.attachments import (
    Attachment,
    build_encoded,
    build_manifest,
    encoded_size,
)
from vanban.exchange.core.document import (
    DEFAULT_MAX_ATTACHMENT_BYTES,
    DEFAULT_MAX_BYTES,
    MAX_PRIORITY,
    MIN_PRIORITY,
    EdocMessage,
    make_document_id,
)
from vanban.exchange.core.organisation import (
    Organisation,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    build_organisation,
    build_response_for,
    build_signer,
)
from vanban.exchange.core.reading import read_edoc
from vanban.exchange.core.status import StatusMessage, parse_status_tree
from vanban.exchange.core.trace import (
    Business,
    BusinessType,
    ReceiverChange,
    Replacement,
    TraceHop,
    build_trace,
)
from vanban.exchange.core.unzip import ZipLimits
from vanban.exchange.core.xmlsafe import (
    NS,
    PLAIN_TREE_TEXT_LIMIT,
    EdxmlAttachmentTooLarge,
    EdxmlBadBase64,
    EdxmlBadValue,
    EdxmlError,
    EdxmlForbiddenConstruct,
    EdxmlMissingField,
    EdxmlNotXml,
    EdxmlTooLarge,
    EdxmlUnknownRoot,
    EdxmlZipBomb,
    Element,
    bad_value,
    child,
    format_date,
    local,
    missing,
    new_root,
    open_message,
    parse_xml,
    serialise,
    sub,
)

__all__ = [
    "DEFAULT_MAX_ATTACHMENT_BYTES", "DEFAULT_MAX_BYTES", "MAX_PRIORITY", "MIN_PRIORITY", "NS",
    "Attachment", "Business", "BusinessType", "EdocMessage", "EdxmlAttachmentTooLarge",
    "EdxmlBadBase64", "EdxmlBadValue", "EdxmlError", "EdxmlForbiddenConstruct",
    "EdxmlMissingField", "EdxmlNotXml", "EdxmlTooLarge", "EdxmlUnknownRoot", "EdxmlZipBomb",
    "Organisation", "ReceiverChange", "Replacement", "ResponseFor", "SignerInfo", "StaffInfo",
    "TraceHop", "ZipLimits", "build_edoc", "make_document_id", "parse_edoc", "parse_message",
]

_SIGNATURE_SLOT = "SignatureSlot"


# ---------------------------------------------------------------- building


def build_edoc(msg: EdocMessage, *, max_bytes: int = DEFAULT_MAX_BYTES,
               max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES) -> bytes:
    """The edXML bytes of ``msg``; refuses values the standard cannot carry and a message
    (or attachment) over the sizes our own reader accepts (``EdxmlTooLarge``)."""
    _check_outgoing(msg, max_bytes, max_attachment_bytes)
    root = new_root()
    envelope = child(root, "edXMLEnvelope")
    header = sub(envelope, "edXMLHeader")
    _build_message_header(header, msg)
    build_trace(header, message_id=msg.message_id, document_id=msg.document_id,
                hops=msg.trace, business=msg.business)
    if msg.signature:
        _check_signature(msg.signature)
        sub(header, _SIGNATURE_SLOT)
    build_manifest(sub(envelope, "edXMLBody"), msg.attachments)
    build_encoded(root, msg.attachments, limit=max_attachment_bytes)
    data = serialise(root)
    if msg.signature:
        # Spliced as bytes: appended as an element, lxml would rebind it to the ``edXML:``
        # prefix, and the block would no longer be the one received.
        data = data.replace(f"<edXML:{_SIGNATURE_SLOT}/>".encode(), msg.signature, 1)
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    return data


def _check_outgoing(msg: EdocMessage, max_bytes: int, max_attachment_bytes: int) -> None:
    if not msg.recipients:
        raise missing("MessageHeader/To")
    if not msg.subject.strip():
        raise missing("MessageHeader/Subject")
    if not (msg.code_notation.strip() or msg.code_number.strip()):
        raise missing("MessageHeader/Code")
    if not MIN_PRIORITY <= msg.priority <= MAX_PRIORITY:
        raise bad_value("OtherInfo/Priority", str(msg.priority))
    for item in msg.attachments:
        if item.size > max_attachment_bytes:
            raise EdxmlAttachmentTooLarge(
                f"Tệp đính kèm “{item.name[:80]}” dài {item.size} byte, vượt giới hạn "
                f"{max_attachment_bytes} byte.",
                f"Attachment “{item.name[:80]}” is {item.size} bytes, over the limit of "
                f"{max_attachment_bytes} bytes.", size=item.size, limit=max_attachment_bytes)
    # Early, before any memory is spent: plain attachments alone already too big.
    estimate = encoded_size(tuple(a for a in msg.attachments if not a.zipped))
    if estimate > max_bytes:
        raise _too_large(estimate, max_bytes)


def _too_large(size: int, limit: int) -> EdxmlTooLarge:
    return EdxmlTooLarge(
        f"Thông điệp dựng ra dài khoảng {size} byte, vượt giới hạn {limit} byte mà bên nhận "
        "chấp nhận.",
        f"The message built is about {size} bytes, over the limit of {limit} bytes a "
        "receiver accepts.", size=size, limit=limit)


def _check_signature(data: bytes) -> None:
    """The carried ``Signature`` block must be one well-formed ``Signature`` element."""
    el = parse_xml(data, max_bytes=max(len(data), 1), huge_tree=False)
    if local(el) != "Signature" or data.lstrip()[:5] == b"<?xml":
        raise bad_value("Signature", local(el))


def _build_message_header(header: Element, msg: EdocMessage) -> None:
    """``MessageHeader`` children in the SDK's order (edoc_new.edxml, the 2019 axis message):
    From, To*, DocumentId, Code, PromulgationInfo, DocumentType, Subject, Content, SignerInfo,
    DueDate, OtherInfo, ResponseFor*, SteeringType, ToPlaces."""
    mh = sub(header, "MessageHeader")
    build_organisation(mh, "From", msg.sender)
    for organ in msg.recipients:
        build_organisation(mh, "To", organ)
    sub(mh, "DocumentId", msg.document_id, path="DocumentId")
    code = sub(mh, "Code")
    sub(code, "CodeNumber", msg.code_number, path="Code/CodeNumber")
    sub(code, "CodeNotation", msg.code_notation, path="Code/CodeNotation")
    info = sub(mh, "PromulgationInfo")
    sub(info, "Place", msg.promulgation_place, path="PromulgationInfo/Place")
    sub(info, "PromulgationDate", format_date(msg.promulgation_date))
    kind = sub(mh, "DocumentType")
    sub(kind, "Type", str(msg.type_code))
    sub(kind, "TypeDetail", str(msg.type_detail))
    sub(kind, "TypeName", msg.type_name, path="DocumentType/TypeName")
    sub(mh, "Subject", msg.subject)
    sub(mh, "Content", msg.content)
    if msg.signer is not None:
        build_signer(mh, msg.signer)
    if msg.due_date is not None:
        sub(mh, "DueDate", format_date(msg.due_date))
    _build_other_info(mh, msg)
    for reply in msg.response_for:
        build_response_for(mh, reply)
    if msg.steering_type is not None:
        sub(mh, "SteeringType", str(msg.steering_type))
    places = sub(mh, "ToPlaces")
    for place in msg.to_places:
        sub(places, "Place", place, path="ToPlaces/Place")


def _build_other_info(mh: Element, msg: EdocMessage) -> None:
    other = sub(mh, "OtherInfo")
    sub(other, "Priority", str(msg.priority))
    sub(other, "SphereOfPromulgation", msg.sphere, path="OtherInfo/SphereOfPromulgation")
    sub(other, "TyperNotation", msg.typer_notation, path="OtherInfo/TyperNotation")
    if msg.promulgation_amount is not None:
        sub(other, "PromulgationAmount", str(msg.promulgation_amount))
    if msg.page_amount is not None:
        sub(other, "PageAmount", str(msg.page_amount))
    if msg.direction is not None:
        sub(other, "Direction", "true" if msg.direction else "false")
    if msg.appendixes:
        appendixes = sub(other, "Appendixes")
        for appendix in msg.appendixes:
            sub(appendixes, "Appendix", appendix, path="OtherInfo/Appendixes/Appendix")


# ---------------------------------------------------------------- parsing


def parse_edoc(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
               max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
               zip_limits: ZipLimits | None = None) -> EdocMessage:
    """Read an edXML document message, or raise an ``EdxmlError`` saying why not."""
    root, envelope, header, mh = _open(data, max_bytes)
    return read_edoc(root, envelope, header, mh, max_attachment_bytes=max_attachment_bytes,
                     zip_limits=zip_limits)


def parse_message(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
                  zip_limits: ZipLimits | None = None) -> EdocMessage | StatusMessage:
    """Read either kind of message (a ``StatusCode`` in the header makes it a status)."""
    root, envelope, header, mh = _open(data, max_bytes)
    if child(mh, "StatusCode") is not None:
        return parse_status_tree(header, mh)
    return read_edoc(root, envelope, header, mh, max_attachment_bytes=max_attachment_bytes,
                     zip_limits=zip_limits)


def _open(data: bytes, max_bytes: int) -> tuple[Element, Element, Element, Element]:
    # ``huge_tree`` only lifts libxml2's 10 MB cap per text node, which a big base64
    # attachment needs; it is set only when ``max_bytes`` allows such a node at all. DTDs
    # stay refused and the total size stays bounded by ``max_bytes``.
    huge = max_bytes > PLAIN_TREE_TEXT_LIMIT
    return open_message(data, max_bytes=max_bytes, huge_tree=huge)
