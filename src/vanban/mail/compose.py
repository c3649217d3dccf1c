"""The message that carries a document by mail (R9.1): from the sending agency's clerk mailbox
to the recipient agency's, the register data in a Vietnamese body and in ``X-Vanban-*``
headers, every file of the transmission attached (the signed PDF first).

The bytes depend only on the transmission, the delivery and the outbox message: a retry builds
the same message with the same Message-ID, Date and MIME boundary, so the receiver, which
files a message once by Message-ID and body hash, files it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from vanban.core import clock
from vanban.exchange.models import Delivery, OutboxMessage
from vanban.exchange.selectors import transmission_attachments
from vanban.storage.selectors import blob_read

PRIORITY_VI = {0: "Thường", 1: "Khẩn", 2: "Thượng khẩn", 3: "Hỏa tốc"}


@dataclass(frozen=True)
class Composed:
    """A message ready to sign and send."""

    message_id: str
    sender: str
    recipient: str
    data: bytes


def domain_of(address: str) -> str:
    """The domain part of an address, lower case."""
    return address.rpartition("@")[2].strip().lower()


def number_label(code_number: str, code_notation: str) -> str:
    """``12/UBND-VP`` (or whichever half exists)."""
    return "/".join(part for part in (code_number, code_notation) if part)


def subject_line(delivery: Delivery) -> str:
    """``Văn bản số 12/UBND-VP: <trích yếu>``."""
    transmission = delivery.transmission
    number = number_label(transmission.code_number, transmission.code_notation)
    head = f"Văn bản số {number}" if number else "Văn bản"
    return f"{head}: {transmission.subject}"[:900]


def body_text(delivery: Delivery) -> str:
    """The register data in Vietnamese, then one English line."""
    t = delivery.transmission
    issued = t.issued_date.strftime("%d/%m/%Y") if t.issued_date else ""
    lines = [
        f"Kính gửi: {delivery.recipient.name}", "",
        f"{t.sender.name} gửi văn bản điện tử qua hệ thống thư điện tử công vụ:", "",
        f"Số: {t.code_number}", f"Ký hiệu: {t.code_notation}", f"Ngày ban hành: {issued}",
        f"Loại văn bản: {t.type_name}", f"Trích yếu: {t.subject}",
        f"Độ khẩn: {PRIORITY_VI.get(t.priority, str(t.priority))}",
        f"Nơi gửi: {t.sender.name} ({t.sender.code})",
        f"Mã văn bản: {t.edxml_document_id}", "",
        "Văn bản điện tử có chữ ký số đính kèm thư này (tệp PDF).", "",
        f"English: {t.sender.name} sends document {number_label(t.code_number, t.code_notation)}"
        f" ({t.subject}) by the official mail system; the digitally signed PDF is attached.",
        "", "-- ", "vanban"]
    return "\n".join(lines) + "\n"


def vanban_headers(delivery: Delivery) -> dict[str, str]:
    """The register data as ``X-Vanban-*`` headers (what the receiving gateway files)."""
    t = delivery.transmission
    document = t.document
    due = document.due_date if document is not None else None
    return {
        "X-Vanban-Document-Id": t.edxml_document_id, "X-Vanban-Code-Number": t.code_number,
        "X-Vanban-Code-Notation": t.code_notation,
        "X-Vanban-Issued-Date": t.issued_date.isoformat() if t.issued_date else "",
        "X-Vanban-Type-Name": t.type_name, "X-Vanban-Subject": t.subject,
        "X-Vanban-Priority": str(t.priority), "X-Vanban-Due-Date": due.isoformat() if due else "",
        "X-Vanban-Business-Type": t.business_type, "X-Vanban-Sender-Code": t.sender.code,
        "X-Vanban-Recipient-Code": delivery.recipient.code,
        "X-Vanban-Delivery-Id": str(delivery.uid), "X-Vanban-File-Sha256": t.file_sha256}


def compose(message: OutboxMessage, delivery: Delivery, sender: str,
            files: dict[str, bytes] | None = None) -> Composed:
    """Build the message of one outbox message (see the module docstring)."""
    t = delivery.transmission
    recipient = delivery.recipient.mailbox
    message_id = f"<{message.uid}@{domain_of(sender)}>"
    mail = EmailMessage(policy=SMTP)
    mail["From"] = formataddr((t.sender.name, sender))
    mail["To"] = formataddr((delivery.recipient.name, recipient))
    mail["Subject"] = subject_line(delivery)
    mail["Date"] = format_datetime(t.sent_at.astimezone(clock.VN_TZ))
    mail["Message-ID"] = message_id
    for name, value in vanban_headers(delivery).items():
        if value:
            mail[name] = value
    mail.set_content(body_text(delivery), cte="quoted-printable")  # 7-bit clean: DKIM survives
    cache = files if files is not None else {}
    rows = sorted(transmission_attachments(t), key=lambda a: (not a.main, a.position))
    for row in rows:
        data = cache.get(row.sha256)
        if data is None:
            data = cache[row.sha256] = blob_read(row.sha256)
        maintype, _, subtype = (row.content_type or "application/octet-stream").partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                            filename=row.name)
    mail.set_boundary(f"vanban-{message.uid.hex}")
    return Composed(message_id, sender, recipient, mail.as_bytes())
