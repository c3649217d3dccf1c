"""Staff accounts (R20.1, R1.1): created and managed only inside one's own agency, except by the
province administrator; refusals audited; province-only powers kept province-only."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from django.contrib.auth.hashers import make_password

from vanban.accounts import selectors, services
from vanban.accounts.models import User
from vanban.accounts.tests.conftest import PASSWORD, STRONG
from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit

pytestmark = pytest.mark.django_db


def _create(actor: User | None, agency: Agency, username: str = "nvd", *,
            roles: Iterable[Role | str] = (Role.CLERK,), unit: Unit | None = None,
            position: str = "", mailbox: str = "") -> User:
    return services.staff_create(actor=actor, agency=agency, username=username,
                                 full_name="Nguyễn Văn D", roles=roles, password=STRONG,
                                 unit=unit, position=position, mailbox=mailbox)


def test_head_creates_staff_in_own_agency(head_x: User, agency_x: Agency, unit_x: Unit) -> None:
    """R20.1: the agency head creates a staff account with roles and unit; audited without any
    password material."""
    user = _create(head_x, agency_x, unit=unit_x, position="Văn thư",
                   roles=[Role.CLERK, Role.SPECIALIST])
    assert user.agency_id == agency_x.pk
    assert user.unit_id == unit_x.pk
    assert user.role_set() == {Role.CLERK, Role.SPECIALIST}
    assert user.must_change_password
    assert user.password_changed_at is not None
    event = AuditEvent.objects.get(action="staff.create")
    assert event.actor_id == head_x.pk
    assert event.agency_code == agency_x.code
    assert "clerk" in event.data
    assert STRONG not in event.data
    assert user.password not in event.data


def test_head_of_other_agency_gets_not_found(head_x: User, agency_y: Agency) -> None:
    """R20.1, R1.1: the head of X creating staff in Y gets NotFound; nothing is stored; the
    attempt is audited."""
    with pytest.raises(NotFound):
        _create(head_x, agency_y)
    assert not User.objects.filter(username="nvd").exists()
    event = AuditEvent.objects.get(action="staff.create.denied")
    assert event.actor_id == head_x.pk
    assert "not_found" in event.data
    assert "nvd" in event.data


def test_clerk_cannot_create_staff(clerk_x: User, agency_x: Agency) -> None:
    """R20.1: only HEAD, DELEGATE or IT_OFFICER of the agency manage its accounts."""
    with pytest.raises(Forbidden):
        _create(clerk_x, agency_x)
    assert not User.objects.filter(username="nvd").exists()
    assert AuditEvent.objects.filter(action="staff.create.denied", actor_id=clerk_x.pk).exists()


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.IT_OFFICER])
def test_delegate_and_it_officer_manage_staff(make_user: Callable[..., User], agency_x: Agency,
                                              role: Role) -> None:
    """R20.1: the head's delegate and the IT officer may create accounts too."""
    actor = make_user(agency_x, roles=[role])
    assert _create(actor, agency_x).agency_id == agency_x.pk


def test_province_admin_creates_anywhere(province_admin: User, agency_y: Agency) -> None:
    """R20.1: the province administrator works on every agency and sets staff mailboxes."""
    user = _create(province_admin, agency_y, mailbox="NVD@syt.bacgiang.gov.vn")
    assert user.agency_id == agency_y.pk
    assert user.mailbox == "nvd@syt.bacgiang.gov.vn"


def test_duplicate_username_is_conflict(head_x: User, agency_x: Agency, agency_y: Agency) -> None:
    """R20.1: usernames are unique across the province, ignoring case."""
    _create(head_x, agency_x, username="nguyenvand")
    with pytest.raises(Conflict) as caught:
        _create(None, agency_y, username="NguyenVanD")
    assert "NguyenVanD" in caught.value.vi
    assert "đã được sử dụng" in caught.value.vi
    assert User.objects.filter(username__iexact="nguyenvand").count() == 1


def test_province_admin_role_reserved(head_x: User, agency_x: Agency,
                                      province_admin: User) -> None:
    """R20.1: only the province administrator (or the console) grants that role."""
    with pytest.raises(Forbidden):
        _create(head_x, agency_x, roles=[Role.PROVINCE_ADMIN])
    assert _create(province_admin, agency_x, "pa2", roles=[Role.PROVINCE_ADMIN]).has_role(
        Role.PROVINCE_ADMIN)
    assert _create(None, agency_x, "pa3", roles=[Role.PROVINCE_ADMIN]).has_role(
        Role.PROVINCE_ADMIN)


def test_mailbox_reserved_to_province_admin(head_x: User, agency_x: Agency,
                                            province_admin: User) -> None:
    """R20.1: staff mailboxes come from the province administrator; each belongs to one person."""
    with pytest.raises(Forbidden):
        _create(head_x, agency_x, mailbox="nvd@stp.bacgiang.gov.vn")
    _create(province_admin, agency_x, mailbox="nvd@stp.bacgiang.gov.vn")
    with pytest.raises(Conflict):
        _create(province_admin, agency_x, "nve", mailbox="NVD@stp.bacgiang.gov.vn")


def test_unit_must_belong_to_agency(head_x: User, agency_x: Agency, unit_y: Unit) -> None:
    """R20.1: a staff member's unit is one of the agency's own."""
    with pytest.raises(ValidationFailed):
        _create(head_x, agency_x, unit=unit_y)


def test_invalid_username_and_role(head_x: User, agency_x: Agency) -> None:
    """R20.1: usernames have a safe alphabet; roles must exist."""
    with pytest.raises(ValidationFailed):
        _create(head_x, agency_x, username="có dấu cách")
    with pytest.raises(ValidationFailed):
        _create(head_x, agency_x, roles=["superhero"])


def test_password_hash_for_demo_and_imports(agency_x: Agency) -> None:
    """R20.1: a precomputed hash is stored as is and need not be changed."""
    user = services.staff_create(actor=None, agency=agency_x, username="demo1",
                                 full_name="Cán bộ mẫu", roles=[Role.CLERK],
                                 password_hash=make_password(PASSWORD))
    assert not user.must_change_password
    assert services.login_attempt(username="demo1", password=PASSWORD, ip="").pk == user.pk
    with pytest.raises(ValueError, match="exactly one"):
        services.staff_create(actor=None, agency=agency_x, username="demo2", full_name="X",
                              roles=[], password=PASSWORD, password_hash=make_password(PASSWORD))
    with pytest.raises(ValidationFailed):
        services.staff_create(actor=None, agency=agency_x, username="demo3", full_name="X",
                              roles=[], password_hash="not-a-hash")


def test_update_roles_and_deactivate(head_x: User, clerk_x: User, unit_x: Unit) -> None:
    """R20.1: the head edits details and roles, and deactivates an account; all audited."""
    services.staff_update(actor=head_x, user=clerk_x, full_name="Trần Thị E", unit=unit_x,
                          position="Văn thư")
    services.staff_set_roles(actor=head_x, user=clerk_x, roles=[Role.SPECIALIST])
    services.staff_update(actor=head_x, user=clerk_x, active=False)
    clerk_x.refresh_from_db()
    assert (clerk_x.full_name, clerk_x.unit_id, clerk_x.is_active) == ("Trần Thị E", unit_x.pk,
                                                                       False)
    assert clerk_x.role_set() == {Role.SPECIALIST}
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["staff.update", "staff.set_roles", "staff.update"]


def test_manage_other_agency_staff_not_found(head_y: User, clerk_x: User) -> None:
    """R1.1: another agency's staff member cannot be edited, reset or re-roled."""
    with pytest.raises(NotFound):
        services.staff_update(actor=head_y, user=clerk_x, full_name="X")
    with pytest.raises(NotFound):
        services.staff_set_roles(actor=head_y, user=clerk_x, roles=[Role.HEAD])
    with pytest.raises(NotFound):
        services.staff_reset_password(actor=head_y, user=clerk_x, password=STRONG)
    clerk_x.refresh_from_db()
    assert clerk_x.full_name != "X"
    assert clerk_x.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action__endswith=".denied").count() == 3


def test_cannot_deactivate_self(head_x: User) -> None:
    """R20.1: a head cannot lock themself out by mistake (nobody acts on their own account
    through the administrative actions)."""
    with pytest.raises(Forbidden):
        services.staff_update(actor=head_x, user=head_x, active=False)


def test_agency_head_cannot_touch_province_admin(make_user: Callable[..., User],
                                                 province_admin: User) -> None:
    """R20.1: a province administrator's account is managed only at province level."""
    head = make_user(province_admin.agency, roles=[Role.HEAD])
    with pytest.raises(Forbidden):
        services.staff_reset_password(actor=head, user=province_admin, password=STRONG)
    with pytest.raises(Forbidden):
        services.staff_set_roles(actor=head, user=province_admin, roles=[Role.CLERK])


def test_selectors_scope_staff(head_x: User, clerk_x: User, head_y: User,
                               province_admin: User, agency_y: Agency) -> None:
    """R1.1: staff lists and look-ups stay inside the agency; the province admin sees all."""
    assert set(selectors.staff_for(head_x)) == {head_x, clerk_x}
    with pytest.raises(NotFound):
        selectors.staff_for(head_x, agency_y)
    with pytest.raises(NotFound):
        selectors.staff_get(head_x, head_y.pk)
    with pytest.raises(NotFound):
        selectors.staff_get(head_x, "abc")
    assert selectors.staff_get(head_x, clerk_x.pk) == clerk_x
    assert list(selectors.staff_for(province_admin, agency_y)) == [head_y]
    assert selectors.staff_get(province_admin, head_y.pk) == head_y
    with pytest.raises(NotFound):
        selectors.agency_for(head_x, agency_y.code)
    assert selectors.agency_for(province_admin, agency_y.code) == agency_y


@pytest.mark.django_db
def test_it_officer_cannot_make_anyone_head_and_nobody_changes_own_roles(make_agency, make_user):
    """R20.1: the head's authority is handed out by the head or the province, never taken.

    An IT officer or delegate cannot grant HEAD/DELEGATE (even to themselves), and nobody but
    the province changes their own roles; each refusal is audited and nothing changes.
    """
    from vanban.accounts.services import staff_set_roles
    from vanban.audit.models import AuditEvent
    from vanban.core.errors import Forbidden

    agency = make_agency()
    head = make_user(agency, roles=[Role.HEAD])
    it = make_user(agency, roles=[Role.IT_OFFICER])
    delegate = make_user(agency, roles=[Role.DELEGATE])
    clerk = make_user(agency, roles=[Role.CLERK])

    with pytest.raises(Forbidden):
        staff_set_roles(actor=it, user=it, roles=[Role.IT_OFFICER, Role.HEAD])
    with pytest.raises(Forbidden):
        staff_set_roles(actor=it, user=head, roles=[Role.SPECIALIST])
    with pytest.raises(Forbidden):
        staff_set_roles(actor=delegate, user=clerk, roles=[Role.CLERK, Role.DELEGATE])
    with pytest.raises(Forbidden):
        staff_set_roles(actor=head, user=head, roles=[Role.SPECIALIST])

    head.refresh_from_db()
    it.refresh_from_db()
    clerk.refresh_from_db()
    assert head.role_set() == {Role.HEAD}
    assert it.role_set() == {Role.IT_OFFICER}
    assert clerk.role_set() == {Role.CLERK}
    assert AuditEvent.objects.filter(action="staff.set_roles.denied").count() == 4

    # The head can appoint a delegate; an IT officer changes ordinary roles of accounts below
    # it only (R20.1: never a delegate's, whose rank is higher).
    staff_set_roles(actor=head, user=clerk, roles=[Role.CLERK, Role.DELEGATE])
    with pytest.raises(Forbidden):
        staff_set_roles(actor=it, user=delegate, roles=[Role.DELEGATE, Role.SPECIALIST])
    specialist = make_user(agency, roles=[Role.SPECIALIST])
    staff_set_roles(actor=it, user=specialist, roles=[])
    clerk.refresh_from_db()
    specialist.refresh_from_db()
    assert clerk.role_set() == {Role.CLERK, Role.DELEGATE}
    assert specialist.role_set() == frozenset()
