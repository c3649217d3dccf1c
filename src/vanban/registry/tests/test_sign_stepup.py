"""R14.3, R21.1: signing with the agency certificate asks the signer to confirm (password, TOTP,
or the token's PIN): no one-click signing from a page, no signature from a bare API token. The
audit events of the signature name who confirmed and how, never the secret; wrong confirmations
count towards the account's lockout and are audited."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.test import Client

from vanban.accounts.policy import SESSION_2FA_OK
from vanban.accounts.services import totp_enrol_confirm, totp_enrol_start
from vanban.accounts.services.stepup import StepUpFailed, stepup_confirm
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import DomainError
from vanban.directory.models import Agency
from vanban.registry import services
from vanban.registry.models import Document, DocumentState, FileKind
from vanban.registry.tests.conftest import make_pdf
from vanban.signatures.demo import demo_pki_load

pytestmark = pytest.mark.django_db
PASSWORD = "Mật-khẩu-Thử-123"  # make_user's default


@pytest.fixture
def ready_to_sign(sender: Agency, clerk: Any, draft: Document) -> Document:
    """A registered document with its scan, in an agency with a demo certificate."""
    demo_pki_load(agencies=[sender])
    services.document_register(actor=clerk, document=draft)
    services.document_upload(actor=clerk, document=draft, main=[make_pdf(1)])
    return draft


def _signed(document: Document) -> bool:
    return document.files.filter(kind=FileKind.SIGNED).exists()


def _sign_events() -> list[dict[str, Any]]:
    return [json.loads(e.data) if isinstance(e.data, str) else e.data
            for e in AuditEvent.objects.filter(
                action__in=["registry.document_sign", "signatures.pdf_sign"])]


def test_service_refuses_to_sign_without_confirmation(ready_to_sign: Document,
                                                      clerk: Any) -> None:
    """R14.3: a session (or token) alone signs nothing; the refusal is audited."""
    with pytest.raises(StepUpFailed) as caught:
        services.document_sign(actor=clerk, document=ready_to_sign)
    assert caught.value.code == "stepup_required"
    assert caught.value.status == 403
    assert not _signed(ready_to_sign)
    assert AuditEvent.objects.filter(action="registry.document_sign.denied").exists()


def test_confirmation_of_someone_else_or_stale_is_refused(
        ready_to_sign: Document, clerk: Any, make_user: Any, sender: Agency) -> None:
    """R14.3: a confirmation proves one person, once, for a short while."""
    from vanban.core.roles import Role

    other = make_user(sender, roles=[Role.CLERK], username="vt2.snv")
    with pytest.raises(StepUpFailed):
        services.document_sign(actor=clerk, document=ready_to_sign,
                               confirmation=stepup_confirm(user=other, password=PASSWORD))
    old = stepup_confirm(user=clerk, password=PASSWORD)
    with clock.frozen(clock.now() + timedelta(minutes=10)), pytest.raises(StepUpFailed):
        services.document_sign(actor=clerk, document=ready_to_sign, confirmation=old)
    assert not _signed(ready_to_sign)


def test_page_asks_for_the_password_and_audits_who_confirmed(
        ready_to_sign: Document, clerk: Any) -> None:
    """R14.3, R21.1: the sign page is a confirmation form; an empty or wrong password signs
    nothing (the wrong one counts as a failed sign-in); the right one signs, and both signature
    events say who confirmed and how, without the password."""
    client = Client()
    client.force_login(clerk)
    url = f"/documents/{ready_to_sign.pk}/sign/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    assert 'name="totp"' in page.content.decode()

    client.post(url, {})
    client.post(url, {"password": "sai-mật-khẩu"})
    assert not _signed(ready_to_sign)
    counted = AuditEvent.objects.filter(action="login.failed", object_id=str(clerk.pk))
    assert [json.loads(e.data)["reason"] for e in counted] == ["stepup_password"]
    assert AuditEvent.objects.filter(action="accounts.stepup.denied").count() == 2

    done = client.post(url, {"password": PASSWORD})
    assert done.status_code == 302
    ready_to_sign.refresh_from_db()
    assert ready_to_sign.state == DocumentState.SIGNED
    events = _sign_events()
    assert len(events) == 2
    for data in events:
        assert data["confirmed_by"] == clerk.username
        assert data["confirmation"] == "password"
    assert not AuditEvent.objects.filter(data__contains=PASSWORD).exists()


def test_detail_page_has_no_one_click_signing(ready_to_sign: Document, clerk: Any) -> None:
    """R14.3: the document page links to the confirmation page instead of posting a sign."""
    client = Client()
    client.force_login(clerk)
    body = client.get(f"/documents/{ready_to_sign.pk}/").content.decode()
    assert f'action="/documents/{ready_to_sign.pk}/sign/"' not in body
    assert f'href="/documents/{ready_to_sign.pk}/sign/"' in body


def test_api_needs_the_confirmation_in_the_body(ready_to_sign: Document, clerk: Any) -> None:
    """R14.3: ``POST /api/v1/documents/{id}/sign/`` without a confirmation is a 403 problem;
    with a TOTP code of the clerk's device it signs, and the events say ``totp``."""
    device = totp_enrol_start(user=clerk)
    totp_enrol_confirm(user=clerk, code=pyotp.TOTP(device.secret).now())
    client = Client()
    client.force_login(clerk)
    session = client.session
    session[SESSION_2FA_OK] = True  # this session passed the second factor at sign-in
    session.save()
    url = f"/api/v1/documents/{ready_to_sign.pk}/sign/"
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    assert refused.json()["code"] == "stepup_required"
    assert refused.json()["detail_vi"]
    assert refused.json()["detail_en"]
    assert not _signed(ready_to_sign)

    later = clock.now() + timedelta(seconds=90)  # the enrolment used the current time step
    with clock.frozen(later):
        code = pyotp.TOTP(device.secret).at(later)
        signed = client.post(url, {"totp": code}, content_type="application/json")
    assert signed.status_code == 201, signed.content
    assert {d["confirmation"] for d in _sign_events()} == {"totp"}


def test_repeated_wrong_confirmations_lock_the_account(
        ready_to_sign: Document, clerk: Any, settings: Any) -> None:
    """R20.2: the confirmation is no way round the lockout; once locked (from that address)
    nothing confirms, not even the right password."""
    settings.VANBAN_LOCKOUT_THRESHOLD = 3
    for _ in range(3):
        with pytest.raises(DomainError):
            stepup_confirm(user=clerk, password="sai", ip="10.0.0.7")
    with pytest.raises(DomainError) as caught:
        stepup_confirm(user=clerk, password=PASSWORD, ip="10.0.0.7")
    assert caught.value.code == "account_locked"
    assert caught.value.status == 403
    with pytest.raises(StepUpFailed):
        services.document_sign(actor=clerk, document=ready_to_sign)
    assert not _signed(ready_to_sign)


def test_only_the_clerk_is_asked_for_a_confirmation(ready_to_sign: Document, make_user: Any,
                                                    sender: Agency) -> None:
    """R14.3, R21.1: another staff member of the agency posting a password or a PIN to the sign
    action is refused before any confirmation is tried, through the API and the page: nobody
    but the clerk spends the token's PIN retries or learns whether a guess was right."""
    from vanban.core.roles import Role

    specialist = make_user(sender, roles=[Role.SPECIALIST])
    client = Client()
    client.force_login(specialist)
    url = f"/api/v1/documents/{ready_to_sign.pk}/sign/"
    for body in ({"password": PASSWORD}, {"pin": "123456"}):
        refused = client.post(url, body, content_type="application/json")
        assert refused.status_code == 403
        assert refused.json()["code"] != "stepup_failed"
    page = client.post(f"/documents/{ready_to_sign.pk}/sign/", {"password": PASSWORD})
    assert page.status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="accounts.stepup").exists()
    assert not _signed(ready_to_sign)


def test_confirmation_page_shows_what_is_signed(ready_to_sign: Document, clerk: Any) -> None:
    """R14.3: the confirmation step says what the clerk is about to sign (number, subject,
    signer, pages) and links to the file to read it again; the hash sits behind a fold."""
    client = Client()
    client.force_login(clerk)
    body = client.get(f"/documents/{ready_to_sign.pk}/sign/").content.decode()
    assert 'data-testid="sign-summary"' in body
    assert ready_to_sign.number_text in body
    assert ready_to_sign.subject in body
    current = ready_to_sign.files.order_by("-pk").first()
    assert current is not None
    assert f'href="/documents/{ready_to_sign.pk}/files/{current.pk}/"' in body
    assert "<details" in body
