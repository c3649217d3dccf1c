"""Work files with the Decree 30/2020 Phụ lục V metadata (R12.1)."""

from __future__ import annotations

import json
from datetime import date

import pytest

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
)


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
