"""The statistics page and XLSX (issue 12 point 7, §10): the desk's officer and leaders read
their own desk's figures, the province administrator every desk's, nobody else any."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from vanban.core import clock
from vanban.core.roles import Role
from vanban.onestop.core.ontime import VN_TZ
from vanban.onestop.models import Dossier, DossierState, Procedure

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 20, 9, tzinfo=VN_TZ)


@pytest.fixture
def desks(make_agency):
    mine, theirs = make_agency(name="UBND huyện Yên Dũng"), make_agency(name="Sở Xây dựng")
    for desk, name, done in ((mine, "Cấp giấy phép kinh doanh", True),
                             (theirs, "Cấp phép xây dựng", False)):
        procedure = Procedure.objects.create(agency=desk, code=f"P{desk.pk}", name=name,
                                             limit_value=Decimal(3))
        accepted = datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
        Dossier.objects.create(
            code=f"C-{desk.pk}", desk=desk, procedure=procedure, applicant_name="Phạm D",
            state=DossierState.RETURNED if done else DossierState.PROCESSING,
            received_at=accepted, accepted_at=accepted, due_at=accepted + timedelta(days=3),
            finished_at=accepted + timedelta(days=1) if done else None)
    return mine, theirs


def test_officer_reads_own_desk(client, make_user, desks) -> None:
    """R11.3: a one-stop officer's page counts their desk only: one received, done early."""
    mine, _theirs = desks
    client.force_login(make_user(mine, roles=[Role.ONESTOP]))
    with clock.frozen(NOW):
        page = client.get("/onestop/stats/", {"nam": "2026", "ky": "1"}).content.decode()
    assert "Cấp giấy phép kinh doanh" in page
    assert "Cấp phép xây dựng" not in page
    assert "6 tháng đầu năm 2026" in page


def test_province_admin_xlsx_counts_every_desk(client, make_user, desks) -> None:
    """The province administrator's workbook: a row per agency and the total."""
    client.force_login(make_user(desks[0], roles=[Role.PROVINCE_ADMIN]))
    with clock.frozen(NOW):
        response = client.get("/onestop/stats/thong-ke.xlsx",
                              {"nam": "2026", "ky": "1", "theo": "agency"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content))["Thống kê"]
    rows = [list(r) for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert sorted(str(r[1]) for r in rows[:-1]) == ["Sở Xây dựng", "UBND huyện Yên Dũng"]
    assert rows[-1][1] == "Tổng cộng"
    # received, carried over, new, early, on time, late, within, overdue (due 05/03, open)
    assert rows[-1][2:10] == [2, 0, 2, 1, 0, 0, 0, 1]


def test_others_are_refused_and_bad_periods_explained(client, make_user, desks) -> None:
    """A specialist reads no statistics; a period out of range is a clear message."""
    client.force_login(make_user(desks[0], roles=[Role.SPECIALIST]))
    assert client.get("/onestop/stats/").status_code == 403
    client.force_login(make_user(desks[0], roles=[Role.HEAD]))
    bad = client.get("/onestop/stats/", {"nam": "1990"})
    assert bad.status_code == 400
    assert "Kỳ báo cáo không hợp lệ" in bad.content.decode()
