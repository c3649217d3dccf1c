"""Who sees and handles what at the desk: the lists and the book are built from the policy's
own predicates (R1.1: no applicant name of a dossier one may not open), an unnamed step is taken
up only by a specialist or a leader (R11.2), the dossier's papers open for whoever may read it,
audited (R16.2), and the tracking secret leaves the session once the receipt is printed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import DomainError
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.onestop import actions, queues, rules, services
from vanban.onestop.core.states import Action
from vanban.onestop.models import Dossier, DossierFile, DossierState
from vanban.onestop.tests.factories import make_pdf
from vanban.onestop.tests.test_services import World, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> World:
    return World(make_agency, make_user)


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _at_approving_step(world: World) -> Dossier:
    """Accepted, handled by the unit and the joint agency: the open step is the agency's
    approving step, no unit and no person named."""
    dossier = services.dossier_accept(actor=world.officer, dossier=receive(world)).dossier
    services.dossier_transfer(actor=world.officer, dossier=dossier)
    services.dossier_hand_over(actor=world.specialist, dossier=dossier)
    services.dossier_hand_over(actor=world.joint_specialist, dossier=dossier)
    dossier.refresh_from_db()
    return dossier


HANDLER = {Action.HAND_OVER, Action.REQUEST_SUPPLEMENT, Action.RESULT_READY}


@pytest.mark.parametrize("role", [Role.CLERK, Role.IT_OFFICER, Role.SECURITY_OFFICER])
def test_staff_without_a_handling_role_do_not_take_up_an_unnamed_step(
        world: World, make_user: Callable[..., Any], role: Role) -> None:
    """R11.2: a clerk, IT or security officer of the step's agency is offered no handling
    action and is refused one; the dossier does not move."""
    dossier = _at_approving_step(world)
    staff = make_user(world.so, roles=[role])
    assert not HANDLER & {o.action for o in actions.offered(staff, dossier)}
    with pytest.raises(DomainError):
        services.dossier_request_supplement(actor=staff, dossier=dossier, items=["Giấy X"],
                                            reason="hỏi thêm")
    response = _client(staff).post(f"/onestop/{dossier.code}/thao-tac/hand_over/",
                                   {"note": "x"})
    assert response.status_code in (302, 403)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PROCESSING
    assert not dossier.supplement_requests.exists()


def test_a_specialist_or_leader_takes_up_an_unnamed_step(world: World) -> None:
    """R11.2: the agency's specialist and head hold the agency's unnamed step."""
    dossier = _at_approving_step(world)
    assert {o.action for o in actions.offered(world.specialist, dossier)} >= HANDLER
    assert {o.action for o in actions.offered(world.head, dossier)} >= HANDLER
    held = rules.Holding(agency_id=world.so.pk, unit_id=None, holder_id=None)
    assert rules.holds(world.specialist, held)
    services.dossier_request_supplement(actor=world.specialist, dossier=dossier,
                                        items=["Giấy X"], reason="hỏi thêm")


def test_a_named_clerk_holds_the_step(world: World, make_user: Callable[..., Any]) -> None:
    """A person named on a step holds it, whatever their role."""
    clerk = make_user(world.so, roles=[Role.CLERK])
    named = rules.Holding(agency_id=world.so.pk, unit_id=None, holder_id=clerk.pk)
    assert rules.holds(clerk, named)
    assert not rules.holds(clerk, rules.Holding(agency_id=world.so.pk, unit_id=None,
                                                holder_id=None))


def test_lists_and_book_show_only_what_the_policy_opens(
        world: World, make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
    """R1.1: a commune desk's dossier under a Sở's procedure is listed (with its applicant's
    name) and booked only for those who may open it: the commune's officer and the Sở's
    leader — not the commune's specialist, nor a Sở specialist before a step reaches the Sở."""
    commune = make_agency("000.00.99.H06", name="UBND xã")
    c_officer = make_user(commune, roles=[Role.ONESTOP])
    c_specialist = make_user(commune, roles=[Role.SPECIALIST])
    dossier = services.dossier_receive(
        actor=c_officer, desk=commune, procedure=world.procedure,
        applicant=services.Applicant(name="Trần Thị Bí Mật"),
        papers=[services.Paper(parts=[make_pdf()], filename="a.pdf",
                               required_document_id=world.mandatory.pk)])
    for person, sees in ((c_officer, True), (c_specialist, False), (world.head, True),
                         (world.specialist, False)):
        assert (dossier in queues.visible(person)) is sees, person.roles
        opened = _client(person).get(f"/onestop/{dossier.pk}/")
        assert (opened.status_code == 200) is sees
        listed = _client(person).get("/onestop/?queue=check").content.decode()
        assert ("Trần Thị Bí Mật" in listed) is sees
    services.dossier_accept(actor=c_officer, dossier=dossier)
    year = clock.local_now().year
    assert dossier in queues.ledger_rows(c_officer, year)
    assert dossier not in queues.ledger_rows(c_specialist, year)
    services.dossier_transfer(actor=c_officer, dossier=dossier)  # now a step is at the Sở
    assert dossier in queues.visible(world.specialist)


def test_papers_open_for_readers_only_and_are_audited(world: World) -> None:
    """R16.2: a scanned paper opens from the dossier page for the desk's officer and the
    province administrator (each download audited), and is "not found" to another agency and
    through another dossier's address."""
    dossier = services.dossier_accept(actor=world.officer, dossier=receive(world)).dossier
    paper = DossierFile.objects.get(dossier=dossier)
    address = f"/onestop/{dossier.code}/tep/{paper.pk}/"
    page = _client(world.officer).get(f"/onestop/{dossier.code}/").content.decode()
    assert address in page
    for reader in (world.officer, world.admin):
        response = _client(reader).get(address)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="document.downloaded",
                                     object_id=str(dossier.pk)).count() == 2
    assert _client(world.outsider).get(address).status_code == 404
    other = receive(world)
    assert _client(world.officer).get(f"/onestop/{other.pk}/tep/{paper.pk}/").status_code == 404


def test_the_secret_leaves_the_session_once_printed(world: World) -> None:
    """The clear tracking secret is kept only until Mẫu 01 is first printed."""
    dossier = receive(world)
    officer = _client(world.officer)
    officer.post(f"/onestop/{dossier.pk}/thao-tac/accept/")
    dossier.refresh_from_db()
    key = f"onestop-receipt-{dossier.pk}"
    assert key in officer.session
    assert officer.get(f"/onestop/{dossier.code}/receipt.pdf").status_code == 200
    assert key not in officer.session
