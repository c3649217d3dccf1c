"""Refused input at either door leaves nothing behind, and an applicant's address never breaks a
page: one address only (Django's check), and a mail that fails after a commit is logged, not
raised (spec §11, R11.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.test import Client, override_settings
from django.utils.datastructures import MultiValueDict

from vanban.audit.models import AuditEvent
from vanban.core.errors import ValidationFailed
from vanban.directory.models import Agency
from vanban.mail.tests.servers import MailServers, mail_servers  # noqa: F401 (fixture)
from vanban.onestop import actions, services
from vanban.onestop.forms import IntakeForm
from vanban.onestop.models import Dossier, DossierEvent, DossierFile, OnlineLevel
from vanban.onestop.portal import notify
from vanban.onestop.portal import services as portal
from vanban.onestop.tests.factories import make_pdf
from vanban.onestop.tests.test_services import World

pytestmark = pytest.mark.django_db
TWO = "a@b.vn,c@d.vn"


@pytest.fixture
def world(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> World:
    found = World(make_agency, make_user)
    found.procedure.online_level = OnlineLevel.FULL
    found.procedure.save(update_fields=["online_level"])
    return found


@pytest.fixture
def relay(mail_servers: MailServers) -> Any:  # noqa: F811 (the fixture above)
    """Django's SMTP backend pointed at the real test relay."""
    sender = "motcua@stp.bacgiang.gov.vn"
    password = mail_servers.add_mailbox(sender)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST=mail_servers.host, EMAIL_PORT=mail_servers.smtp_port,
                           EMAIL_HOST_USER=sender, EMAIL_HOST_PASSWORD=password,
                           EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_TIMEOUT=10,
                           DEFAULT_FROM_EMAIL=sender):
        yield


def _filing(world: World, email: str) -> dict[str, object]:
    return {"name": "Nguyễn Văn An", "id_number": "001099000123", "email": email,
            f"doc_{world.mandatory.pk}": SimpleUploadedFile("a.pdf", make_pdf(),
                                                             "application/pdf")}


@override_settings(VANBAN_PORTAL_LOCAL_SUBMISSION=True)
def test_two_addresses_are_refused_at_the_portal(world: World, relay: Any, client: Client
                                                 ) -> None:
    """R11.1: "a@b.vn,c@d.vn" is not one address: the filing is refused with a clear message
    and nothing is stored, instead of a 500 after the dossier was saved."""
    response = client.post(f"/dich-vu-cong/thu-tuc/{world.procedure.pk}/nop/",
                           _filing(world, TWO))
    assert response.status_code == 400
    assert "thư điện tử không hợp lệ" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_a_bad_stored_address_never_breaks_a_staff_action(
        world: World, relay: Any, django_capture_on_commit_callbacks: Any) -> None:
    """An address stored before it was checked makes the SMTP backend raise: the staff action
    still succeeds, the mail is logged as failed."""
    dossier = services.dossier_receive(
        actor=world.officer, desk=world.so, procedure=world.procedure,
        applicant=services.Applicant(name="Nguyễn Văn An", email=TWO),
        papers=[services.Paper(parts=[make_pdf()], filename="a.pdf",
                               required_document_id=world.mandatory.pk)])
    with django_capture_on_commit_callbacks(execute=True) as done:
        services.dossier_request_intake_supplement(actor=world.officer, dossier=dossier,
                                                   items=["Giấy X"], reason="thiếu")
    assert done  # the notice ran after the commit …
    dossier.refresh_from_db()
    assert dossier.state == "intake_supplement"  # … and the change stands
    event = DossierEvent.objects.filter(dossier=dossier).latest("id")
    assert notify.dossier_event_notify(event.pk) is False


def test_the_filing_receipt_mail_never_raises(world: World, relay: Any) -> None:
    """The receipt mail of a filing to a bad stored address is logged and answers False."""
    dossier = services.dossier_receive(
        actor=None, desk=world.so, procedure=world.procedure,
        applicant=services.Applicant(name="Nguyễn Văn An", email=TWO),
        papers=[services.Paper(parts=[make_pdf()], filename="a.pdf",
                               required_document_id=world.mandatory.pk)])
    assert notify.filed_notify(dossier, "ABCD2345") is False


@override_settings(VANBAN_PORTAL_LOCAL_SUBMISSION=True)
def test_online_filing_is_whole_or_nothing(world: World, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    """R11.1: when the code cannot be issued the dossier is not kept either (one
    transaction), so no dossier without a code or secret is left behind."""
    def broken(**_: object) -> str:
        raise DatabaseError("the code counter is locked")

    monkeypatch.setattr(portal, "code_issue", broken)
    with pytest.raises(DatabaseError):
        portal.online_file(procedure=world.procedure,
                           applicant=services.Applicant(name="A B", id_number="1",
                                                        email="a@b.vn"),
                           uploads=[portal.Upload(world.mandatory.pk, "a.pdf", make_pdf())])
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0
    assert not AuditEvent.objects.filter(action="onestop.dossier_receive").exists()


@pytest.mark.parametrize(("decision", "field", "value", "code"), [
    ("supplement", "items", "x" * 600, "too_long"),
    ("refuse", "reason", "", "reason_required"),
])
def test_a_refused_counter_decision_leaves_no_dossier(world: World, decision: str, field: str,
                                                      value: str, code: str) -> None:
    """R11.2: an item or a reason the services refuse is refused before the dossier is
    received: nothing is kept."""
    form = IntakeForm({"name": "Lê Văn C", "decision": decision, field: value,
                       "classification": "thuong"})
    assert form.is_valid(), form.errors
    with pytest.raises(ValidationFailed) as err:
        actions.counter_intake(world.officer, world.so, world.procedure, form,
                               MultiValueDict())
    assert err.value.code == code
    assert Dossier.objects.count() == 0
