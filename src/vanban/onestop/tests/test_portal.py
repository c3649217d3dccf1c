"""The citizen portal (issue 12 point 5, spec §11, §12): search, online filing through the desk's
intake, tracking by code and secret, rating. Cites R11.1 (an online filing is a valid
e-dossier only once checked like any file) and R12.1 (the public part never reveals a dossier
without its secret)."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings

from vanban.audit.models import AuditEvent
from vanban.core.roles import Role
from vanban.onestop import services
from vanban.onestop.models import (
    Channel,
    Dossier,
    DossierFile,
    DossierState,
    OnlineLevel,
    Procedure,
    RequiredDocument,
)
from vanban.security.tests.fixtures import clean_pdf, infected_pdf

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _portal_on():
    cache.clear()
    with override_settings(VANBAN_PORTAL_LOCAL_SUBMISSION=True):
        yield
    cache.clear()


@pytest.fixture
def procedure(make_agency) -> Procedure:
    desk = make_agency(code="000.00.31.H10", name="UBND xã Tân Mỹ")
    found = Procedure.objects.create(
        agency=desk, code="1.001193", name="Đăng ký khai sinh", sector="Hộ tịch",
        limit_value=Decimal(1), fee="Miễn lệ phí", online_level=OnlineLevel.FULL)
    RequiredDocument.objects.create(procedure=found, order=1, name="Tờ khai đăng ký khai sinh")
    RequiredDocument.objects.create(procedure=found, order=2, name="Giấy chứng sinh")
    RequiredDocument.objects.create(procedure=found, order=3, name="Giấy tờ khác",
                                    mandatory=False)
    return found


def _form(procedure: Procedure, **files: bytes) -> dict[str, object]:
    docs = {d.name: d.pk for d in procedure.required_documents.all()}
    data: dict[str, object] = {"name": "Nguyễn Văn An", "id_number": "001099000123",
                               "address": "Thôn Đông, xã Tân Mỹ", "email": "an@example.vn"}
    for name, content in files.items():
        pk = docs["Tờ khai đăng ký khai sinh" if name == "form" else "Giấy chứng sinh"]
        upload = io_file(f"{name}.pdf", content)
        data[f"doc_{pk}"] = upload
    return data


def io_file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _file(client: Client, procedure: Procedure, **files: bytes):
    return client.post(f"/dich-vu-cong/thu-tuc/{procedure.pk}/nop/", _form(procedure, **files))


def _filed(client: Client, procedure: Procedure) -> tuple[str, str]:
    response = _file(client, procedure, form=clean_pdf("To khai"), birth=clean_pdf("Chung sinh"))
    assert response.status_code == 200, response.content.decode()[:2000]
    text = response.content.decode()
    code = re.search(r'data-testid="code">([^<]+)<', text)
    secret = re.search(r'data-testid="secret">([^<]+)<', text)
    assert code is not None
    assert secret is not None
    return code.group(1), secret.group(1)


def _track(client: Client, code: str, secret: str, ip: str = "10.0.0.1"):
    return client.post("/dich-vu-cong/tra-cuu/", {"code": code, "secret": secret},
                       REMOTE_ADDR=ip)


def test_catalogue_search_is_public_and_has_no_staff_menu(client, procedure) -> None:
    """The catalogue lists current procedures to anyone, found with or without marks."""
    Procedure.objects.create(agency=procedure.agency, code="9.9", name="Thủ tục đã bỏ",
                             limit_value=Decimal(1), active=False)
    page = client.get("/dich-vu-cong/", {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in page
    assert "Thủ tục đã bỏ" not in page
    assert "sidenav" not in page
    assert "Đăng ký khai sinh" in client.get("/dich-vu-cong/", {"q": "dang ky"}).content.decode()
    detail = client.get(f"/dich-vu-cong/thu-tuc/{procedure.pk}/").content.decode()
    assert "Giấy chứng sinh" in detail
    assert "Miễn lệ phí" in detail
    assert 'data-testid="file-online"' in detail


def test_online_filing_and_tracking(client, procedure, scanner_on) -> None:
    """R11.1: filed online, the papers pass the intake (malware scan included), the dossier is
    registered with a code and secret; R12.1: with both, the citizen sees the status, the
    masked name and where to collect; the receipt mail carries the code."""
    code, secret = _filed(client, procedure)
    dossier = Dossier.objects.get(code=code)
    assert dossier.channel == Channel.ONLINE
    assert dossier.state == DossierState.SUBMITTED
    assert DossierFile.objects.filter(dossier=dossier).count() == 2
    assert secret not in dossier.secret_hash
    assert code in mail.outbox[-1].body
    page = _track(client, code, secret.lower()).content.decode()
    assert "Mới nộp, chờ kiểm tra" in page
    assert "N. V. A." in page
    assert "Nguyễn Văn An" not in page
    assert "UBND xã Tân Mỹ" in page


def _normalised(body: bytes) -> str:
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'id="code" name="code"[^>]*>', "", text)


def test_wrong_secret_and_unknown_code_get_one_answer(client, procedure, scanner_on) -> None:
    """R12.1: a wrong secret reveals nothing, not even whether the code exists."""
    code, secret = _filed(client, procedure)
    wrong = _track(client, code, "AAAAAAAA")
    unknown = _track(client, code[:-1] + ("9" if code[-1] != "9" else "8"), secret)
    nothing = _track(client, code, "")
    assert wrong.status_code == unknown.status_code == nothing.status_code == 200
    assert _normalised(wrong.content) == _normalised(unknown.content) == _normalised(
        nothing.content)
    assert "Mã hồ sơ hoặc mã bí mật không đúng" in wrong.content.decode()
    assert "Nguyễn" not in wrong.content.decode()


def test_tries_are_limited_per_address_and_per_code(client, procedure, scanner_on) -> None:
    """R12.1: ten wrong pairs from one address, then even the right pair waits there; a code
    tried from many addresses is not locked for its applicant elsewhere."""
    code, secret = _filed(client, procedure)
    for _ in range(10):
        _track(client, "X-1", "WRONGONE", ip="10.0.0.9")
    blocked = _track(client, code, secret, ip="10.0.0.9")
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.content.decode()
    assert _track(client, code, secret, ip="10.0.0.10").status_code == 200
    for n in range(10):
        _track(client, code, "WRONGTWO", ip=f"10.1.0.{n}")
    assert _track(client, code, secret, ip="10.2.0.1").status_code == 200


def test_tries_are_limited_per_address_and_code(client, procedure, scanner_on) -> None:
    """R12.1: ten wrong secrets for one code from one address lock that address, for that code
    and (by the per-address count) for any other, until the window ends."""
    code, secret = _filed(client, procedure)
    for _ in range(10):
        assert _track(client, code, "WRONGONE", ip="10.3.0.1").status_code == 200
    assert _track(client, code, secret, ip="10.3.0.1").status_code == 429
    assert _track(client, code, secret, ip="10.3.0.2").status_code == 200


def test_missing_mandatory_paper_is_refused_and_nothing_kept(client, procedure) -> None:
    """R11.1: without the birth certificate the filing is refused by name; nothing stored."""
    response = _file(client, procedure, form=clean_pdf("To khai"))
    assert response.status_code == 400
    assert "Còn thiếu giấy tờ bắt buộc: Giấy chứng sinh" in response.content.decode()
    assert Dossier.objects.count() == 0


@override_settings(VANBAN_PORTAL_MAX_FILE_BYTES=20_000)
def test_oversized_upload_is_refused(client, procedure) -> None:
    """A file over the per-file limit is refused by name; nothing stored."""
    big = clean_pdf("To khai") + b"%" + b"x" * 30_000
    response = _file(client, procedure, form=big, birth=clean_pdf("Chung sinh"))
    assert response.status_code == 400
    assert "quá lớn" in response.content.decode()
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0


def test_malicious_upload_is_refused_and_audited(client, procedure, scanner_on) -> None:
    """R11.1: a paper carrying malware (EICAR) is refused, nothing stored, the refusal
    audited with the door."""
    response = _file(client, procedure, form=infected_pdf(), birth=clean_pdf("Chung sinh"))
    assert response.status_code == 400
    assert "mã độc" in response.content.decode().lower()
    assert Dossier.objects.count() == 0
    assert AuditEvent.objects.filter(action__contains="malware").exists()


def test_local_filing_off(client, procedure) -> None:
    """``portal.local_submission`` off (production default): no form offered, a POST refused."""
    with override_settings(VANBAN_PORTAL_LOCAL_SUBMISSION=False):
        page = client.get(f"/dich-vu-cong/thu-tuc/{procedure.pk}/").content.decode()
        response = _file(client, procedure, form=clean_pdf(), birth=clean_pdf())
    assert 'data-testid="file-online"' not in page
    assert response.status_code == 403
    assert Dossier.objects.count() == 0


def test_rating_once_with_code_and_secret(client, procedure, scanner_on, make_user) -> None:
    """The service is rated 1–5 once per dossier, only with the dossier's code and secret, and
    only once the dossier is finished (here refused at the desk)."""
    code, secret = _filed(client, procedure)
    assert 'data-testid="rate"' not in _track(client, code, secret).content.decode()
    early = client.post("/dich-vu-cong/danh-gia/", {"code": code, "secret": secret,
                                                     "score": "5"})
    assert early.status_code == 409
    assert "giải quyết xong" in early.content.decode()
    services.dossier_refuse(actor=make_user(procedure.agency, roles=[Role.ONESTOP]),
                            dossier=Dossier.objects.get(code=code), reason="Sai thủ tục")
    assert 'data-testid="rate"' in _track(client, code, secret).content.decode()
    bad = client.post("/dich-vu-cong/danh-gia/", {"code": code, "secret": "NOPE1234",
                                                   "score": "5"})
    assert "không đúng" in bad.content.decode()
    ok = client.post("/dich-vu-cong/danh-gia/", {"code": code, "secret": secret, "score": "4",
                                                  "comment": "Nhanh, chu đáo"})
    assert 'data-testid="thanks"' in ok.content.decode()
    again = client.post("/dich-vu-cong/danh-gia/", {"code": code, "secret": secret,
                                                     "score": "1"})
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="onestop.portal_rating").count() == 1
    out_of_range = client.post("/dich-vu-cong/danh-gia/", {"code": code, "secret": secret,
                                                            "score": "9"})
    assert out_of_range.status_code == 400


def test_csrf_is_enforced(procedure) -> None:
    """Forms of the portal carry CSRF tokens; a forged POST is refused."""
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/dich-vu-cong/tra-cuu/", {"code": "A", "secret": "B"}).status_code == 403


def test_papers_to_add_only_while_asked(client, procedure, scanner_on, make_user) -> None:
    """The tracking page lists the papers to add while the desk waits for them, and no longer
    once the dossier is finished (here refused after the request went unanswered)."""
    code, secret = _filed(client, procedure)
    officer = make_user(procedure.agency, roles=[Role.ONESTOP])
    dossier = Dossier.objects.get(code=code)
    services.dossier_request_intake_supplement(actor=officer, dossier=dossier,
                                               items=["Bản sao hộ khẩu"], reason="thiếu")
    assert 'data-testid="missing"' in _track(client, code, secret).content.decode()
    services.dossier_refuse(actor=officer, dossier=dossier, reason="Không bổ sung")
    assert 'data-testid="missing"' not in _track(client, code, secret).content.decode()
