"""The gateway's row of each message it read (R4.1): what became of it, written once with its
audit event; a message not filed (refused, a DSN) is kept with its raw blob for the clerk to
see in the quarantine list."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.mailgate.core.judge import Dkim, Reason
from vanban.mailgate.core.message import ParsedMail
from vanban.mailgate.models import MailMessage, MailState
from vanban.storage.models import Blob
from vanban.storage.services import blob_put


@dataclass(frozen=True)
class Outcome:
    """What became of one message: filed, refused (quarantined, with reasons), a DSN, or a
    repeat of one handled before (``duplicate``: nothing changed)."""

    message: MailMessage
    duplicate: bool = False
    reasons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def filed(self) -> bool:
        """Whether the document entered the inbox."""
        return self.message.state == MailState.FILED

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``vanban mail import --json``."""
        message = self.message
        return {"state": message.state, "filed": self.filed, "duplicate": self.duplicate,
                "message_id": message.message_id, "mailbox": message.mailbox,
                "from": message.from_address, "subject": message.subject,
                "dkim": message.dkim, "raw_sha256": message.raw_sha256,
                "attachments": message.attachments,
                "transmission": str(message.transmission.message_id)
                if message.transmission else None,
                "verification": message.verification_id,
                "reasons": message.reasons or self.reasons}


def handled_before(mailbox: str, message_id: str, mail: ParsedMail) -> Outcome | None:
    """The row another pass (or an earlier copy in this batch) wrote for this message, as a
    duplicate: the one lookup of "already handled" after the fact."""
    row = MailMessage.objects.filter(mailbox=mailbox.lower(), message_id=message_id,
                                     body_sha256=mail.body_sha256).first()
    return Outcome(message=row, duplicate=True) if row is not None else None


def attachment_rows(mail: ParsedMail) -> list[dict[str, Any]]:
    return [{"name": p.name, "type": p.content_type, "size": len(p.data), "sha256": p.sha256}
            for p in mail.attachments]


def message_keep(raw: bytes, mail: ParsedMail, message_id: str, recipient: Agency, *,
          state: str = MailState.QUARANTINED, reasons: Sequence[Reason] = (),
          dkim: Dkim | None = None, sender: Agency | None = None) -> Outcome:
    """The row (and raw blob) of a message not filed, with its audit event, once; a
    concurrent writer's row wins."""
    blob = Blob.objects.filter(sha256=hashlib.sha256(raw).hexdigest()).first() \
        or blob_put(data=raw, content_type="message/rfc822")
    try:
        with transaction.atomic():
            return message_row(mail, message_id, recipient, raw_sha256=blob.sha256, state=state,
                        reasons=reasons, dkim=dkim, sender=sender)
    except IntegrityError:  # the same message, handled by a concurrent pass
        found = handled_before(recipient.mailbox, message_id, mail)
        if found is None:
            raise
        return found


def message_row(mail: ParsedMail, message_id: str, recipient: Agency, *, raw_sha256: str,
         state: str = MailState.QUARANTINED, reasons: Sequence[Reason] = (),
         dkim: Dkim | None = None, sender: Agency | None = None,
         verification_id: int | None = None, transmission_id: int | None = None) -> Outcome:
    """The message's row with its audit event, in the caller's transaction (the raw blob
    stored)."""
    found = [r.as_dict() for r in reasons]
    row = MailMessage.objects.create(
        mailbox=recipient.mailbox.lower(), agency=recipient, message_id=message_id,
        body_sha256=mail.body_sha256, raw_id=raw_sha256, state=state,
        from_address=mail.from_address[:254], sender=sender,
        subject=mail.subject[:500], dkim=(dkim.evidence if dkim else "")[:300],
        attachments=attachment_rows(mail), reasons=found, received_at=clock.now(),
        verification_id=verification_id, transmission_id=transmission_id)
    audit_append(actor=None, action=f"mailgate.{state}", object_type="mailgate.message",
                 object_id=row.uid, agency_code=recipient.code,
                 data={"mailbox": row.mailbox, "message_id": message_id[:300],
                       "from": row.from_address, "raw_sha256": raw_sha256,
                       "reasons": [r.code for r in reasons]})
    return Outcome(message=row, reasons=found)
