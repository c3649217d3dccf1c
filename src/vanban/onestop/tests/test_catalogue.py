"""The procedure catalogue (R11.3): each agency configures its procedures, versioned; JSON and
CSV export and import round-trip; a bad file changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit
from vanban.onestop import catalogue
from vanban.onestop.models import Procedure
from vanban.onestop.services.procedures import (
    DocumentSpec,
    Outcome,
    ProcedureSpec,
    StepSpec,
    procedure_save,
    spec_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_agency: Callable[..., Agency]) -> Agency:
    agency = make_agency("000.00.12.H06", name="Sở Tư pháp")
    Unit.objects.create(agency=agency, code="HCTP", name="Phòng Hành chính tư pháp",
                        created_at=clock.now())
    return agency


@pytest.fixture
def joint(make_agency: Callable[..., Agency]) -> Agency:
    agency = make_agency("000.00.41.H06", name="UBND huyện Lục Nam")
    Unit.objects.create(agency=agency, code="TP", name="Phòng Tư pháp", created_at=clock.now())
    return agency


def spec(code: str = "1.000001", *, limit: str = "5", name: str = "Cấp phiếu lý lịch tư pháp",
         joint_code: str = "") -> ProcedureSpec:
    steps = [StepSpec(order=1, time_value=Decimal(2), unit="HCTP", description="Thẩm định"),
             StepSpec(order=3, time_value=Decimal("0.5"), role="approving",
                      description="Ký duyệt")]
    if joint_code:
        steps.append(StepSpec(order=2, time_value=Decimal(1), role="joint", agency=joint_code,
                              unit="TP", description="Xác minh; “trích lục”, dấu phẩy"))
    return ProcedureSpec(
        code=code, name=name, limit_value=Decimal(limit), sector="Lý lịch tư pháp",
        deciding_body="Sở Tư pháp", fee="200.000 đồng/lần", result="Phiếu lý lịch tư pháp",
        result_type_code="KQ01", online_level="full", channels=("counter", "online", "post"),
        steps=tuple(steps),
        documents=(DocumentSpec(name="Tờ khai (Mẫu 03/2013/TT-LLTP)", form="original"),
                   DocumentSpec(name="Bản sao CCCD", form="certified_copy", quantity=2,
                                mandatory=False)))


def test_editing_creates_a_version_and_old_dossiers_keep_theirs(desk: Agency) -> None:
    """R11.3: an edit writes version 2; the same spec again changes nothing."""
    first, outcome = procedure_save(actor=None, agency=desk, spec=spec())
    assert (outcome, first.version) == (Outcome.CREATED, 1)
    assert procedure_save(actor=None, agency=desk, spec=spec())[1] == Outcome.UNCHANGED
    second, outcome = procedure_save(actor=None, agency=desk, spec=spec(limit="7"))
    assert (outcome, second.version) == (Outcome.NEW_VERSION, 2)
    first.refresh_from_db()
    assert first.replaced_by == second
    assert not first.current
    assert second.current
    assert spec_of(first).limit_value == Decimal(5)


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_round_trip(desk: Agency, joint: Agency, make_agency: Callable[..., Agency],
                    kind: str) -> None:
    """R11.3: export then import into another agency gives the same procedures; importing the
    same file again leaves every version as it is."""
    procedure_save(actor=None, agency=desk, spec=spec(joint_code=joint.code))
    procedure_save(actor=None, agency=desk, spec=spec("2.000002", limit="4.5",
                                                      name="Chứng thực bản sao"))
    text = catalogue.export_json(desk) if kind == "json" else catalogue.export_csv(desk)
    again = catalogue.import_catalogue(actor=None, agency=desk, text=text, kind=kind)
    assert again == catalogue.ImportResult(unchanged=2)
    other = make_agency("000.00.14.H06")
    Unit.objects.create(agency=other, code="HCTP", name="Phòng HCTP", created_at=clock.now())
    result = catalogue.import_catalogue(actor=None, agency=other, text=text, kind=kind)
    assert result == catalogue.ImportResult(created=2)
    theirs = [spec_of(p) for p in Procedure.objects.filter(agency=other).order_by("code")]
    ours = [spec_of(p) for p in Procedure.objects.filter(agency=desk).order_by("code")]
    assert theirs == ours
    assert theirs[0].steps[1].agency == joint.code


@pytest.mark.parametrize(("text", "kind"), [
    ("{not json", "json"),
    ('{"format": "other", "procedures": []}', "json"),
    ('{"format": "vanban-onestop-procedures", "procedures": [{"code": "X"}]}', "json"),
    ("kind,code,name,limit_value\nstep,9.9,,\n", "csv"),
    ("kind,code,name,limit_value\nprocedure,1.1,Tên,abc\n", "csv"),
    ("name\nx\n", "csv"),
    ("a", "xml"),
])
def test_bad_files_change_nothing(desk: Agency, text: str, kind: str) -> None:
    """A bad file is refused with a bilingual reason; nothing is imported."""
    with pytest.raises(ValidationFailed) as caught:
        catalogue.import_catalogue(actor=None, agency=desk, text=text, kind=kind)
    assert caught.value.vi
    assert caught.value.en
    assert Procedure.objects.count() == 0


def test_all_or_nothing(desk: Agency) -> None:
    """A second procedure with an unknown unit undoes the first one's import."""
    good = catalogue._as_dict(spec())
    bad = catalogue._as_dict(spec("3.3"))
    bad["steps"][0]["unit"] = "KHONGCO"
    import json

    text = json.dumps({"format": catalogue.FORMAT, "version": 1, "procedures": [good, bad]})
    with pytest.raises(ValidationFailed) as caught:
        catalogue.import_catalogue(actor=None, agency=desk, text=text, kind="json")
    assert caught.value.code == "unknown_unit"
    assert Procedure.objects.count() == 0


def test_steps_may_not_exceed_the_limit(desk: Agency) -> None:
    """§4: the steps' times add up to at most the procedure's limit."""
    with pytest.raises(ValidationFailed) as caught:
        procedure_save(actor=None, agency=desk, spec=spec(limit="2"))
    assert caught.value.code == "steps_too_long"


def test_only_the_agencys_officer_or_leader_configures(
        desk: Agency, make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
    """R11.3: each agency configures its own procedures, nobody else's."""
    officer = make_user(desk, roles=[Role.ONESTOP])
    outsider = make_user(make_agency(), roles=[Role.ONESTOP, Role.HEAD])
    clerk = make_user(desk, roles=[Role.CLERK])
    procedure_save(actor=officer, agency=desk, spec=spec())
    for actor in (outsider, clerk):
        with pytest.raises(Exception, match="not allowed"):
            procedure_save(actor=actor, agency=desk, spec=spec(limit="9"))
    assert Procedure.objects.count() == 1
