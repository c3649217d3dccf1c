"""The DVCQG export (issue 12 point 6, §9, §12 "each transition emits one DVCQG status"): the
history's transitions in order, in DVCQG's shape, each once across cursors."""

import io
import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.onestop.core.ontime import VN_TZ
from vanban.onestop.dvcqg import dvcqg_export, handle
from vanban.onestop.models import Dossier, DossierEvent, Procedure

T0 = datetime(2026, 12, 14, 8, 0, tzinfo=VN_TZ)
PATH = [("", "submitted"), ("submitted", "accepted"), ("accepted", "processing"),
        ("processing", "processing"), ("processing", "refused_after_appraisal"),
        ("refused_after_appraisal", "returned")]


@pytest.fixture
def dossier(make_agency) -> Dossier:
    desk = make_agency(code="000.00.12.H13", name="UBND huyện Lục Ngạn")
    procedure = Procedure.objects.create(agency=desk, code="1.004227", name="Cấp phép xây dựng",
                                         limit_value=Decimal(15), result_type_code="GPXD")
    found = Dossier.objects.create(
        code="000.00.12.H13-261214-0001", desk=desk, procedure=procedure, channel="online",
        applicant_name="Lê Văn C", state="returned", received_at=T0, accepted_at=T0,
        due_at=T0 + timedelta(days=21))
    for n, (before, after) in enumerate(PATH):
        DossierEvent.objects.create(dossier=found, action=f"a{n}", from_state=before,
                                    to_state=after, at=T0 + timedelta(hours=n), to_agency=desk)
    return found


@override_settings(VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS=0)
@pytest.mark.django_db
def test_each_transition_once_in_order(dossier) -> None:
    """R11.2: six transitions, six DVCQG records in order; a second batch from the cursor
    repeats none."""
    with clock.frozen(T0 + timedelta(days=1)):
        first = dvcqg_export(since=0, limit=4)
        rest = dvcqg_export(since=first.cursor)
        again = dvcqg_export(since=rest.cursor)
    statuses = [r["TrangThaiHoSo"] for r in first.records + rest.records]
    assert statuses == [1, 2, 4, 4, 3, 10]
    assert again.records == []
    assert again.cursor == rest.cursor
    cursors = [r["cursor"] for r in first.records + rest.records]
    assert cursors == sorted(cursors)
    assert first.records[1]["NgayTiepNhan"] == "20261214080000"
    assert first.records[1]["DonViXuLy"] == "UBND huyện Lục Ngạn"
    assert first.records[1]["MaKetQua"] == "GPXD"


@pytest.mark.django_db
def test_refusal_setting_and_settle_time(dossier) -> None:
    """``dvcqg.map`` chooses 8 for a refusal after appraisal; events younger than the settle
    time wait for the next export (a transaction may still commit a lower id)."""
    with override_settings(VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS=0,
                           VANBAN_ONESTOP_DVCQG_REFUSAL=8), clock.frozen(T0 + timedelta(days=1)):
        assert [r["TrangThaiHoSo"] for r in dvcqg_export().records][-2] == 8
    with clock.frozen(T0 + timedelta(hours=3, seconds=30)):
        assert [r["TrangThaiHoSo"] for r in dvcqg_export().records] == [1, 2, 4]


@pytest.mark.django_db
def test_bad_cursor_is_refused() -> None:
    """A negative cursor or a limit out of range is a clear bilingual error."""
    with pytest.raises(ValidationFailed, match="cursor"):
        dvcqg_export(since=-1)
    with pytest.raises(ValidationFailed, match="limit"):
        dvcqg_export(limit=0)


@override_settings(VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS=0)
@pytest.mark.django_db
def test_json_lines_end_with_the_next_cursor(dossier) -> None:
    """``--json``: one record per line, the next cursor last, for a connector to keep."""
    out = io.StringIO()
    with clock.frozen(T0 + timedelta(days=1)):
        handle({"since": 0, "json": True}, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 7
    assert lines[-1] == {"next_cursor": lines[-2]["cursor"]}
    text = io.StringIO()
    with clock.frozen(T0 + timedelta(days=1)):
        handle({"since": lines[2]["cursor"]}, text)
    assert "Đã trả kết quả" in text.getvalue()
    assert f"next cursor: {lines[-2]['cursor']}" in text.getvalue()


@override_settings(VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS=0)
@pytest.mark.django_db
def test_command(dossier) -> None:
    """``vanban onestop dvcqg-export --since CURSOR --json`` prints the records after it."""
    from django.core.management import call_command

    out = io.StringIO()
    with clock.frozen(T0 + timedelta(days=1)):
        call_command("onestop", "dvcqg-export", "--since", "0", "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["TrangThaiHoSo"] for r in lines[:-1]] == [1, 2, 4, 4, 3, 10]
    assert "next_cursor" in lines[-1]


@override_settings(VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS=60)
@pytest.mark.django_db
def test_cursor_never_passes_an_event_left_out(dossier) -> None:
    """R11.2: an event still younger than the settle time stops the batch there, even when
    events after it in id order are old: the next batch from the cursor sends it."""
    young = DossierEvent.objects.create(dossier=dossier, action="late", from_state="returned",
                                        to_state="returned", at=T0 + timedelta(days=1),
                                        to_agency=dossier.desk)
    DossierEvent.objects.create(dossier=dossier, action="old", from_state="returned",
                                to_state="returned", at=T0, to_agency=dossier.desk)
    with clock.frozen(T0 + timedelta(days=1, seconds=30)):
        first = dvcqg_export(since=0)
    assert first.cursor < young.pk
    assert len(first.records) == len(PATH)
    with clock.frozen(T0 + timedelta(days=1, minutes=2)):
        rest = dvcqg_export(since=first.cursor)
    assert rest.cursor > young.pk


@override_settings(VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS=0)
@pytest.mark.django_db
def test_records_carry_the_values_of_their_time(dossier) -> None:
    """R11.2: a record sent late carries the due time its event wrote (here none), not the
    dossier's of today, and no end before the dossier ended."""
    Dossier.objects.filter(pk=dossier.pk).update(finished_at=T0 + timedelta(hours=4),
                                                 due_at=T0 + timedelta(days=30))
    with clock.frozen(T0 + timedelta(days=2)):
        records = dvcqg_export(since=0).records
    assert [r["NgayHenTra"] for r in records] == [""] * len(PATH)
    assert [bool(r["NgayKetThucXuLy"]) for r in records] == [False] * 4 + [True] * 2


@override_settings(VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS=0)
@pytest.mark.django_db
def test_sending_to_another_agency_makes_no_status_record(dossier, make_agency) -> None:
    """R11.1(a), R11.2: the "sent to another agency" event keeps the state: no extra DVCQG
    record (and never one naming the other agency as the handling unit); the cursor passes
    it."""
    other = make_agency(code="000.00.41.H13", name="UBND huyện Yên Thế")
    sent = DossierEvent.objects.create(dossier=dossier, action="send_to_agency",
                                       from_state="submitted", to_state="submitted",
                                       at=T0 + timedelta(hours=10), to_agency=other)
    with clock.frozen(T0 + timedelta(days=1)):
        batch = dvcqg_export(since=0)
    assert [r["TrangThaiHoSo"] for r in batch.records] == [1, 2, 4, 4, 3, 10]
    assert all(r["DonViXuLy"] != other.name for r in batch.records)
    assert batch.cursor == sent.pk
