"""The dispatch plan of an outgoing document (R3.1, R3.2): for every recipient, the channel and
whether a paper copy must also go, with the reasons.

Channels: ``internal`` (electronic, inside this installation), ``federated`` (electronic, to
another installation), ``mail`` (the recipient's official mailbox), ``paper_only`` (no electronic
route at all). A paper copy also goes when (R3.2) the document is legal normative, the sender or
the recipient is not connected, a rule requires paper for the document type, or the recipient is
an individual.

Pure Python: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    """How the electronic copy travels (or that there is none)."""

    INTERNAL = "internal"
    FEDERATED = "federated"
    MAIL = "mail"
    PAPER_ONLY = "paper_only"


class PaperReason(StrEnum):
    """Why a paper copy must also go (R3.2 a–d)."""

    LEGAL_NORMATIVE = "legal_normative"
    NOT_CONNECTED = "not_connected"
    PAPER_REQUIRED_BY_RULE = "paper_required_by_rule"
    INDIVIDUAL = "individual"
    LISTED_FOR_PAPER = "listed_for_paper"  # the drafter put it under "Nơi nhận:" (R6.1)


CHANNEL_LABELS: dict[Channel, tuple[str, str]] = {
    Channel.INTERNAL: ("Điện tử trong hệ thống", "Electronic, inside this installation"),
    Channel.FEDERATED: ("Điện tử qua hệ thống khác", "Electronic, to another installation"),
    Channel.MAIL: ("Hộp thư công vụ", "Official mailbox"),
    Channel.PAPER_ONLY: ("Chỉ gửi bản giấy", "Paper only"),
}
REASON_LABELS: dict[PaperReason, tuple[str, str]] = {
    PaperReason.LEGAL_NORMATIVE: ("Văn bản quy phạm pháp luật", "Legal normative document"),
    PaperReason.NOT_CONNECTED: ("Chưa kết nối (bên gửi hoặc bên nhận)",
                                "Sender or recipient not connected"),
    PaperReason.PAPER_REQUIRED_BY_RULE: ("Quy định phải gửi bản giấy cho loại văn bản này",
                                         "A rule requires paper for this document type"),
    PaperReason.INDIVIDUAL: ("Người nhận là cá nhân", "Recipient is an individual"),
    PaperReason.LISTED_FOR_PAPER: ("Được ghi ở phần “Nơi nhận:” (bản giấy)",
                                   "Listed under “Nơi nhận:” (paper copies)"),
}


@dataclass(frozen=True)
class DocumentFacts:
    """What the plan needs to know about the document and its sender."""

    type_code: str
    legal_normative: bool
    sender_connected: bool = True


@dataclass(frozen=True)
class RecipientFacts:
    """What the plan needs to know about one recipient.

    ``local``: an agency served by this installation; ``remote``: an agency reached through
    another installation; neither: an individual or an address outside the exchange.
    """

    individual: bool = False
    local: bool = False
    remote: bool = False
    connected: bool = True
    mailbox: str = ""
    # R6.1: the drafter listed it under "Nơi nhận:", the paper recipients.
    paper_listed: bool = False


@dataclass(frozen=True)
class RecipientPlan:
    """The plan for one recipient."""

    channel: Channel
    paper: bool
    reasons: tuple[PaperReason, ...]


def channel_for(document: DocumentFacts, recipient: RecipientFacts) -> Channel:
    """The electronic route, best first: this installation, another installation, the mailbox."""
    connected = recipient.connected and document.sender_connected
    if not recipient.individual and connected:
        if recipient.local:
            return Channel.INTERNAL
        if recipient.remote:
            return Channel.FEDERATED
    if recipient.mailbox:
        return Channel.MAIL
    return Channel.PAPER_ONLY


def paper_reasons(document: DocumentFacts, recipient: RecipientFacts, *,
                  paper_types: frozenset[str]) -> tuple[PaperReason, ...]:
    """Every R3.2 reason that applies, in the order of the regulation."""
    reasons: list[PaperReason] = []
    if document.legal_normative:
        reasons.append(PaperReason.LEGAL_NORMATIVE)
    if not recipient.individual and not (recipient.connected and document.sender_connected):
        reasons.append(PaperReason.NOT_CONNECTED)
    if document.type_code in paper_types:
        reasons.append(PaperReason.PAPER_REQUIRED_BY_RULE)
    if recipient.individual:
        reasons.append(PaperReason.INDIVIDUAL)
    if recipient.paper_listed and not reasons:
        reasons.append(PaperReason.LISTED_FOR_PAPER)
    return tuple(reasons)


def plan_for(document: DocumentFacts, recipient: RecipientFacts, *,
             paper_types: frozenset[str] = frozenset()) -> RecipientPlan:
    """Channel and paper decision for one recipient. No electronic route means paper."""
    channel = channel_for(document, recipient)
    reasons = paper_reasons(document, recipient, paper_types=paper_types)
    return RecipientPlan(channel=channel, paper=bool(reasons) or channel is Channel.PAPER_ONLY,
                         reasons=reasons)
