"""The national portal's statuses (spec §9, issue 12 point 6): every internal state a citizen can
see maps to exactly one DVCQG status, and the record carries the fields a connector sends."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vanban.onestop.core.dvcqg_map import Change, Status, channel_of, record, status_of

TABLE = {
    "accepted": 2, "refused": 3, "processing": 4, "intake_supplement": 5,
    "supplement_requested": 5, "fee_due": 6, "withdrawal_requested": 7, "stopped": 8,
    "closed_no_supplement": 8, "result_ready": 9, "returned": 10,
}


@pytest.mark.parametrize(("state", "code"), sorted(TABLE.items()))
def test_spec_table(state: str, code: int) -> None:
    """R11.2: §9's table, state by state, for every channel."""
    for channel in ("counter", "online", "post", "agency"):
        assert status_of(state, channel=channel) == code


def test_submitted_only_online() -> None:
    """Status 1 (Mới đăng ký) is for online filings; a counter dossier reaches DVCQG once
    accepted."""
    assert status_of("submitted", channel="online") == Status.REGISTERED
    assert status_of("submitted", channel="counter") is None


def test_refusal_after_appraisal_setting() -> None:
    """``dvcqg.map``: refusal after appraisal is 3 by default, 8 as the alternative, nothing
    else."""
    assert status_of("refused_after_appraisal", channel="online") == 3
    assert status_of("refused_after_appraisal", channel="online",
                     refused_after_appraisal=8) == 8
    with pytest.raises(ValueError, match="3 or 8"):
        status_of("refused_after_appraisal", channel="online", refused_after_appraisal=4)


def test_channels() -> None:
    """KenhThucHien: 1 in person (and from another desk), 2 online, 3 by post."""
    assert [channel_of(c) for c in ("counter", "online", "post", "agency")] == [1, 2, 3, 1]


def _change(state: str, **over: object) -> Change:
    base: dict[str, object] = dict(  # noqa: C408 - keyword form mirrors Change's fields
        sequence=7, code="000.00.12.H13-261214-0001", procedure_code="1.001", state=state,
        at=datetime(2026, 12, 14, 1, 0, tzinfo=UTC), channel="online",
        received_at=datetime(2026, 12, 11, 8, 30, tzinfo=UTC),
        due_at=datetime(2026, 12, 16, 10, 0, tzinfo=UTC), finished_at=None,
        limit_value=Decimal("10.0"), limit_unit="working_days", unit="Phòng Tư pháp",
        result_code="")
    base.update(over)
    return Change(**base)  # type: ignore[arg-type]


def test_record_shape() -> None:
    """The exported record: code, status, time (Viet Nam time, yyyyMMddHHmmss), channel, dates."""
    out = record(_change("accepted"))
    assert out == {
        "cursor": 7, "MaHoSo": "000.00.12.H13-261214-0001", "MaTTHC": "1.001",
        "TrangThaiHoSo": 2, "TenTrangThai": "Được tiếp nhận", "ThoiGian": "20261214080000",
        "KenhThucHien": 2, "NgayTiepNhan": "20261211153000", "NgayHenTra": "20261216170000",
        "NgayKetThucXuLy": "", "ThoiHanGiaiQuyet": "10", "DonViThoiHan": "working_days",
        "DonViXuLy": "Phòng Tư pháp", "MaKetQua": ""}
    assert record(_change("submitted", channel="counter")) is None
    half = record(_change("processing", limit_value=Decimal("0.50")))
    assert half is not None
    assert half["ThoiHanGiaiQuyet"] == "0.5"


@given(st.sampled_from([*TABLE, "submitted", "refused_after_appraisal", "unknown"]),
       st.sampled_from(["counter", "online", "post", "agency"]))
def test_status_total(state: str, channel: str) -> None:
    """Every state maps to one status in 1–10 or to none, never to anything else."""
    found = status_of(state, channel=channel)
    assert found is None or 1 <= found <= 10
    if state in TABLE:
        assert found == TABLE[state]
