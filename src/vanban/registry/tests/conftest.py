"""Fixtures of the registry tests: a sending agency with a clerk and a specialist, recipients
(connected, not connected), and real PDF and image bytes made with reportlab and Pillow."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind, Unit


def make_pdf(pages: int = 1, text: str = "Văn bản thử") -> bytes:
    """A real PDF with ``pages`` pages (Helvetica: only ASCII is checked in it)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    for n in range(1, pages + 1):
        page.drawString(72, 720, f"{text.encode('ascii', 'ignore').decode()} page {n}")
        page.showPage()
    page.save()
    return buffer.getvalue()


def make_image(kind: str = "PNG", colour: str = "white") -> bytes:
    """A small scanned page as PNG, JPEG or TIFF."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), colour).save(buffer, format=kind)
    return buffer.getvalue()


def confirmed(clerk: Any, password: str = "Mật-khẩu-Thử-123") -> Any:
    """The clerk's step-up confirmation for signing (R14.3), with ``make_user``'s default
    password."""
    from vanban.accounts.services.stepup import stepup_confirm

    return stepup_confirm(user=clerk, password=password)


@pytest.fixture
def province(make_agency: Callable[..., Agency]) -> Agency:
    """UBND tỉnh."""
    return make_agency("000.00.00.H06", name="Ủy ban nhân dân tỉnh Bắc Giang", short_name="UBND",
                       kind=AgencyKind.PROVINCE, mailbox="ubnd@bacgiang.gov.vn")


@pytest.fixture
def sender(make_agency: Callable[..., Agency], province: Agency) -> Agency:
    """Sở Nội vụ, the sending agency."""
    return make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV", parent=province,
                       mailbox="snv@bacgiang.gov.vn")


@pytest.fixture
def finance(make_agency: Callable[..., Agency], province: Agency) -> Agency:
    """Sở Tài chính, a connected recipient."""
    return make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC", parent=province,
                       mailbox="stc@bacgiang.gov.vn")


@pytest.fixture
def commune(make_agency: Callable[..., Agency], province: Agency) -> Agency:
    """A commune without the technical means (R3.2b)."""
    return make_agency("000.00.40.H06", name="UBND xã Đồng Tâm", short_name="UBND",
                       parent=province, kind=AgencyKind.COMMUNE, connected=False,
                       mailbox="dongtam@bacgiang.gov.vn")


@pytest.fixture
def unit_vx(sender: Agency) -> Unit:
    """The drafting unit of công văn notations (``SNV-VX``)."""
    return Unit.objects.create(agency=sender, code="VX", name="Phòng Văn hóa - Xã hội",
                               short_name="VX", created_at=clock.now())


@pytest.fixture
def clerk(make_user: Callable[..., Any], sender: Agency) -> Any:
    """The clerk (văn thư) of the sending agency."""
    return make_user(sender, roles=[Role.CLERK], username="vt.snv")


@pytest.fixture
def specialist(make_user: Callable[..., Any], sender: Agency) -> Any:
    """A specialist who drafts but may not number or sign."""
    return make_user(sender, roles=[Role.SPECIALIST], username="cv.snv")


@pytest.fixture
def other_clerk(make_user: Callable[..., Any], finance: Agency) -> Any:
    """Another agency's clerk (R1.1: sees nothing of the sender's documents)."""
    return make_user(finance, roles=[Role.CLERK], username="vt.stc")


@pytest.fixture
def draft(clerk: Any, sender: Agency, finance: Agency) -> Any:
    """A quyết định drafted by the clerk, addressed to Sở Tài chính."""
    from vanban.registry import services

    return services.document_create(
        actor=clerk, agency=sender, type_code="quyet_dinh",
        subject="Về việc kiện toàn tổ chức bộ máy", place="Bắc Giang", competence="KT.",
        position="PHÓ GIÁM ĐỐC", full_name="Nguyễn Văn Ánh",
        recipients=[services.RecipientInput(agency=finance)])
