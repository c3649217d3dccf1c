"""Uploads and paper scans through the intake every door applies, with a real clamd (R16.1,
R3.1): EICAR refused with a clear message on the upload page and in the API, nothing stored,
the detection audited; with clamd down the files wait in quarantine, unreachable by any
download, and ``vanban security rescan`` releases the clean one through the very upload service
(it is attached, audited as an upload) and refuses the infected one."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from vanban.audit.models import AuditEvent
from vanban.core.roles import Role
from vanban.incoming.models import IncomingDocument
from vanban.registry import services
from vanban.registry.models import DocumentFile
from vanban.security.errors import HeldForScanning, MalwareFound
from vanban.security.models import Quarantine, QuarantineState
from vanban.security.quarantine import quarantine_dir
from vanban.security.tests.clamd_server import FOUND_AS
from vanban.security.tests.fixtures import clean_pdf, infected_pdf
from vanban.storage.models import Blob

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_agency, make_user):
    agency = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    return make_user(agency, roles=[Role.CLERK], username="vt.snv")


def _draft(clerk: Any, subject: str = "Về việc an toàn thông tin") -> Any:
    from vanban.directory.models import Agency

    return services.document_create(
        actor=clerk, agency=Agency.objects.get(pk=clerk.agency_id), type_code="cong_van",
        subject=subject, place="Bắc Giang", competence="KT.", position="PHÓ GIÁM ĐỐC",
        full_name="Nguyễn Văn Ánh", recipients=[])


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _events(action: str) -> list[dict[str, Any]]:
    return [json.loads(e.data) for e in AuditEvent.objects.filter(action=action).order_by("seq")]


def test_eicar_upload_page_is_refused_and_audited(clerk, scanner_on):
    """R16.1: the clerk's upload page shows the refusal naming the detection; nothing stored;
    the detection is audited with door, SHA-256 and signature."""
    document = _draft(clerk)
    data = infected_pdf()
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(clerk)
    response = client.post(reverse("registry:document_upload", args=[document.pk]),
                           {"main": [SimpleUploadedFile("cv.pdf", data)]}, follow=True)
    assert "chứa mã độc" in response.content.decode()
    assert FOUND_AS in response.content.decode()
    assert not DocumentFile.objects.exists()
    assert not Blob.objects.filter(sha256=_sha(data)).exists()
    [event] = _events("security.malware_found")
    assert event["door"] == "upload"
    assert event["sha256"] == _sha(data)
    assert event["signature"] == FOUND_AS
    assert event["name"] == "cv.pdf"


def test_eicar_upload_api_is_a_problem(clerk, scanner_on):
    """R16.1: the API answers 400 problem+json ``malware_found`` in both languages."""
    document = _draft(clerk)
    client = APIClient()
    client.force_authenticate(clerk)
    response = client.post(f"/api/v1/documents/{document.pk}/upload/",
                           {"main": [SimpleUploadedFile("cv.pdf", infected_pdf())]},
                           format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malware_found"
    assert FOUND_AS in body["detail_en"]
    assert "mã độc" in body["detail_vi"]
    assert not DocumentFile.objects.exists()


def test_clean_upload_passes_the_scanner(clerk, scanner_on):
    """R16.1: a clean PDF is scanned and stored as before."""
    data = clean_pdf()
    found = services.document_upload(actor=clerk, document=_draft(clerk), main=[data])
    assert found.sha256 == _sha(data)
    assert not _events("security.malware_found")


def _quarantined_files() -> list[Path]:
    return [p for p in quarantine_dir().rglob("*") if p.is_file()]


def test_scanner_down_holds_then_rescan_releases_clean_and_refuses_infected(
        clerk, scanner_down, clamd_server):
    """R16.1: never accepted unscanned. With clamd down both uploads are held (202 in the API
    sense), kept 0600 outside the blob store; once clamd is back ``vanban security rescan``
    attaches the clean file through ``document_upload`` itself and refuses the infected one."""
    clean, dirty = clean_pdf("Sach"), infected_pdf()
    first, second = _draft(clerk, "Văn bản sạch"), _draft(clerk, "Văn bản nhiễm")
    for document, data in ((first, clean), (second, dirty)):
        with pytest.raises(HeldForScanning) as held:
            services.document_upload(actor=clerk, document=document, main=[data],
                                     filename="cv.pdf")
        assert held.value.status == 202
        assert "giữ lại để quét" in held.value.vi
    assert not DocumentFile.objects.exists()
    assert not Blob.objects.filter(sha256__in=[_sha(clean), _sha(dirty)]).exists()
    assert Quarantine.objects.filter(state=QuarantineState.HELD, door="upload").count() == 2
    files = _quarantined_files()
    assert {p.name for p in files} == {_sha(clean), _sha(dirty)}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert stat.S_IMODE(quarantine_dir().stat().st_mode) == 0o700
    call_command("security", "rescan")  # still down: nothing decided
    assert Quarantine.objects.filter(state=QuarantineState.HELD).count() == 2

    with override_settings(VANBAN_CLAMD_SOCKET=clamd_server.socket):
        call_command("security", "rescan")
    released = Quarantine.objects.get(data__document=first.pk)
    refused = Quarantine.objects.get(data__document=second.pk)
    assert released.state == QuarantineState.RELEASED
    assert refused.state == QuarantineState.REFUSED
    assert refused.reason == FOUND_AS
    attached = DocumentFile.objects.get(document=first)
    assert attached.sha256 == _sha(clean)
    assert attached.filename == "cv.pdf"
    assert not DocumentFile.objects.filter(document=second).exists()
    assert not Blob.objects.filter(sha256=_sha(dirty)).exists()
    uploads = _events("registry.document_upload")  # the same service, the same audit event
    assert [e["sha256"] for e in uploads] == [_sha(clean)]
    assert _events("security.malware_found")[0]["sha256"] == _sha(dirty)
    assert _quarantined_files() == []


def test_paper_scan_held_then_registered_on_rescan(clerk, scanner_down, clamd_server):
    """R16.1, R10.1: a paper scan arriving while clamd is down gets its arrival number only
    after the scan, through ``incoming_register_paper`` itself."""
    from vanban.incoming import services as incoming

    data = clean_pdf("Giay")
    with pytest.raises(HeldForScanning):
        incoming.incoming_register_paper(actor=clerk, data=data, issuer_name="UBND huyện",
                                         subject="Báo cáo tình hình")
    assert not IncomingDocument.objects.exists()
    with override_settings(VANBAN_CLAMD_SOCKET=clamd_server.socket):
        call_command("security", "rescan")
    entry = IncomingDocument.objects.get()
    assert entry.file_sha256 == _sha(data)
    assert entry.arrival_number == 1
    assert entry.subject == "Báo cáo tình hình"
    assert Quarantine.objects.get().state == QuarantineState.RELEASED


def test_paper_eicar_is_refused(clerk, scanner_on):
    """R16.1: the paper door refuses malware like every other."""
    from vanban.incoming import services as incoming

    with pytest.raises(MalwareFound):
        incoming.incoming_register_paper(actor=clerk, data=infected_pdf(),
                                         issuer_name="UBND huyện", subject="Báo cáo")
    assert not IncomingDocument.objects.exists()
    assert _events("security.malware_found")[0]["door"] == "paper"


def test_worker_loop_rescans_when_something_is_held(clerk, scanner_down, clamd_server):
    """R16.1: the exchange worker's loop runs the same rescan, at most once per interval and
    only when something is held."""
    from vanban.security.quarantine import quarantine_rescan_if_due

    assert quarantine_rescan_if_due(every=0) is None  # nothing held: no scan at all
    document = _draft(clerk)
    with pytest.raises(HeldForScanning):
        services.document_upload(actor=clerk, document=document, main=[clean_pdf("Cho")])
    with override_settings(VANBAN_CLAMD_SOCKET=clamd_server.socket):
        assert quarantine_rescan_if_due(every=3600) is None  # a pass ran just now
        report = quarantine_rescan_if_due(every=0)
    assert report is not None
    assert len(report.released) == 1
    assert DocumentFile.objects.filter(document=document).exists()


def test_held_upload_is_told_on_the_page_and_in_the_api(clerk, scanner_down):
    """R16.1: the clerk is told the file is held for scanning (page message; API 202 with the
    quarantine's id), and nothing is attached yet."""
    document = _draft(clerk)
    client = Client()
    client.force_login(clerk)
    page = client.post(reverse("registry:document_upload", args=[document.pk]),
                       {"main": [SimpleUploadedFile("cv.pdf", clean_pdf("Trang"))]}, follow=True)
    assert "đang được giữ lại để quét mã độc" in page.content.decode()
    api = APIClient()
    api.force_authenticate(clerk)
    response = api.post(f"/api/v1/documents/{document.pk}/upload/",
                        {"main": [SimpleUploadedFile("cv.pdf", clean_pdf("API"))]},
                        format="multipart")
    assert response.status_code == 202
    body = response.json()
    assert body["code"] == "held_for_scanning"
    assert Quarantine.objects.filter(uid=body["quarantine"]).exists()
    assert not DocumentFile.objects.exists()


def test_a_row_is_released_once_even_by_two_rescans(clerk, scanner_down, clamd_server):
    """Two rescans at once (the worker and an operator) never attach the same upload twice:
    the release locks the row and only a held row is decided."""
    from vanban.security import quarantine

    document = _draft(clerk)
    with pytest.raises(HeldForScanning):
        services.document_upload(actor=clerk, document=document, main=[clean_pdf("Mot lan")])
    stale = Quarantine.objects.get()  # what a second process read before the first decided
    with override_settings(VANBAN_CLAMD_SOCKET=clamd_server.socket):
        assert len(quarantine.quarantine_rescan().released) == 1
        assert quarantine._release(stale) == ""
    assert DocumentFile.objects.filter(document=document).count() == 1
    assert len(_events("security.quarantine_released")) == 1
