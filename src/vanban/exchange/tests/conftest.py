"""Fixtures of the hub's tests: a sending agency with its clerk, recipient agencies with their
staff, and a ready-to-send document (registered, scanned, marked ready: the agency has no
certificate, so it goes unsigned as R9.1 allows)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind


def make_pdf(text: str = "Van ban thu") -> bytes:
    """A real one-page PDF."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def bulk_agencies(count: int, *, prefix: str = "H98", parent: Agency | None = None,
                  installation: str = "") -> list[Agency]:
    """``count`` recipient agencies made in one insert (test set-up for big fan-outs)."""
    now = clock.now()
    Agency.objects.bulk_create([
        Agency(code=f"{n // 100:03d}.{n % 100:02d}.77.{prefix}", name=f"Cơ quan nhận {n}",
               short_name="CQ", parent=parent, kind=AgencyKind.COMMUNE, installation=installation,
               created_at=now, updated_at=now) for n in range(count)])
    return list(Agency.objects.filter(code__endswith=f".77.{prefix}").order_by("code"))


def confirmed(clerk: Any, password: str = "Mật-khẩu-Thử-123") -> Any:
    """The clerk's step-up confirmation for signing (R14.3), with ``make_user``'s default
    password."""
    from vanban.accounts.services.stepup import stepup_confirm

    return stepup_confirm(user=clerk, password=password)


def ready_document(clerk: Any, sender: Agency, recipients: Sequence[Agency],
                   subject: str = "Về việc triển khai trục liên thông văn bản", *,
                   signed: bool = False) -> Any:
    """Draft → number → scan (→ sign, when the sender has a certificate) → ready, through the
    registry's services."""
    from vanban.registry import services

    document = services.document_create(
        actor=clerk, agency=sender, type_code="cong_van", subject=subject, place="Bắc Giang",
        competence="KT.", position="PHÓ GIÁM ĐỐC", full_name="Nguyễn Văn Ánh",
        recipients=[services.RecipientInput(agency=a) for a in recipients])
    document = services.document_register(actor=clerk, document=document)
    services.document_upload(actor=clerk, document=document, main=[make_pdf(subject[:40])],
                             filename="cong-van.pdf")
    if signed:
        services.document_sign(actor=clerk, document=document, confirmation=confirmed(clerk))
    return services.document_mark_ready(actor=clerk, document=document)


@pytest.fixture
def province(make_agency: Callable[..., Agency]) -> Agency:
    """UBND tỉnh."""
    return make_agency("000.00.00.H06", name="Ủy ban nhân dân tỉnh Bắc Giang", short_name="UBND",
                       kind=AgencyKind.PROVINCE)


@pytest.fixture
def sender(make_agency: Callable[..., Agency], province: Agency) -> Agency:
    """Sở Nội vụ, the sending agency."""
    return make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV", parent=province)


@pytest.fixture
def finance(make_agency: Callable[..., Agency], province: Agency) -> Agency:
    """Sở Tài chính, a recipient."""
    return make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC", parent=province)


@pytest.fixture
def health(make_agency: Callable[..., Agency], province: Agency) -> Agency:
    """Sở Y tế, a recipient."""
    return make_agency("000.00.04.H06", name="Sở Y tế", short_name="SYT", parent=province)


@pytest.fixture
def clerk(make_user: Callable[..., Any], sender: Agency) -> Any:
    """The sender's clerk."""
    return make_user(sender, roles=[Role.CLERK], username="vt.snv")


@pytest.fixture
def finance_clerk(make_user: Callable[..., Any], finance: Agency) -> Any:
    """The recipient's clerk (accepts, rejects, answers recalls)."""
    return make_user(finance, roles=[Role.CLERK], username="vt.stc")


@pytest.fixture
def finance_head(make_user: Callable[..., Any], finance: Agency) -> Any:
    """The recipient's head (assigns, follows processing)."""
    return make_user(finance, roles=[Role.HEAD], username="ld.stc")


@pytest.fixture
def document(clerk: Any, sender: Agency, finance: Agency, health: Agency) -> Any:
    """A công văn ready to send to Sở Tài chính and Sở Y tế."""
    return ready_document(clerk, sender, [finance, health])
