"""The report of the twice-daily checks (R10.2): per agency and working day, whether the morning
and the afternoon checks happened (who, when, how many waited); HTML and CSV; who sees what."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest

from vanban.checks import selectors, services
from vanban.checks.tests.conftest import SATURDAY, TET, THURSDAY, WEDNESDAY, at
from vanban.core import clock
from vanban.core.errors import Forbidden, NotFound, ValidationFailed
from vanban.core.roles import Role

pytestmark = pytest.mark.django_db


def _check(user: Any, when: datetime) -> Any:
    """The clerk opens the inbox at ``when`` (the real recording service)."""
    with clock.frozen(when):
        return services.inbox_check_record(actor=user)


@pytest.fixture
def history(deliver, finance, health, finance_clerk, make_user):
    """Sở Tài chính checked both windows on Wednesday, only the morning on Thursday, and
    opened the inbox on Saturday; Sở Y tế never checked."""
    deliver(finance, at(WEDNESDAY, 7))
    _check(finance_clerk, at(WEDNESDAY, 9, 15))
    _check(finance_clerk, at(WEDNESDAY, 10, 0))
    _check(finance_clerk, at(WEDNESDAY, 15, 5))
    _check(finance_clerk, at(THURSDAY, 11, 29))
    _check(finance_clerk, at(THURSDAY, 17, 0))  # after the afternoon's end: counts for nothing
    _check(finance_clerk, at(SATURDAY, 9, 0))
    return make_user(health, roles=[Role.CLERK], username="vt.syt")


def _cells(report: selectors.Report, code: str, day: date) -> tuple[Any, list[Any]]:
    """The row of one agency and day, and its window cells."""
    [row] = [r for r in report.rows if r.agency.code == code and r.day == day]
    return row, row.cells


def test_report_shows_checks_and_missing_ones(history, finance, health, finance_clerk, admin):
    """R10.2: both checks / a missing afternoon / non-working days shown as such, not missing."""
    with clock.frozen(at(SATURDAY, 20)):
        report = selectors.check_report(admin, start=WEDNESDAY, end=SATURDAY)
    row, (morning, afternoon) = _cells(report, finance.code, WEDNESDAY)
    assert row.working
    assert row.complete
    assert (morning.status, morning.checks, morning.first.user) == ("done", 2, finance_clerk)
    assert morning.first.checked_at == at(WEDNESDAY, 9, 15)
    assert morning.first.waiting == 1
    assert (afternoon.status, afternoon.first.checked_at) == ("done", at(WEDNESDAY, 15, 5))
    row, (morning, afternoon) = _cells(report, finance.code, THURSDAY)
    assert (morning.status, afternoon.status, row.complete) == ("done", "missed", False)
    row, cells = _cells(report, finance.code, SATURDAY)
    assert not row.working
    assert [c.status for c in cells] == ["off", "off"]
    row, cells = _cells(report, health.code, WEDNESDAY)
    assert [c.status for c in cells] == ["missed", "missed"]
    summary = {s.agency.code: s for s in report.summary}
    assert (summary[finance.code].working_days, summary[finance.code].complete_days,
            summary[finance.code].missed_windows) == (3, 1, 3)
    assert summary[health.code].missed_windows == 6


def test_report_today_pending_tet_and_make_up_day(finance, finance_clerk):
    """R10.2: a window not yet ended is pending; Tết is a day off; a make-up Saturday is due."""
    from vanban.directory.models import CalendarDay

    CalendarDay.objects.create(day=SATURDAY, working=True, created_at=clock.now())
    _check(finance_clerk, at(SATURDAY, 8))
    with clock.frozen(at(SATURDAY, 12)):
        report = selectors.check_report(finance_clerk, start=SATURDAY, end=SATURDAY)
    row, cells = _cells(report, finance.code, SATURDAY)
    assert row.working
    assert [c.status for c in cells] == ["done", "pending"]
    with clock.frozen(at(TET, 18)):
        report = selectors.check_report(finance_clerk, start=TET, end=TET)
    row, cells = _cells(report, finance.code, TET)
    assert not row.working
    assert "Tết" in row.holiday
    assert [c.status for c in cells] == ["off", "off"]


def test_own_agency_only_and_province_admin_sees_all(history, finance, health, finance_clerk,  # noqa: PLR0917
                                                     finance_head, admin, make_user, client):
    """R10.2/R1.1: head, delegate and clerk see their own agency; another agency is not found;
    other roles are refused; the province administrator sees all and can filter."""
    for user in (finance_clerk, finance_head):
        report = selectors.check_report(user, start=WEDNESDAY, end=THURSDAY)
        assert {r.agency.code for r in report.rows} == {finance.code}
    with pytest.raises(NotFound):
        selectors.check_report(finance_head, start=WEDNESDAY, end=THURSDAY,
                               agency_code=health.code)
    specialist = make_user(finance, roles=[Role.SPECIALIST])
    with pytest.raises(Forbidden):
        selectors.check_report(specialist, start=WEDNESDAY, end=THURSDAY)
    report = selectors.check_report(admin, start=WEDNESDAY, end=THURSDAY)
    assert {finance.code, health.code} <= {r.agency.code for r in report.rows}
    report = selectors.check_report(admin, start=WEDNESDAY, end=THURSDAY,
                                    agency_code=health.code)
    assert {r.agency.code for r in report.rows} == {health.code}
    with pytest.raises(ValidationFailed):
        selectors.check_report(admin, start=THURSDAY, end=WEDNESDAY)

    # The same through the pages.
    query = f"?from={WEDNESDAY:%Y-%m-%d}&to={THURSDAY:%Y-%m-%d}"
    client.force_login(finance_clerk)
    page = client.get("/checks/" + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-agency="000.00.03.H06"' in html
    assert 'data-agency="000.00.04.H06"' not in html
    assert "Đã kiểm tra" in html
    assert "Không kiểm tra" in html
    assert client.get(f"/checks/{query}&agency={health.code}").status_code == 404
    assert client.get(f"/checks/report.csv{query}&agency={health.code}").status_code == 404
    client.force_login(specialist)
    assert client.get("/checks/" + query).status_code == 403
    client.force_login(admin)
    html = client.get(f"/checks/{query}&agency={health.code}").content.decode()
    assert 'data-agency="000.00.04.H06"' in html
    assert 'data-agency="000.00.03.H06"' not in html
    assert 'id="id_agency"' in html  # the filter is offered to the province administrator
    assert client.get("/checks/?from=2026-13-01").status_code == 200  # an error message, no crash


def test_csv_has_bom_and_rows(history, finance, finance_clerk, client):
    """R10.2: the CSV download is UTF-8 with a BOM (Excel) and has one line per agency and day."""
    client.force_login(finance_clerk)
    with clock.frozen(at(SATURDAY, 20)):
        response = client.get(f"/checks/report.csv?from={WEDNESDAY:%Y-%m-%d}"
                              f"&to={SATURDAY:%Y-%m-%d}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mã định danh", "Cơ quan", "Ngày", "Ngày làm việc"]
    assert "buổi sáng: trạng thái" in rows[0]
    assert "buổi chiều: người kiểm tra" in rows[0]
    assert len(rows) == 1 + 4  # Wednesday to Saturday, one agency
    wednesday, thursday, _friday, saturday = rows[1:]
    assert wednesday[:4] == [finance.code, "Sở Tài chính", "25/11/2026", "Có"]
    assert wednesday[5:10] == ["Đã kiểm tra", finance_clerk.full_name, "25/11/2026 09:15", "1",
                               "0"]
    assert thursday[10] == "Không kiểm tra"
    assert saturday[3] == "Không"
    assert saturday[5] == "Ngày nghỉ"


def test_reminders_page_and_count_are_per_user(client, finance_clerk, finance_clerk2):
    """R10.2: a user sees and marks only their own reminders."""
    from vanban.checks.models import Reminder

    reminder = Reminder.objects.create(
        user=finance_clerk2, agency=finance_clerk2.agency, day=WEDNESDAY, window=0,
        window_end=at(WEDNESDAY, 11, 30), waiting=3, created_at=clock.now())
    client.force_login(finance_clerk)
    assert "Không có lời nhắc nào." in client.get("/checks/reminders/").content.decode()
    client.post("/checks/reminders/read/", {"id": reminder.pk})
    reminder.refresh_from_db()
    assert reminder.read_at is None
    client.force_login(finance_clerk2)
    page = client.get("/checks/reminders/").content.decode()
    assert "1 lời nhắc chưa đọc." in page
    assert "buổi sáng".capitalize() in page
    client.post("/checks/reminders/read/", {"id": reminder.pk})
    reminder.refresh_from_db()
    assert reminder.read_at is not None
