"""edXML codec (QCVN 102:2016 envelope): build and parse document messages.

Strict on output: one fixed layout (the VNPT SDK sample's, vn-standards.md §1.2), every element
``edXML:``-prefixed inside the envelope, ``cid:`` content ids, UTF-8 with an XML declaration,
and the same bytes for the same message. Lenient on input: any prefix or default namespace,
any element order, ``cid:`` or bare ids, optional fields absent. Everything a sender can get
wrong is refused with an ``EdxmlError`` (a ``ValidationFailed``), never an lxml exception.

Pure Python + lxml: no Django import (import-linter "Pure cores import no framework").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from vanban.exchange.core.attachments import (
    Attachment,
    build_encoded,
    build_manifest,
    read_attachments,
)
from vanban.exchange.core.organisation import (
    Organisation,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    build_organisation,
    build_response_for,
    build_signer,
    read_organisation,
    read_response_for,
    read_signer,
)
from vanban.exchange.core.status import StatusMessage, parse_status_tree
from vanban.exchange.core.trace import (
    Business,
    BusinessType,
    ReceiverChange,
    Replacement,
    TraceHop,
    build_trace,
    read_business,
    read_hops,
    read_message_id,
)
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
    Element,
    bad_value,
    child,
    children,
    code_text,
    format_date,
    int_value,
    missing,
    new_root,
    open_message,
    optional_int,
    parse_date,
    serialise,
    sub,
    text,
)

__all__ = [
    "DEFAULT_MAX_ATTACHMENT_BYTES", "DEFAULT_MAX_BYTES", "NS", "Attachment", "Business",
    "BusinessType", "EdocMessage", "EdxmlAttachmentTooLarge", "EdxmlBadBase64", "EdxmlBadValue",
    "EdxmlError", "EdxmlForbiddenConstruct", "EdxmlMissingField", "EdxmlNotXml", "EdxmlTooLarge",
    "EdxmlUnknownRoot", "Organisation", "ReceiverChange", "Replacement", "ResponseFor",
    "SignerInfo", "StaffInfo", "TraceHop", "build_edoc", "make_document_id", "parse_edoc",
    "parse_message",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_ATTACHMENT_BYTES = 32 * 1024 * 1024
MAX_PRIORITY = 4


def make_document_id(organ_id: str, promulgation_date: date, number: str, notation: str) -> str:
    """The global document key ``<OrganId>,<yyyy/MM/dd>,<number>/<notation>`` (§1.3 #1.14)."""
    code = f"{number}/{notation}" if number else notation
    return f"{organ_id},{format_date(promulgation_date)},{code}"


@dataclass(frozen=True)
class EdocMessage:
    """One edXML document message. Sequences are stored as tuples (lists are accepted).

    ``document_id`` left empty is derived from sender, date and code. ``priority`` is the
    urgency 0–4 (§1.3 #1.11); ``steering_type`` the raw integer (send 1, §1.3 #1.13).
    """

    message_id: str
    sender: Organisation
    recipients: tuple[Organisation, ...]
    code_number: str
    code_notation: str
    promulgation_date: date
    subject: str
    promulgation_place: str = ""
    type_name: str = ""
    type_code: int = 1
    type_detail: int = 0
    content: str = ""
    signer: SignerInfo | None = None
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    priority: int = 0
    sphere: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    appendixes: tuple[str, ...] = ()
    steering_type: int = 1
    response_for: tuple[ResponseFor, ...] = ()
    document_id: str = ""
    business: Business = field(default_factory=Business)
    trace: tuple[TraceHop, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def __post_init__(self) -> None:
        for name in ("recipients", "to_places", "appendixes", "response_for", "trace",
                     "attachments"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.document_id:
            object.__setattr__(self, "document_id", make_document_id(
                self.sender.organ_id, self.promulgation_date, self.code_number,
                self.code_notation))
        if self.business.document_id == self.document_id:
            object.__setattr__(self, "business", replace(self.business, document_id=""))

    @property
    def business_type(self) -> BusinessType:
        """Shortcut for ``business.type``."""
        return self.business.type

    @property
    def code(self) -> str:
        """Number and notation as displayed, e.g. ``7816/VPCP-TTĐT``."""
        return f"{self.code_number}/{self.code_notation}" if self.code_number else (
            self.code_notation)


# ---------------------------------------------------------------- building


def build_edoc(msg: EdocMessage) -> bytes:
    """The edXML bytes of ``msg``; refuses values the standard cannot carry."""
    _check_outgoing(msg)
    root = new_root()
    envelope = child(root, "edXMLEnvelope")
    header = sub(envelope, "edXMLHeader")
    _build_message_header(header, msg)
    build_trace(header, message_id=msg.message_id, document_id=msg.document_id,
                hops=msg.trace, business=msg.business)
    build_manifest(sub(envelope, "edXMLBody"), msg.attachments)
    build_encoded(root, msg.attachments)
    return serialise(root)


def _check_outgoing(msg: EdocMessage) -> None:
    if not msg.recipients:
        raise missing("MessageHeader/To")
    if not msg.subject.strip():
        raise missing("MessageHeader/Subject")
    if not msg.code_notation.strip():
        raise missing("MessageHeader/Code/CodeNotation")
    if not 0 <= msg.priority <= MAX_PRIORITY:
        raise bad_value("OtherInfo/Priority", str(msg.priority))


def _build_message_header(header: Element, msg: EdocMessage) -> None:
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
    sub(mh, "SteeringType", str(msg.steering_type))
    places = sub(mh, "ToPlaces")
    for place in msg.to_places:
        sub(places, "Place", place, path="ToPlaces/Place")
    for reply in msg.response_for:
        build_response_for(mh, reply)


def _build_other_info(mh: Element, msg: EdocMessage) -> None:
    other = sub(mh, "OtherInfo")
    sub(other, "Priority", str(msg.priority))
    sub(other, "SphereOfPromulgation", msg.sphere, path="OtherInfo/SphereOfPromulgation")
    sub(other, "TyperNotation", msg.typer_notation, path="OtherInfo/TyperNotation")
    if msg.promulgation_amount is not None:
        sub(other, "PromulgationAmount", str(msg.promulgation_amount))
    if msg.page_amount is not None:
        sub(other, "PageAmount", str(msg.page_amount))
    if msg.appendixes:
        appendixes = sub(other, "Appendixes")
        for appendix in msg.appendixes:
            sub(appendixes, "Appendix", appendix, path="OtherInfo/Appendixes/Appendix")


# ---------------------------------------------------------------- parsing


def parse_edoc(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
               max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES) -> EdocMessage:
    """Read an edXML document message, or raise an ``EdxmlError`` saying why not."""
    root, envelope, header, mh = _open(data, max_bytes)
    return _read_edoc(root, envelope, header, mh, max_attachment_bytes)


def parse_message(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
                  ) -> EdocMessage | StatusMessage:
    """Read either kind of message (a ``StatusCode`` in the header makes it a status)."""
    root, envelope, header, mh = _open(data, max_bytes)
    if child(mh, "StatusCode") is not None:
        return parse_status_tree(header, mh)
    return _read_edoc(root, envelope, header, mh, max_attachment_bytes)


def _open(data: bytes, max_bytes: int) -> tuple[
    Element, Element, Element, Element
]:
    # ``huge_tree`` only lifts libxml2's 10 MB cap per text node, which a big base64
    # attachment needs; it is set only when ``max_bytes`` allows such a node at all. DTDs
    # stay refused and the total size stays bounded by ``max_bytes``.
    huge = max_bytes > PLAIN_TREE_TEXT_LIMIT
    return open_message(data, max_bytes=max_bytes, huge_tree=huge)


def _read_edoc(root: Element, envelope: Element, header: Element, mh: Element,
               max_attachment_bytes: int) -> EdocMessage:
    sender_el = child(mh, "From")
    if sender_el is None:
        raise missing("MessageHeader/From")
    recipients = tuple(read_organisation(el, "To") for el in children(mh, "To"))
    if not recipients:
        raise missing("MessageHeader/To")
    code = child(mh, "Code")
    notation = code_text(code, "CodeNotation")
    if code is None or not (notation or code_text(code, "CodeNumber")):
        raise missing("MessageHeader/Code")
    info = child(mh, "PromulgationInfo")
    promulgated = _required_date(info, "PromulgationDate", "PromulgationInfo/PromulgationDate")
    subject = text(mh, "Subject")
    if not subject.strip():
        raise missing("MessageHeader/Subject")
    document_id = code_text(mh, "DocumentId")
    kind = child(mh, "DocumentType")
    other = child(mh, "OtherInfo")
    return EdocMessage(
        message_id=read_message_id(header),
        sender=read_organisation(sender_el, "From"),
        recipients=recipients,
        code_number=code_text(code, "CodeNumber"),
        code_notation=notation,
        promulgation_date=promulgated,
        subject=subject,
        promulgation_place=text(info, "Place"),
        type_name=text(kind, "TypeName"),
        type_code=int_value(kind, "Type", "DocumentType/Type", 1),
        type_detail=int_value(kind, "TypeDetail", "DocumentType/TypeDetail", 0),
        content=text(mh, "Content"),
        signer=read_signer(child(mh, "SignerInfo")),
        due_date=parse_date(code_text(mh, "DueDate")),
        to_places=tuple("".join(el.itertext()) for el in children(child(mh, "ToPlaces"), "Place")),
        priority=int_value(other, "Priority", "OtherInfo/Priority", 0),
        sphere=text(other, "SphereOfPromulgation"),
        typer_notation=text(other, "TyperNotation"),
        promulgation_amount=optional_int(other, "PromulgationAmount", "PromulgationAmount"),
        page_amount=optional_int(other, "PageAmount", "OtherInfo/PageAmount"),
        appendixes=tuple("".join(el.itertext()) for el in children(
            child(other, "Appendixes"), "Appendix")),
        steering_type=int_value(mh, "SteeringType", "SteeringType", 1),
        response_for=tuple(read_response_for(el, "ResponseFor")
                           for el in children(mh, "ResponseFor")),
        document_id=document_id,
        business=read_business(header, document_id),
        trace=read_hops(header),
        attachments=read_attachments(root, envelope, limit=max_attachment_bytes),
    )


def _required_date(el: Element | None, name: str, path: str) -> date:
    raw = code_text(el, name)
    if not raw:
        raise missing(path)
    value = parse_date(raw)
    if value is None:
        raise bad_value(path, raw)
    return value

