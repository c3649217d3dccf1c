"""A few documents already exchanged in the demo province (``vanban demo load``), so a fresh
demo shows the tracking page, the inboxes and evidence bundles from the first minute.

Called by the demo loader after the staff and the demo PKI exist: every document goes the real
way (draft, number, scan, sign, ready, send, worker, statuses), so it is audited and recorded in
the evidence log like any other.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from vanban.accounts.models import User
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.exchange import services
from vanban.exchange.models import Delivery, Transmission

# (sender slug, recipients' slugs, subject, what the recipients do: code per recipient index)
_PLAN: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...] = (
    ("snv", ("stc", "syt", "sgddt"), "Về việc triển khai trục liên thông văn bản điện tử",
     ("06", "03", "01")),
    ("vpubnd", ("snv", "stc"), "Về việc báo cáo tình hình gửi, nhận văn bản điện tử quý I",
     ("03", "02")),
    ("stc", ("snv",), "Về việc hướng dẫn quyết toán kinh phí ứng dụng công nghệ thông tin",
     ("01",)),
)


def _pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, text.encode("ascii", "ignore").decode() or "Van ban")
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def staff_of(agency: Agency, role: Role) -> Any:
    """The first active staff member of ``agency`` holding ``role``."""
    return User.objects.filter(agency=agency, roles__role=role, is_active=True).first()


def _agency(slug: str) -> Agency | None:
    return Agency.objects.filter(mailbox__startswith=f"{slug}@").first()


Answer = Callable[[Delivery, str], None]


def demo_exchange_load(answer: Answer | None = None, *,
                       password: str = "") -> list[Transmission]:
    """Send the planned documents and let ``answer`` act for each recipient with its planned
    code (01 leaves the delivery waiting). Skips what is missing. Without ``answer`` the
    recipients do nothing: answering is the receiving agency's work (register, assign…), which
    lives above the hub. Each clerk confirms its signature with ``password``, the demo
    accounts' password, as at the signing page (R14.3)."""
    from vanban.accounts.services.stepup import stepup_confirm
    from vanban.registry import services as registry

    sent: list[Transmission] = []
    for sender_slug, recipient_slugs, subject, answers in _PLAN:
        sender = _agency(sender_slug)
        recipients = [a for a in (_agency(s) for s in recipient_slugs) if a is not None]
        if sender is None or not recipients:
            continue
        clerk = staff_of(sender, Role.CLERK)
        document = registry.document_create(
            actor=clerk, agency=sender, type_code="cong_van", subject=subject, place="Bắc Giang",
            competence="KT.", position="PHÓ GIÁM ĐỐC", full_name="Nguyễn Văn Ánh",
            recipients=[registry.RecipientInput(agency=a) for a in recipients])
        document = registry.document_register(actor=clerk, document=document)
        registry.document_upload(actor=clerk, document=document, main=[_pdf(subject)],
                                 filename="cong-van.pdf")
        registry.document_sign(actor=clerk, document=document,
                               confirmation=stepup_confirm(user=clerk, password=password))
        document = registry.document_mark_ready(actor=clerk, document=document)
        transmission = services.transmission_send(actor=clerk, document=document)
        services.outbox_run()
        if answer is not None:
            for delivery, code in zip(transmission.deliveries.select_related("recipient")
                                      .order_by("id"), answers, strict=False):
                if code != "01":
                    answer(delivery, code)
        sent.append(transmission)
    return sent
