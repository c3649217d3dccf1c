"""What the demo's recipients do with the documents the demo sends (``vanban demo load``): the
clerk registers (03) or rejects (02) through the incoming register, and for a finished piece of
work the head assigns a specialist, who writes an opinion and completes (04, 05, 06). Everything
goes through the real services, so the register, the audit log and the evidence show it."""

from __future__ import annotations

from vanban.core.roles import Role
from vanban.exchange.demo import staff_of
from vanban.exchange.models import Delivery
from vanban.incoming import services as incoming
from vanban.workflow import services as workflow
from vanban.workflow.models import LineRole


def demo_answer(delivery: Delivery, code: str) -> None:
    """Act as the recipient agency's staff so that ``delivery`` reaches ``code``."""
    agency = delivery.recipient
    clerk = staff_of(agency, Role.CLERK)
    if code == "02":
        incoming.incoming_reject(actor=clerk, delivery=delivery,
                                 reason="Văn bản không thuộc thẩm quyền giải quyết")
        return
    head = staff_of(agency, Role.HEAD)
    entry = incoming.incoming_register_delivery(actor=clerk, delivery=delivery,
                                                recipient_user=head)
    if code == "03" or head is None:
        return
    specialist = staff_of(agency, Role.SPECIALIST) or head
    workflow.assignment_create(
        actor=head, document=entry,
        lines=[workflow.LineInput(role=LineRole.LEAD, user=specialist, working_days=5)],
        direction="Giao chuyên viên nghiên cứu, tham mưu trả lời.")
    if code in ("05", "06"):
        workflow.opinion_write(actor=specialist, document=entry,
                               text="Đã nghiên cứu, đề nghị triển khai theo hướng dẫn.")
    if code == "06":
        workflow.incoming_complete(actor=specialist, document=entry)
