"""Work files with the Decree 30/2020 Phụ lục V metadata (R12.1)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from vanban.audit import chain
from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.exchange.tests.conftest import ready_document
from vanban.workflow.models import WorkFileItem
from vanban.workflow.services import (
    WorkFileInput,
    work_file_add,
    work_file_close,
    work_file_create,
    work_file_remove,
    work_file_update,
)
from vanban.workflow.services.workfiles import work_file_state
from vanban.workflow.tests.conftest import _unit


@pytest.fixture
def work_file(specialist):
    return work_file_create(actor=specialist, data=WorkFileInput(
        notation="05.QLNS", title="Hồ sơ dự toán ngân sách năm 2027", retention_years=10,
        page_total=12, note="Lập theo kế hoạch"))


def test_metadata(work_file, specialist):
    """R12.1: file code (organ code, year, notation), title, retention, creator, dates."""
    assert work_file.file_code == "000.00.03.H06.2026.05.QLNS"
    assert work_file.retention_text == "10 năm"
    assert work_file.creator == specialist
    assert work_file.start_date == date(2026, 11, 2)
    assert work_file.end_date is None
    assert work_file.language == "Tiếng Việt"
    event = AuditEvent.objects.get(action="workflow.work_file_create")
    assert event.object_id == str(work_file.pk)


def test_duplicate_code_is_refused(work_file, specialist):
    """R12.1: a file code is unique in the agency and year."""
    with pytest.raises(Conflict):
        work_file_create(actor=specialist, data=WorkFileInput(notation="05.QLNS", title="Khác",
                                                              retention_years=None))


def test_groups_incoming_and_outgoing_of_the_agency(  # noqa: PLR0917
        work_file, specialist, paper, clerk, agency, sender, sender_clerk):
    """R12.1: incoming and outgoing documents of the same agency go in; another agency's do
    not; removal is audited with what was removed."""
    outgoing = ready_document(clerk, agency, [sender], subject="Báo cáo dự toán")
    work_file_add(actor=specialist, work_file=work_file, incoming=paper)
    item = work_file_add(actor=specialist, work_file=work_file, document=outgoing)
    assert work_file.items.count() == 2
    with pytest.raises(Conflict):
        work_file_add(actor=specialist, work_file=work_file, incoming=paper)
    foreign = ready_document(sender_clerk, sender, [agency], subject="Của Sở Nội vụ")
    with pytest.raises(NotFound):
        work_file_add(actor=specialist, work_file=work_file, document=foreign)
    work_file_remove(actor=specialist, item=item, reason="Nhầm hồ sơ")
    event = AuditEvent.objects.get(action="workflow.work_file_remove")
    assert json.loads(event.data)["document"] == outgoing.pk
    assert json.loads(event.data)["reason"] == "Nhầm hồ sơ"
    assert list(WorkFileItem.objects.values_list("incoming_id", flat=True)) == [paper.pk]


def test_closed_file_is_read_only(work_file, specialist, paper, head, specialist2):
    """R12.1: closing sets the end date; then nothing is added or removed."""
    item = work_file_add(actor=specialist, work_file=work_file, incoming=paper)
    with pytest.raises(Forbidden):  # neither the creator nor a director
        work_file_close(actor=specialist2, work_file=work_file)
    with pytest.raises(ValidationFailed):
        work_file_close(actor=head, work_file=work_file, end_date=date(2026, 1, 1))
    work_file_close(actor=head, work_file=work_file, end_date=date(2026, 11, 2))
    work_file.refresh_from_db()
    assert work_file.end_date == date(2026, 11, 2)
    assert work_file.closed
    with pytest.raises(Conflict):
        work_file_remove(actor=specialist, item=item)
    with pytest.raises(Conflict):
        work_file_close(actor=head, work_file=work_file)


def _corrected(**changes: Any) -> WorkFileInput:
    values = {"notation": "05.QLNS", "title": "Hồ sơ dự toán ngân sách năm 2027",
              "retention_years": 10, "page_total": 12, "note": "Lập theo kế hoạch"}
    return WorkFileInput(**{**values, **changes})


def test_edit_corrects_metadata_and_audits_before_after(work_file, specialist, head, budget):
    """R12.1: the creator (and the head) correct the Phụ lục V metadata of an open file; the
    audit event carries the before/after digests and the changed fields."""
    before = work_file_state(work_file)
    work_file_update(actor=specialist, work_file=work_file, data=_corrected(
        notation="06.QLNS", title="Hồ sơ dự toán ngân sách năm 2027 (điều chỉnh)",
        retention_years=None, unit=budget, rights="Hạn chế", note=""))
    work_file.refresh_from_db()
    assert work_file.file_code == "000.00.03.H06.2026.06.QLNS"
    assert work_file.title.endswith("(điều chỉnh)")
    assert work_file.retention_text == "Vĩnh viễn"
    assert (work_file.unit, work_file.rights, work_file.note) == (budget, "Hạn chế", "")
    assert work_file.start_date == date(2026, 11, 2)  # an empty start date keeps the old one
    event = AuditEvent.objects.get(action="workflow.work_file_update")
    assert event.object_id == str(work_file.pk)
    assert event.before_digest == chain.digest(before)
    assert event.after_digest == chain.digest(work_file_state(work_file))
    changed = json.loads(event.data)["changed"]
    assert changed["code"] == ["000.00.03.H06.2026.05.QLNS", "000.00.03.H06.2026.06.QLNS"]
    assert changed["retention"] == ["10 năm", "Vĩnh viễn"]
    assert "language" not in changed
    work_file_update(actor=head, work_file=work_file, data=_corrected(year=2025))
    work_file.refresh_from_db()
    assert work_file.file_code == "000.00.03.H06.2025.05.QLNS"


def test_edit_validates_like_create(work_file, specialist, other_agency):
    """R12.1: a correction passes the same checks as opening a file (and stays unique)."""
    foreign_unit = _unit(other_agency, "X", "Phòng khác")
    for bad, error in ((_corrected(title="  "), ValidationFailed),
                       (_corrected(retention_years=0), ValidationFailed),
                       (_corrected(page_total=-1), ValidationFailed),
                       (_corrected(year=-5), ValidationFailed),
                       (_corrected(unit=foreign_unit), NotFound)):
        with pytest.raises(error):
            work_file_update(actor=specialist, work_file=work_file, data=bad)
    work_file_create(actor=specialist, data=WorkFileInput(notation="07", title="Khác",
                                                          retention_years=5))
    with pytest.raises(Conflict) as refused:
        work_file_update(actor=specialist, work_file=work_file, data=_corrected(notation="07"))
    assert refused.value.code == "duplicate_file"
    work_file.refresh_from_db()
    assert work_file.notation == "05.QLNS"
    assert not AuditEvent.objects.filter(action="workflow.work_file_update").exists()


def test_edit_refused_when_closed_or_not_manager(work_file, specialist, specialist2, head):
    """R12.1: a closed file is not corrected; a staff member who is neither its creator nor
    the head or delegate is refused, and the refusal is audited."""
    with pytest.raises(Forbidden):
        work_file_update(actor=specialist2, work_file=work_file, data=_corrected(title="Sửa"))
    denied = AuditEvent.objects.get(action="workflow.work_file_update.denied")
    assert denied.object_id == str(work_file.pk)
    work_file_close(actor=head, work_file=work_file)
    with pytest.raises(Conflict) as refused:
        work_file_update(actor=specialist, work_file=work_file, data=_corrected(title="Sửa"))
    assert refused.value.code == "closed"
    work_file.refresh_from_db()
    assert work_file.title == "Hồ sơ dự toán ngân sách năm 2027"


def test_edit_page(work_file, specialist, specialist2, budget):
    """R12.1: the work-file page shows the prefilled edit form and the form corrects the
    file; someone who may not manage it gets no form and a 403."""
    page = Client()
    page.force_login(specialist)
    html = page.get(f"/work/files/{work_file.pk}/").content.decode()
    assert 'data-testid="work-file-edit-form"' in html
    assert 'value="05.QLNS"' in html
    assert 'id="edit_retention" name="retention" value="10"' in html
    response = page.post(f"/work/files/{work_file.pk}/edit/", {
        "notation": "05.QLNS", "year": "2026", "title": "Dự toán 2027 (sửa)", "retention": "vv",
        "unit": str(budget.pk), "start_date": "2026-11-02", "rights": "", "language": "",
        "page_total": "15", "note": "Đã sửa"})
    assert response.status_code == 302
    work_file.refresh_from_db()
    assert (work_file.title, work_file.retention_years, work_file.unit, work_file.page_total,
            work_file.language) == ("Dự toán 2027 (sửa)", None, budget, 15, "Tiếng Việt")
    html = page.get(f"/work/files/{work_file.pk}/").content.decode()
    assert 'value="vv"' in html
    assert f'value="{budget.pk}" selected' in html
    other = Client()
    other.force_login(specialist2)
    assert 'work-file-edit-form' not in other.get(f"/work/files/{work_file.pk}/").content.decode()
    assert other.post(f"/work/files/{work_file.pk}/edit/",
                      {"notation": "X", "title": "X"}).status_code == 403


def test_edit_api(work_file, specialist, head, stranger):
    """R12.1: PATCH /api/v1/workflow/files/{id}/ corrects the given fields only; a closed file
    is a 409, another agency's a 404."""
    api = APIClient()
    api.force_authenticate(specialist)
    url = f"/api/v1/workflow/files/{work_file.pk}/"
    response = api.patch(url, {"title": "Dự toán 2027 (sửa)", "retention_years": None},
                         format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["retention"], body["notation"], body["page_total"]) == (
        "Dự toán 2027 (sửa)", "Vĩnh viễn", "05.QLNS", 12)
    assert api.patch(url, {"retention_years": 500}, format="json").status_code == 400
    outsider = APIClient()
    outsider.force_authenticate(stranger)
    assert outsider.patch(url, {"title": "X"}, format="json").status_code == 404
    work_file_close(actor=head, work_file=work_file)
    assert api.patch(url, {"title": "X"}, format="json").status_code == 409
