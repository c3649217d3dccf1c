"""Recently used recipients (issue 13, pickers): the agencies a person chose for their latest
outgoing documents, offered first by the recipients picker."""

from __future__ import annotations

from vanban.registry.models import DocumentRecipient

RECENT = 8  # how many agencies the picker offers as recently used
_SCAN = 200  # recipient lines looked at (newest documents first)


def recent_recipient_codes(*, user_id: int, sender_id: int, limit: int = RECENT) -> list[str]:
    """Codes of the active agencies ``user_id`` most recently put on documents of
    ``sender_id``, newest first, each once; the sender itself never."""
    rows = (DocumentRecipient.objects
            .filter(document__created_by_id=user_id, document__agency_id=sender_id,
                    agency__isnull=False, agency__active=True)
            .exclude(agency_id=sender_id)
            .order_by("-document_id", "position")
            .values_list("agency__code", flat=True)[:_SCAN])
    codes: list[str] = []
    for code in rows:
        if code not in codes:
            codes.append(code)
            if len(codes) == limit:
                break
    return codes
