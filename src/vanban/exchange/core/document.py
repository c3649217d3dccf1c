"""The edXML document message as vanban holds it, and the value rules shared by the reader and
the writer (one rule set: whatever the reader accepts, the writer writes back).

Pure Python: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from vanban.exchange.core.attachments import Attachment
from vanban.exchange.core.organisation import Organisation, ResponseFor, SignerInfo
from vanban.exchange.core.trace import Business, BusinessType, TraceHop
from vanban.exchange.core.xmlsafe import format_date

__all__ = [
    "DEFAULT_MAX_ATTACHMENT_BYTES", "DEFAULT_MAX_BYTES", "MAX_PRIORITY", "MIN_PRIORITY",
    "EdocMessage", "make_document_id",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_ATTACHMENT_BYTES = 32 * 1024 * 1024
# OtherInfo/Priority: 0–4 are the urgency codes (§1.3 #1.11); real traffic also carries −1 and
# 5, so the accepted range is −1..9 on input and output alike. Outside it a read maps to 0.
MIN_PRIORITY = -1
MAX_PRIORITY = 9


def make_document_id(organ_id: str, promulgation_date: date, number: str, notation: str) -> str:
    """The global document key ``<OrganId>,<yyyy/MM/dd>,<number>/<notation>`` (§1.3 #1.14)."""
    code = f"{number}/{notation}" if number else notation
    return f"{organ_id},{format_date(promulgation_date)},{code}"


@dataclass(frozen=True)
class EdocMessage:
    """One edXML document message. Sequences are stored as tuples (lists are accepted).

    ``document_id`` left empty is derived from sender, date and code. ``priority`` is the
    urgency (0–4 standard, −1..9 accepted); ``steering_type`` the raw integer, ``None`` when
    absent (0 is a value); ``direction`` is ``OtherInfo/Direction`` (``None``: absent);
    ``signature`` the ``Signature`` block as received (exclusive C14N bytes, ``b""``: none),
    carried on unverified; ``warnings`` what a tolerant read let through (not compared).
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
    steering_type: int | None = 1
    response_for: tuple[ResponseFor, ...] = ()
    document_id: str = ""
    business: Business = field(default_factory=Business)
    trace: tuple[TraceHop, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    direction: bool | None = None
    signature: bytes = b""
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name in ("recipients", "to_places", "appendixes", "response_for", "trace",
                     "attachments", "warnings"):
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
