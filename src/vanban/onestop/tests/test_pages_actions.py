"""The desk's writes through the pages: the counter intake with its checklist and decisions,
and a dossier carried from acceptance to the returned result across two agencies."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.core.roles import Role
from vanban.directory.models import AgencyKind, Unit
from vanban.onestop.models import Dossier, DossierEvent, Procedure
from vanban.onestop.tests.factories import make_pdf, make_procedure

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=VN_TZ)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    return " ".join(unicodedata.normalize("NFC", out).split())


def _upload(name: str = "don.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf("Don de nghi"), content_type="application/pdf")


@pytest.fixture
def world(make_agency: Any, make_user: Any) -> dict[str, Any]:
    province = make_agency(name="UBND tỉnh Bắc Giang", kind=AgencyKind.PROVINCE)
    sxd = make_agency(name="Sở Xây dựng", parent=province)
    stnmt = make_agency(name="Sở Tài nguyên và Môi trường", parent=province)
    unit = Unit.objects.create(agency=sxd, code="QLXD", name="Phòng Quản lý xây dựng",
                               short_name="QLXD", created_at=clock.now())
    procedure = make_procedure(sxd, unit=unit, joint=stnmt)
    return {"procedure": procedure,
            "officer": make_user(sxd, roles=[Role.ONESTOP]),
            "specialist": make_user(sxd, roles=[Role.SPECIALIST], unit=unit),
            "head": make_user(sxd, roles=[Role.HEAD]),
            "joint": make_user(stnmt, roles=[Role.SPECIALIST])}


def _applicant(decision: str, **extra: Any) -> dict[str, Any]:
    return {"name": "Công ty TNHH Xây dựng Hoàng Long", "address": "Lạng Giang, Bắc Giang",
            "phone": "0912 000 111", "classification": "thuong", "decision": decision,
            "items": "", "reason": "", **extra}


def test_intake_refuses_accepting_without_a_mandatory_paper(world: dict[str, Any]) -> None:
    """R11.2: accepting with a mandatory paper missing is refused with its name, and nothing
    is recorded; a refusal without its reason likewise."""
    page = _client(world["officer"])
    address = f"/onestop/new/?procedure={world['procedure'].pk}"
    with clock.frozen(MONDAY):
        html = page.post(address, _applicant("accept"), follow=True).content.decode()
        refused = page.post(address, _applicant("refuse"), follow=True).content.decode()
    assert "Đơn đề nghị (Mẫu 01)" in html
    assert "còn thiếu giấy tờ bắt buộc" in html
    assert "phải ghi rõ lý do" in refused
    assert not Dossier.objects.exists()


def test_intake_classified_content_is_refused(world: dict[str, Any]) -> None:
    """R3.1: a dossier marked Mật is refused at the counter and nothing is kept."""
    procedure: Procedure = world["procedure"]
    doc = procedure.required_documents.get(mandatory=True)
    with clock.frozen(MONDAY):
        response = _client(world["officer"]).post(
            f"/onestop/new/?procedure={procedure.pk}",
            {**_applicant("accept", classification="mat"), f"doc-{doc.pk}": _upload()},
            follow=True)
    assert response.status_code == 200
    assert not Dossier.objects.exists()


def test_counter_to_returned_result_across_two_agencies(world: dict[str, Any]) -> None:
    """R11.1, R11.2, R11.3: the officer receives at the counter and asks once for the missing
    paper (Mẫu 02), takes the supplement and accepts (Mẫu 01 with the tracking secret),
    transfers; the unit hands over to the joint agency, which hands back; the head approves,
    the result is ready and returned; Mẫu 06 shows every hand-over."""
    procedure: Procedure = world["procedure"]
    doc = procedure.required_documents.get(mandatory=True)
    officer = _client(world["officer"])
    with clock.frozen(MONDAY):
        response = officer.post(f"/onestop/new/?procedure={procedure.pk}",
                                _applicant("supplement"))
        dossier = Dossier.objects.get()
        assert response.status_code == 302
        assert dossier.state == "intake_supplement"
        supplement = _text(officer.get(f"/onestop/{dossier.pk}/supplement.pdf").content)
        assert "1. Đơn đề nghị (Mẫu 01)" in supplement
        officer.post(f"/onestop/{dossier.pk}/thao-tac/intake_supplement_received/",
                     {f"doc-{doc.pk}": _upload()})
        officer.post(f"/onestop/{dossier.pk}/thao-tac/accept/")
        dossier.refresh_from_db()
        assert dossier.state == "accepted"
        assert dossier.code
        receipt = _text(officer.get(f"/onestop/{dossier.code}/receipt.pdf").content)
        assert dossier.code in receipt
        assert "Mã tra cứu (bí mật)" in receipt
        officer.post(f"/onestop/{dossier.code}/thao-tac/transfer/")
        _client(world["specialist"]).post(f"/onestop/{dossier.code}/thao-tac/hand_over/",
                                          {"note": "Chuyển Sở TN&MT cho ý kiến"})
        joint_page = _client(world["joint"]).get(f"/onestop/{dossier.code}/").content.decode()
        assert 'data-action="hand_over"' in joint_page
        _client(world["joint"]).post(f"/onestop/{dossier.code}/thao-tac/hand_over/",
                                     {"note": "Đồng ý"})
        _client(world["head"]).post(f"/onestop/{dossier.code}/thao-tac/approve/")
        _client(world["head"]).post(f"/onestop/{dossier.code}/thao-tac/result_ready/",
                                    {"note": "Giấy phép số 12/GPXD"})
        officer.post(f"/onestop/{dossier.code}/thao-tac/return_result/")
        control = _text(officer.get(f"/onestop/{dossier.code}/control.pdf").content)
    dossier.refresh_from_db()
    assert dossier.state == "returned"
    assert "Sở Tài nguyên và Môi trường" in control
    assert "Phòng Quản lý xây dựng" in control
    assert "Nhận: Tổ chức, cá nhân Công ty TNHH Xây dựng Hoàng Long" in control
    actions = list(DossierEvent.objects.filter(dossier=dossier).values_list("action", flat=True))
    assert actions.count("hand_over") == 2


def test_action_refused_for_someone_without_the_step(world: dict[str, Any]) -> None:
    """R11.3: a joint agency's specialist cannot act before the dossier reaches its step; the
    page says so and the dossier does not move."""
    procedure: Procedure = world["procedure"]
    doc = procedure.required_documents.get(mandatory=True)
    officer = _client(world["officer"])
    with clock.frozen(MONDAY):
        officer.post(f"/onestop/new/?procedure={procedure.pk}",
                     {**_applicant("accept"), f"doc-{doc.pk}": _upload()})
        dossier = Dossier.objects.get()
        officer.post(f"/onestop/{dossier.code}/thao-tac/transfer/")
        response = _client(world["joint"]).post(
            f"/onestop/{dossier.code}/thao-tac/hand_over/", {"note": "x"})
    dossier.refresh_from_db()
    assert response.status_code in (302, 403, 404)
    assert dossier.steps.get(order=1).finished_at is None
