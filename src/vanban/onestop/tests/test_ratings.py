"""Ratings of the service (issue 12 point 5): a table row and its audit event, once per dossier,
1–5 kept by the database too; their count and average on the statistics page and in its XLSX
(point 7); the ratings given before the table existed copied from the audit log."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, transaction
from openpyxl import load_workbook

from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict
from vanban.core.roles import Role
from vanban.onestop.core.ontime import VN_TZ
from vanban.onestop.models import Dossier, DossierState, ServiceRating
from vanban.onestop.portal import services
from vanban.onestop.tests.test_statistics_page import NOW, desks  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
RATED_AT = datetime(2026, 3, 10, 9, tzinfo=VN_TZ)


def _returned(desk: Any, n: int) -> Dossier:
    """Another returned dossier of ``desk``'s procedure, accepted and done in March 2026."""
    first = Dossier.objects.filter(desk=desk).first()
    assert first is not None
    accepted = datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
    return Dossier.objects.create(
        code=f"R-{desk.pk}-{n}", desk=desk, procedure=first.procedure, applicant_name="Lê E",
        state=DossierState.RETURNED, received_at=accepted, accepted_at=accepted,
        due_at=accepted + timedelta(days=3), finished_at=accepted + timedelta(days=1),
        returned_at=accepted + timedelta(days=1))


def test_rating_is_a_row_and_an_event_once(desks: Any) -> None:  # noqa: F811
    """R11.1: the applicant's rating of a finished dossier is kept in its table and in the
    audit log together; a second rating is refused and changes nothing."""
    dossier = _returned(desks[0], 1)
    with clock.frozen(RATED_AT):
        services.dossier_rate(dossier=dossier, score=4, comment="Nhanh, chu đáo")
    rating = ServiceRating.objects.get(dossier=dossier)
    assert (rating.score, rating.comment, rating.created_at) == (4, "Nhanh, chu đáo", RATED_AT)
    assert services.rated(dossier)
    with pytest.raises(Conflict):
        services.dossier_rate(dossier=dossier, score=1, comment="")
    assert ServiceRating.objects.get(dossier=dossier).score == 4
    assert AuditEvent.objects.filter(action=services.RATING_ACTION,
                                     object_id=str(dossier.pk)).count() == 1


def test_the_database_keeps_one_rating_from_1_to_5(desks: Any) -> None:  # noqa: F811
    """A score outside 1–5 or a second row for the dossier is refused by the database too."""
    dossier = _returned(desks[0], 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRating.objects.create(dossier=dossier, score=6)
    ServiceRating.objects.create(dossier=dossier, score=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRating.objects.create(dossier=dossier, score=3)


def test_a_given_rating_cannot_be_changed_or_removed(desks: Any) -> None:  # noqa: F811
    """R11.1: a rating once given is kept as given: the database refuses an UPDATE or a DELETE
    of its row, whoever asks (the same append-only triggers as the dossier's history)."""
    dossier = _returned(desks[0], 3)
    services.dossier_rate(dossier=dossier, score=2, comment="Chậm")
    with pytest.raises(DatabaseError), transaction.atomic():
        ServiceRating.objects.filter(dossier=dossier).update(score=5)
    with pytest.raises(DatabaseError), transaction.atomic():
        ServiceRating.objects.filter(dossier=dossier).delete()
    rating = ServiceRating.objects.get(dossier=dossier)
    assert (rating.score, rating.comment) == (2, "Chậm")


def test_statistics_show_the_average_rating(client: Any, make_user: Any,
                                            desks: Any) -> None:  # noqa: F811
    """R11.3: the page and the XLSX give each row's ratings and their average; a rating
    counts in the period its dossier was finished in, even when given after it."""
    mine, theirs = desks
    with clock.frozen(RATED_AT):
        services.dossier_rate(dossier=_returned(mine, 1), score=4, comment="")
        services.dossier_rate(dossier=_returned(mine, 2), score=5, comment="")
        services.dossier_rate(dossier=_returned(theirs, 1), score=2, comment="")
    with clock.frozen(datetime(2026, 7, 2, 9, tzinfo=VN_TZ)):
        services.dossier_rate(dossier=_returned(mine, 3), score=1, comment="")
    client.force_login(make_user(mine, roles=[Role.ONESTOP]))
    with clock.frozen(NOW.replace(month=12)):
        page = client.get("/onestop/stats/", {"nam": "2026", "ky": "1"}).content.decode()
    assert "Đánh giá của người dân" in page
    assert "<td>3</td><td>3,33</td>" in page
    client.force_login(make_user(mine, roles=[Role.PROVINCE_ADMIN]))
    with clock.frozen(NOW.replace(month=12)):
        response = client.get("/onestop/stats/thong-ke.xlsx",
                              {"nam": "2026", "ky": "1", "theo": "agency"})
    sheet = load_workbook(BytesIO(response.content))["Thống kê"]
    rows = {r[1]: list(r) for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert sheet.cell(row=4, column=16).value == "Điểm đánh giá trung bình (1–5)"
    assert rows["UBND huyện Yên Dũng"][14:16] == [3, 3.33]
    assert rows["Sở Xây dựng"][14:16] == [1, 2]
    assert rows["Tổng cộng"][14:16] == [4, 3]
    with clock.frozen(NOW.replace(month=12)):
        later = client.get("/onestop/stats/thong-ke.xlsx",
                           {"nam": "2026", "ky": "2", "theo": "agency"})
    sheet = load_workbook(BytesIO(later.content))["Thống kê"]
    assert [list(r)[14:16] for r in sheet.iter_rows(min_row=5, values_only=True)][-1] == [
        0, None]


def test_ratings_of_the_audit_log_are_copied(desks: Any) -> None:  # noqa: F811
    """The migration that brings the table copies each rating already in the audit log, once,
    with its time; the log is not changed."""
    dossier = _returned(desks[0], 1)
    with clock.frozen(RATED_AT):
        audit_append(actor=None, action=services.RATING_ACTION,
                     object_type=services.OBJECT_TYPE, object_id=dossier.pk,
                     agency_code=dossier.desk.code,
                     data={"score": 3, "comment": "Được", "code": dossier.code})
    events = AuditEvent.objects.count()
    migration = importlib.import_module(
        "vanban.onestop.migrations.0003_service_rating_and_open_indexes")
    migration.copy_ratings(apps, None)
    migration.copy_ratings(apps, None)
    rating = ServiceRating.objects.get(dossier=dossier)
    assert (rating.score, rating.comment, rating.created_at) == (3, "Được", RATED_AT)
    assert ServiceRating.objects.count() == 1
    assert AuditEvent.objects.count() == events
