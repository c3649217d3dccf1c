"""Work in every dashboard queue of the sample agencies (``vanban demo load``, issue 13): for
each agency of the starter list (``vanban demo accounts``) an arrival waits for the clerk, a
sending of its own was rejected, paper documents wait for assignment, are in progress, near
their deadline and past it, an outgoing document waits for its signature, a draft waits for
the clerk's number and another for the head's approval (trình ký).

Everything goes through the real services, as a user of that agency would do it, so the
register, the audit log and the evidence show it. The overdue document's story is played ten
days earlier (the clock is a port: ``core.clock.frozen``), because a deadline in the past is
refused today, as it should be.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from vanban.core import clock
from vanban.core.roles import Role
from vanban.demo.accounts import SAMPLE_SLUGS
from vanban.directory.models import Agency
from vanban.exchange import services as exchange
from vanban.exchange.demo import staff_of
from vanban.incoming import services as incoming
from vanban.registry import services as registry
from vanban.workflow import services as workflow
from vanban.workflow.models import LineRole

PLACE = "Bắc Giang"
OVERDUE_DAYS_AGO = 10


def _pdf(title: str, pages: int = 2) -> bytes:
    """A plain scanned-like PDF of a few pages (ASCII text: the demo needs no font file)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    text = title.encode("ascii", "ignore").decode() or "Van ban"
    for n in range(1, pages + 1):
        sheet.drawString(72, 760, text)
        sheet.drawString(72, 740, f"Trang {n}/{pages}")
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def _agency(slug: str) -> Agency | None:
    return Agency.objects.filter(mailbox__startswith=f"{slug}@").first()


def _paper(clerk: Any, subject: str, n: int) -> Any:
    return incoming.incoming_register_paper(
        actor=clerk, data=_pdf(subject, pages=3), subject=subject,
        issuer_name="Bộ Nội vụ", code_number=str(100 + n), code_notation="BNV-VP",
        type_name="Công văn")


def _assign(head: Any, entry: Any, specialist: Any, days: int) -> None:
    workflow.assignment_create(
        actor=head, document=entry, direction="Giao chuyên viên nghiên cứu, tham mưu.",
        lines=[workflow.LineInput(role=LineRole.LEAD, user=specialist, working_days=days)])


def _send(sender: Agency, recipient: Agency, subject: str, password: str) -> Any:
    """A document of ``sender`` numbered, signed by its clerk and sent to ``recipient``."""
    from vanban.accounts.services.stepup import stepup_confirm

    clerk = staff_of(sender, Role.CLERK)
    document = registry.document_create(
        actor=clerk, agency=sender, type_code="cong_van", subject=subject, place=PLACE,
        competence="KT.", position="PHÓ GIÁM ĐỐC", full_name="Nguyễn Văn Ánh",
        recipients=[registry.RecipientInput(agency=recipient)])
    document = registry.document_register(actor=clerk, document=document)
    registry.document_upload(actor=clerk, document=document, main=[_pdf(subject)],
                             filename="cong-van.pdf")
    registry.document_sign(actor=clerk, document=document,
                           confirmation=stepup_confirm(user=clerk, password=password))
    document = registry.document_mark_ready(actor=clerk, document=document)
    transmission = exchange.transmission_send(actor=clerk, document=document)
    exchange.outbox_run()
    return transmission


def _incoming_queues(agency: Agency, n: int) -> None:
    """To assign, in progress, due soon, overdue."""
    clerk, head = staff_of(agency, Role.CLERK), staff_of(agency, Role.HEAD)
    specialist = staff_of(agency, Role.SPECIALIST) or head
    _paper(clerk, "Về việc góp ý dự thảo quy chế làm việc (chờ phân công)", n)
    _assign(head, _paper(clerk, "Về việc báo cáo kết quả cải cách hành chính", n + 1),
            specialist, 10)
    _assign(head, _paper(clerk, "Về việc rà soát thủ tục hành chính (sắp đến hạn)", n + 2),
            specialist, 1)
    with clock.frozen(clock.now() - timedelta(days=OVERDUE_DAYS_AGO)):
        _assign(head, _paper(clerk, "Về việc tổng hợp số liệu thống kê (quá hạn)", n + 3),
                specialist, 3)


def _outgoing_queues(agency: Agency) -> None:
    """A draft to number, a numbered one to sign, a draft with the head (trình ký)."""
    clerk = staff_of(agency, Role.CLERK)
    specialist = staff_of(agency, Role.SPECIALIST) or clerk
    values: dict[str, Any] = {"agency": agency, "type_code": "cong_van", "place": PLACE,
                              "competence": "KT.", "position": "PHÓ GIÁM ĐỐC",
                              "full_name": "Trần Thị Bình"}
    registry.document_create(actor=clerk, subject="Về việc cử cán bộ dự tập huấn (chờ cấp số)",
                              **values)
    to_sign = registry.document_create(
        actor=clerk, subject="Về việc triển khai kế hoạch chuyển đổi số (chờ ký)", **values)
    to_sign = registry.document_register(actor=clerk, document=to_sign)
    registry.document_upload(actor=clerk, document=to_sign,
                             main=[_pdf("Ke hoach chuyen doi so", pages=3)],
                             filename="ke-hoach.pdf")
    draft = registry.document_create(
        actor=specialist, subject="Về việc đề xuất mua sắm thiết bị (trình ký)", **values)
    registry.document_submit(actor=specialist, document=draft,
                             note="Kính trình lãnh đạo xem xét, cho ý kiến.")


def demo_queues_load(*, password: str) -> None:
    """Work in every queue of each sample agency that exists (missing ones are skipped)."""
    agencies = [a for a in (_agency(s) for s in SAMPLE_SLUGS)
                if a is not None and staff_of(a, Role.CLERK) and staff_of(a, Role.HEAD)]
    for index, agency in enumerate(agencies):
        _incoming_queues(agency, 10 * index)
        _outgoing_queues(agency)
    connected = [a for a in agencies if a.connected]
    for index, agency in enumerate(connected):
        partner = connected[(index + 1) % len(connected)]
        if partner == agency:
            continue
        # The partner's arrival waits for this agency's clerk ("chờ vào sổ").
        _send(partner, agency, "Về việc phối hợp tổ chức hội nghị trực tuyến", password)
        # This agency's sending is rejected by the partner ("bị từ chối").
        sent = _send(agency, partner, "Về việc đề nghị cung cấp thông tin (bị từ chối)",
                     password)
        for delivery in sent.deliveries.all():
            incoming.incoming_reject(actor=staff_of(partner, Role.CLERK), delivery=delivery,
                                     reason="Văn bản không thuộc thẩm quyền giải quyết.")
