"""Services and selectors of the directory: who may change what, and the audit trail (R1.1,
R20.1)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.core.roles import Role
from vanban.directory import selectors, services
from vanban.directory.models import Agency, AgencyKind, Unit

pytestmark = pytest.mark.django_db


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def _data(event: AuditEvent) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(event.data)
    return result


def test_province_admin_creates_agency_audited(admin: Any, province: Agency) -> None:
    """R20.1: the province administrator creates an agency and its mailbox; audited with state."""
    agency = services.agency_create(
        actor=admin, code=" 000.00.21.h99 ", name="UBND thành phố  Bắc Giang", short_name="UBND",
        parent=province, kind=AgencyKind.DISTRICT, mailbox="TPBG@Demo.BacGiang.gov.vn")
    assert agency.code == "000.00.21.H99"
    assert agency.name == "UBND thành phố Bắc Giang"
    assert agency.mailbox == "tpbg@demo.bacgiang.gov.vn"
    [event] = _events("directory.agency_create")
    assert event.actor_username == admin.username
    assert event.agency_code == "000.00.21.H99"
    assert event.after_digest
    assert not event.before_digest
    assert _data(event)["after"]["parent_code"] == province.code


def test_console_operator_may_create_agency(db: None) -> None:
    """``actor=None`` is the operator at the console (import, demo)."""
    agency = services.agency_create(actor=None, code="000.00.00.H99", name="UBND tỉnh",
                                    short_name="UBND", kind=AgencyKind.PROVINCE)
    assert agency.parent is None
    assert _events("directory.agency_create")[0].actor_id is None


@pytest.mark.parametrize("role", [Role.HEAD, Role.IT_OFFICER, Role.CLERK, Role.DELEGATE])
def test_only_province_admin_creates_agencies(make_user: Any, agency_x: Agency,
                                              role: Role) -> None:
    """R20.1: nobody but the province administrator creates agencies; the attempt is audited."""
    user = make_user(agency_x, roles=[role])
    before = Agency.objects.count()
    with pytest.raises(Forbidden) as exc:
        services.agency_create(actor=user, code="000.00.40.H99", name="Cơ quan lạ",
                               short_name="CQL")
    assert exc.value.vi
    assert exc.value.en
    assert Agency.objects.count() == before
    [refused] = _events("directory.agency_create.denied")
    assert refused.actor_username == user.username
    assert refused.object_type == "agency"


def test_refusal_of_absurd_code_is_still_audited(head_x: Any) -> None:
    """Unvalidated input in a refused attempt cannot break the audit record (bounded)."""
    with pytest.raises(Forbidden):
        services.agency_create(actor=head_x, code="9" * 500, name="X", short_name="X")
    [refused] = _events("directory.agency_create.denied")
    assert _data(refused)["code"] == "9" * 100


def test_non_admin_cannot_update_agency(head_x: Any, agency_x: Agency) -> None:
    """R20.1: an agency head cannot even rename its own agency or change its mailbox."""
    with pytest.raises(Forbidden):
        services.agency_update(actor=head_x, agency=agency_x, mailbox="x@demo.bacgiang.gov.vn")
    agency_x.refresh_from_db()
    assert agency_x.mailbox == ""
    assert _events("directory.agency_update.denied")


def test_update_audits_before_and_after(admin: Any, agency_x: Agency, agency_y: Agency) -> None:
    """Every change keeps the before and after state in the audit log."""
    services.agency_update(actor=admin, agency=agency_x, name="Sở Nội vụ tỉnh",
                           connected=False, parent=agency_y)
    [event] = _events("directory.agency_update")
    data = _data(event)
    assert data["before"]["name"] == "Sở Nội vụ"
    assert data["after"]["name"] == "Sở Nội vụ tỉnh"
    assert data["before"]["connected"] is True
    assert data["after"]["connected"] is False
    assert data["after"]["parent_code"] == agency_y.code
    assert event.before_digest
    assert event.after_digest


def test_update_without_change_writes_nothing(admin: Any, agency_x: Agency) -> None:
    """Saving the same values again is silent (no event), so repeated imports stay quiet."""
    stamp = agency_x.updated_at
    services.agency_update(actor=admin, agency=agency_x, name=agency_x.name,
                           parent=agency_x.parent, connected=True)
    agency_x.refresh_from_db()
    assert agency_x.updated_at == stamp
    assert not _events("directory.agency_update")


def test_cycles_are_refused(admin: Any, province: Agency, agency_x: Agency,
                            make_agency: Any) -> None:
    """The agency tree stays a tree: no agency under itself or under its own descendant."""
    child = make_agency("001.00.02.H99", short_name="PHONG", parent=agency_x)
    for parent in (agency_x, child):
        with pytest.raises(ValidationFailed) as exc:
            services.agency_update(actor=admin, agency=agency_x, parent=parent)
        assert exc.value.code == "cycle"
    agency_x.refresh_from_db()
    assert agency_x.parent == province


def test_mailboxes_unique_ignoring_case(admin: Any, stttt: Agency, agency_x: Agency) -> None:
    """Two agencies never share an official mailbox, whatever the letter case."""
    with pytest.raises(Conflict):
        services.agency_create(actor=admin, code="000.00.41.H99", name="Sở A", short_name="SA",
                               mailbox="STTTT@demo.bacgiang.gov.vn")
    with pytest.raises(Conflict):
        services.agency_update(actor=admin, agency=agency_x,
                               mailbox="Stttt@Demo.Bacgiang.gov.vn")


@pytest.mark.parametrize(("fields", "code"), [
    ({"code": "000.00.02.H99"}, "duplicate_code"),
    ({"code": "000/00/50/H99"}, "bad_code"),
    ({"name": "  "}, "missing_field"),
    ({"short_name": ""}, "missing_field"),
    ({"mailbox": "không phải email"}, "bad_mailbox"),
    ({"kind": "ministry"}, "bad_kind"),
])
def test_bad_agency_input(admin: Any, agency_x: Agency, fields: dict[str, str],
                          code: str) -> None:
    """Each bad field is a domain error with both messages; nothing is stored."""
    values: dict[str, Any] = {"code": "000.00.50.H99", "name": "Cơ quan mới", "short_name": "CQM",
                              **fields}
    count = Agency.objects.count()
    with pytest.raises((ValidationFailed, Conflict)) as exc:
        services.agency_create(actor=admin, **values)
    assert exc.value.code == code
    assert exc.value.vi != exc.value.en
    assert Agency.objects.count() == count


@pytest.mark.parametrize("role", [Role.HEAD, Role.DELEGATE, Role.IT_OFFICER])
def test_agency_managers_create_units(make_user: Any, agency_x: Agency, role: Role) -> None:
    """R20.1: the head, delegate or IT officer organises the agency's units."""
    user = make_user(agency_x, roles=[role])
    unit = services.unit_create(actor=user, agency=agency_x, code="vp", name="Văn phòng",
                                short_name="VP")
    assert unit.code == "VP"
    [event] = _events("directory.unit_create")
    assert event.agency_code == agency_x.code
    assert _data(event)["after"]["name"] == "Văn phòng"


def test_clerk_cannot_create_units(clerk_x: Any, agency_x: Agency) -> None:
    """A clerk (or specialist) does not organise the agency."""
    with pytest.raises(Forbidden):
        services.unit_create(actor=clerk_x, agency=agency_x, code="VP", name="Văn phòng")
    assert not Unit.objects.exists()


def test_head_of_x_cannot_create_unit_in_y(head_x: Any, agency_y: Agency) -> None:
    """R1.1: the head of agency X has no power over agency Y; refused, nothing stored, audited."""
    with pytest.raises(Forbidden):
        services.unit_create(actor=head_x, agency=agency_y, code="VP", name="Văn phòng")
    assert not Unit.objects.filter(agency=agency_y).exists()
    [refused] = _events("directory.unit_create.denied")
    assert refused.agency_code == agency_y.code
    assert refused.actor_username == head_x.username


def test_other_agency_unit_is_not_found(head_x: Any, agency_y: Agency) -> None:
    """R1.1: changing another agency's unit answers 'not found', never 'forbidden'."""
    unit = services.unit_create(actor=None, agency=agency_y, code="VP", name="Văn phòng")
    with pytest.raises(NotFound):
        services.unit_update(actor=head_x, unit=unit, name="Đổi tên")
    unit.refresh_from_db()
    assert unit.name == "Văn phòng"
    assert _events("directory.unit_update.denied")


def test_unit_update_and_duplicates(admin: Any, agency_x: Agency) -> None:
    """The province administrator may manage any agency's units; codes unique per agency."""
    unit = services.unit_create(actor=admin, agency=agency_x, code="KT", name="Phòng Kinh tế")
    with pytest.raises(Conflict):
        services.unit_create(actor=admin, agency=agency_x, code="kt", name="Trùng")
    services.unit_update(actor=admin, unit=unit, short_name="KT", active=False)
    [event] = _events("directory.unit_update")
    assert _data(event)["before"]["active"] is True
    assert _data(event)["after"]["active"] is False


def test_units_visible_to_own_agency_and_admin(head_x: Any, admin: Any, agency_x: Agency,
                                               agency_y: Agency) -> None:
    """R1.1: units of Y are 'not found' for X's staff; visible to Y's and the administrator."""
    services.unit_create(actor=None, agency=agency_y, code="VP", name="Văn phòng")
    with pytest.raises(NotFound):
        selectors.units_of(head_x, agency_y)
    assert [u.code for u in selectors.units_of(admin, agency_y)] == ["VP"]
    assert list(selectors.units_of(head_x, agency_x)) == []
    assert not selectors.units_visible_to(head_x).filter(agency=agency_y).exists()
    assert selectors.units_visible_to(admin).count() == 1


def test_agency_tree_and_lookup(province: Agency, stttt: Agency, agency_x: Agency,
                                make_agency: Any) -> None:
    """R1.1: the whole province as one tree, visible to all; lookup by code in any case."""
    make_agency("001.00.02.H99", short_name="P1", parent=agency_x)
    make_agency("000.00.99.H99", short_name="OFF", parent=province)
    Agency.objects.filter(code="000.00.99.H99").update(active=False)
    [root] = selectors.agency_tree()
    assert root.agency == province
    assert [c.agency.code for c in root.children] == ["000.00.02.H99", "000.00.16.H99"]
    assert [c.agency.code for c in root.children[0].children] == ["001.00.02.H99"]
    assert root.count() == 4
    assert selectors.agency_tree(include_inactive=True)[0].count() == 5
    assert selectors.agency_get("000.00.16.h99") == stttt
    with pytest.raises(NotFound):
        selectors.agency_get("000.00.77.H99")
    with pytest.raises(NotFound):
        selectors.agency_get("không phải mã")
