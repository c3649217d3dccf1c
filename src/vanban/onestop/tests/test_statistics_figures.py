"""The statistics counted in SQL agree with the pure rules of §10 on the same dossiers (issue 12
point 7): one GROUP BY, the same figures as ``core.ontime.tally`` dossier by dossier."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from vanban.core import clock
from vanban.onestop.core.ontime import VN_TZ, Ending, Period, Tally, Timing, judged_due, tally
from vanban.onestop.models import (
    Dossier,
    DossierState,
    Extension,
    Procedure,
    SupplementRequest,
    SupplementStage,
)
from vanban.onestop.statistics.figures import GroupBy, figures, total

S = DossierState
ENDINGS = {S.RESULT_READY: Ending.RESULT, S.RETURNED: Ending.RESULT, S.REFUSED: Ending.REFUSED,
           S.REFUSED_AFTER_APPRAISAL: Ending.REFUSED, S.STOPPED: Ending.WITHDRAWN,
           S.CLOSED_NO_SUPPLEMENT: Ending.STOPPED}
START = datetime(2025, 10, 1, tzinfo=VN_TZ)


def _moment(rng: random.Random) -> datetime:
    return START + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))


def _dossier(rng: random.Random, desk, procedure, n: int) -> tuple[Dossier, Timing]:
    received = _moment(rng)
    refused_at_intake = rng.random() < 0.08
    accepted = None if refused_at_intake else received + timedelta(hours=rng.randrange(0, 30))
    due = accepted + timedelta(days=rng.randrange(0, 20)) if accepted else None
    extended = accepted is not None and rng.random() < 0.15
    original = due if extended else None
    new_due = due + timedelta(days=5) if extended and due else due
    state = S.REFUSED if refused_at_intake else rng.choice(
        [S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.RESULT_READY, S.RETURNED,
         S.REFUSED_AFTER_APPRAISAL, S.STOPPED, S.CLOSED_NO_SUPPLEMENT, S.ACCEPTED])
    finished = None
    if state in ENDINGS:
        finished = (accepted or received) + timedelta(hours=rng.randrange(1, 24 * 40))
    supplements = rng.choice([0, 0, 0, 1, 2])
    # a returned dossier is a returned result, or a refusal after appraisal handed back
    refusal = "Không đủ điều kiện" if state == S.RETURNED and rng.random() < 0.4 else ""
    ending = Ending.REFUSED if refusal else ENDINGS.get(state)
    dossier = Dossier.objects.create(
        code=f"T-{n:05d}", desk=desk, procedure=procedure, applicant_name="Nguyễn Văn A",
        state=state, received_at=received, accepted_at=accepted, due_at=new_due,
        original_due_at=original, finished_at=finished, extended=extended,
        supplement_count=supplements, refusal_reason=refusal)
    awaiting = None
    requested: list[datetime] = []
    for _answered in range(supplements if accepted else 0):
        asked = accepted + timedelta(days=rng.randrange(0, 200)) if accepted else received
        SupplementRequest.objects.create(dossier=dossier, stage=SupplementStage.APPRAISAL,
                                         items=["Giấy tờ"], requested_at=asked,
                                         fulfilled_at=asked + timedelta(days=1))
        requested.append(asked)
    if state == S.SUPPLEMENT_REQUESTED:
        awaiting = (accepted or received) + timedelta(days=rng.randrange(0, 25))
        SupplementRequest.objects.create(dossier=dossier, stage=SupplementStage.APPRAISAL,
                                         items=["Giấy tờ"], requested_at=awaiting)
        requested.append(awaiting)
    issued = None
    if extended and due is not None and new_due is not None and accepted is not None:
        issued = accepted + timedelta(days=rng.randrange(0, 200))
        Extension.objects.create(dossier=dossier, reason="Chờ ý kiến", old_due_at=due,
                                 new_due_at=new_due, issued_at=issued)
    timing = Timing(accepted_at=accepted, due=judged_due(new_due, original), done_at=finished,
                    ending=ending, supplement_requests=supplements,
                    awaiting_since=awaiting, extended=extended, requested=tuple(requested),
                    extended_at=issued)
    return dossier, timing


@pytest.mark.django_db
def test_sql_figures_match_the_rules(make_agency) -> None:
    """R11.3: per agency and in total, each count equals the pure rules' count."""
    rng = random.Random(12)
    desks = [make_agency(name="UBND huyện Lục Nam"), make_agency(name="Sở Tư pháp")]
    procedures = [Procedure.objects.create(agency=desk, code=f"1.00{i}", name=f"Thủ tục {i}",
                                           sector="Hộ tịch", limit_value=Decimal(5))
                  for i, desk in enumerate(desks)]
    timings: dict[int, list[Timing]] = {d.pk: [] for d in desks}
    for n in range(240):
        i = n % 2
        _dossier_row, timing = _dossier(rng, desks[i], procedures[i], n)
        timings[desks[i].pk].append(timing)
    now = datetime(2026, 9, 15, 9, tzinfo=VN_TZ)
    for period in (Period.half_year(2026, 1), Period.half_year(2025, 2),
                   Period.days(datetime(2026, 1, 10).date(), datetime(2026, 9, 30).date())):
        rows = figures(Dossier.objects.all(), period, group_by=GroupBy.AGENCY, now=now)
        by_desk = {row.key[0]: row.tally for row in rows}
        for desk in desks:
            expected = tally(timings[desk.pk], period, now=now)
            assert by_desk.get(desk.pk, Tally()) == expected, (period, desk.name)
        assert total(rows).received == sum(
            tally(t, period, now=now).received for t in timings.values())


@pytest.mark.django_db
def test_rows_by_procedure_and_channel(make_agency) -> None:
    """Rows are labelled by the procedure's name (all versions together) and by channel."""
    desk = make_agency(name="UBND xã Tân Sơn")
    first = Procedure.objects.create(agency=desk, code="2.001", name="Đăng ký khai sinh",
                                     limit_value=Decimal(1))
    second = Procedure.objects.create(agency=desk, code="2.001", name="Đăng ký khai sinh",
                                      limit_value=Decimal(1), version=2)
    at = datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
    for n, (procedure, channel) in enumerate([(first, "counter"), (second, "online"),
                                              (second, "online")]):
        Dossier.objects.create(code=f"P-{n}", desk=desk, procedure=procedure, channel=channel,
                               applicant_name="Trần Thị B", state=S.PROCESSING, received_at=at,
                               accepted_at=at, due_at=at + timedelta(days=2))
    with clock.frozen(datetime(2026, 3, 3, tzinfo=VN_TZ)):
        rows = figures(Dossier.objects.all(), Period.half_year(2026, 1),
                       group_by=GroupBy.PROCEDURE)
        assert [(row.label, row.tally.new, row.tally.within) for row in rows] == [
            ("Đăng ký khai sinh", 3, 3)]
        channels = figures(Dossier.objects.all(), Period.half_year(2026, 1),
                           group_by=GroupBy.CHANNEL)
    assert [(row.key, row.tally.new) for row in channels] == [(("online",), 2),
                                                              (("counter",), 1)]


@pytest.mark.django_db
def test_refusal_after_appraisal_still_counts_once_returned(make_agency) -> None:
    """R11.3: a refusal after appraisal handed back to the applicant (state *returned*) is
    still counted among the refused, as before its return."""
    desk = make_agency(name="UBND xã Tân Sơn")
    procedure = Procedure.objects.create(agency=desk, code="2.002", name="Cấp phép",
                                         limit_value=Decimal(5))
    at = datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
    dossier = Dossier.objects.create(
        code="R-1", desk=desk, procedure=procedure, applicant_name="Trần Thị B",
        state=S.REFUSED_AFTER_APPRAISAL, received_at=at, accepted_at=at,
        due_at=at + timedelta(days=7), finished_at=at + timedelta(days=2),
        refusal_reason="Không đủ điều kiện")
    period = Period.half_year(2026, 1)
    now = datetime(2026, 4, 1, tzinfo=VN_TZ)
    before = total(figures(Dossier.objects.all(), period, group_by=GroupBy.AGENCY, now=now))
    Dossier.objects.filter(pk=dossier.pk).update(state=S.RETURNED,
                                                 returned_at=at + timedelta(days=3))
    after = total(figures(Dossier.objects.all(), period, group_by=GroupBy.AGENCY, now=now))
    assert before.refused == 1
    assert after == before


@pytest.mark.django_db
def test_requests_and_letters_count_in_their_own_period(make_agency) -> None:
    """R11.3: a supplement request and a Mẫu 04 count in the period they were made, not in
    every period the dossier is present in."""
    desk = make_agency(name="UBND xã Tân Sơn")
    procedure = Procedure.objects.create(agency=desk, code="2.003", name="Cấp phép",
                                         limit_value=Decimal(5))
    at = datetime(2026, 6, 20, 9, tzinfo=VN_TZ)
    dossier = Dossier.objects.create(
        code="R-2", desk=desk, procedure=procedure, applicant_name="Trần Thị B",
        state=S.PROCESSING, received_at=at, accepted_at=at, due_at=at + timedelta(days=40),
        original_due_at=at + timedelta(days=20), extended=True, supplement_count=1)
    SupplementRequest.objects.create(dossier=dossier, stage=SupplementStage.APPRAISAL,
                                     items=["Tờ khai"], requested_at=at + timedelta(days=3),
                                     fulfilled_at=at + timedelta(days=4))
    Extension.objects.create(dossier=dossier, reason="Chờ ý kiến", old_due_at=at,
                             new_due_at=at + timedelta(days=40),
                             issued_at=at + timedelta(days=15))
    now = datetime(2026, 8, 1, tzinfo=VN_TZ)
    first = total(figures(Dossier.objects.all(), Period.half_year(2026, 1),
                          group_by=GroupBy.AGENCY, now=now))
    second = total(figures(Dossier.objects.all(), Period.half_year(2026, 2),
                           group_by=GroupBy.AGENCY, now=now))
    assert (first.supplement_requests, first.extended) == (1, 0)
    assert (second.supplement_requests, second.extended) == (0, 1)


@pytest.mark.django_db
def test_a_dossier_stopped_before_acceptance_is_rated_not_refused(make_agency) -> None:
    """R11.1, R11.3: the applicant may rate a dossier withdrawn and stopped before it was
    accepted (it is finished); that rating counts in the period it was finished in, and the
    dossier is not counted as refused."""
    from vanban.onestop.models import ServiceRating
    from vanban.onestop.statistics.figures import rated_total

    desk = make_agency(name="UBND xã Tân Sơn")
    procedure = Procedure.objects.create(agency=desk, code="2.004", name="Cấp phép",
                                         limit_value=Decimal(5))
    at = datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
    stopped = Dossier.objects.create(
        code="R-3", desk=desk, procedure=procedure, applicant_name="Trần Thị B",
        state=S.STOPPED, received_at=at, finished_at=at + timedelta(days=1))
    refused = Dossier.objects.create(
        code="R-4", desk=desk, procedure=procedure, applicant_name="Trần Thị C",
        state=S.REFUSED, received_at=at, finished_at=at + timedelta(days=1))
    ServiceRating.objects.create(dossier=stopped, score=2)
    ServiceRating.objects.create(dossier=refused, score=4)
    now = datetime(2026, 8, 1, tzinfo=VN_TZ)
    rows = figures(Dossier.objects.all(), Period.half_year(2026, 1), group_by=GroupBy.AGENCY,
                   now=now)
    assert total(rows).refused == 1
    rated = rated_total(rows)
    assert (rated.count, rated.points) == (2, 6)
    later = figures(Dossier.objects.all(), Period.half_year(2026, 2), group_by=GroupBy.AGENCY,
                    now=now)
    assert rated_total(later).count == 0


@pytest.mark.django_db
def test_the_local_day_of_the_last_instant_before_midnight(make_agency) -> None:
    """R11.3: a dossier done at 23:59:59.9995 in Vietnam (16:59:59.9995 UTC) is done on that
    day, not the next: done the day before its due day, it counts as early."""
    from datetime import UTC

    desk = make_agency(name="UBND xã Tân Sơn")
    procedure = Procedure.objects.create(agency=desk, code="2.005", name="Cấp phép",
                                         limit_value=Decimal(5))
    accepted = datetime(2026, 3, 1, 9, tzinfo=VN_TZ)
    done = datetime(2026, 3, 2, 16, 59, 59, 999500, tzinfo=UTC)
    Dossier.objects.create(
        code="R-5", desk=desk, procedure=procedure, applicant_name="Trần Thị B",
        state=S.RESULT_READY, received_at=accepted, accepted_at=accepted,
        due_at=datetime(2026, 3, 3, 10, tzinfo=VN_TZ), finished_at=done)
    rows = figures(Dossier.objects.all(), Period.half_year(2026, 1), group_by=GroupBy.AGENCY,
                   now=datetime(2026, 8, 1, tzinfo=VN_TZ))
    assert (total(rows).early, total(rows).on_time) == (1, 0)
