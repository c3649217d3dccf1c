"""The national public-service portal's (Cổng Dịch vụ công quốc gia, DVCQG) view of a dossier:
statuses 1–10 and the record of one status change (spec §9, reported, unconfirmed).

This is the one place that knows DVCQG's vocabulary, so a later connector only sends what
:func:`record` builds. Which DVCQG status a refusal after appraisal becomes is a setting
(``dvcqg.map``: 3 by default, 8 as the alternative reading); the caller passes it in.

Pure Python: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

VN_TZ: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
# DVCQG's published sync payloads write times as yyyyMMddHHmmss in Viet Nam time (reported).
TIME_FORMAT = "%Y%m%d%H%M%S"


class Status(IntEnum):
    """``TrangThaiHoSo`` of DVCQG (spec §9)."""

    REGISTERED = 1  # Mới đăng ký
    ACCEPTED = 2  # Được tiếp nhận
    NOT_ACCEPTED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT = 5  # Yêu cầu bổ sung giấy tờ
    FEE_DUE = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWAL = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    DONE = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả


STATUS_NAMES: dict[Status, str] = {
    Status.REGISTERED: "Mới đăng ký",
    Status.ACCEPTED: "Được tiếp nhận",
    Status.NOT_ACCEPTED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    Status.FEE_DUE: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWAL: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.DONE: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}

_FIXED: dict[str, Status] = {
    "accepted": Status.ACCEPTED,
    "refused": Status.NOT_ACCEPTED,
    "processing": Status.PROCESSING,
    "intake_supplement": Status.SUPPLEMENT,
    "supplement_requested": Status.SUPPLEMENT,
    "fee_due": Status.FEE_DUE,
    "withdrawal_requested": Status.WITHDRAWAL,
    "stopped": Status.STOPPED,
    "closed_no_supplement": Status.STOPPED,
    "result_ready": Status.DONE,
    "returned": Status.RETURNED,
}
REFUSAL_AFTER_APPRAISAL_CHOICES = (Status.NOT_ACCEPTED, Status.STOPPED)


class Channel(IntEnum):
    """``KenhThucHien``: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích."""

    IN_PERSON = 1
    ONLINE = 2
    POST = 3


# A dossier handed over from another agency's one-stop account arrived at a desk, not from
# the applicant online: DVCQG has no channel of its own for it, so it counts as in person.
_CHANNELS: dict[str, Channel] = {
    "counter": Channel.IN_PERSON,
    "agency": Channel.IN_PERSON,
    "online": Channel.ONLINE,
    "post": Channel.POST,
}


def status_of(state: str, *, channel: str,
              refused_after_appraisal: int = Status.NOT_ACCEPTED) -> Status | None:
    """The DVCQG status of an internal ``state``, or None when DVCQG has none for it.

    ``submitted`` is status 1 only for online dossiers: a dossier at the counter reaches
    DVCQG when it is accepted. ``refused_after_appraisal`` is the ``dvcqg.map`` setting.
    """
    if state == "submitted":
        return Status.REGISTERED if channel == "online" else None
    if state == "refused_after_appraisal":
        chosen = Status(refused_after_appraisal)
        if chosen not in REFUSAL_AFTER_APPRAISAL_CHOICES:
            raise ValueError(f"refusal after appraisal maps to 3 or 8, not {chosen}")
        return chosen
    return _FIXED.get(state)


def channel_of(channel: str) -> Channel:
    """``KenhThucHien`` of an internal intake channel."""
    return _CHANNELS.get(channel, Channel.IN_PERSON)


def dvcqg_time(at: datetime | None) -> str:
    """A time as DVCQG writes it (yyyyMMddHHmmss, Viet Nam time); empty when unknown."""
    if at is None:
        return ""
    if at.tzinfo is None:
        raise ValueError("DVCQG times need a timezone-aware datetime")
    return at.astimezone(VN_TZ).strftime(TIME_FORMAT)


@dataclass(frozen=True)
class Change:
    """One state change of a dossier, as the one-stop desk stores it."""

    sequence: int  # the event's id: the export's cursor
    code: str  # mã hồ sơ (empty until accepted)
    procedure_code: str  # mã thủ tục (national database code)
    state: str  # internal state reached
    at: datetime  # when it was reached
    channel: str  # counter / online / post / agency
    received_at: datetime | None  # NgayTiepNhan
    due_at: datetime | None  # NgayHenTra
    finished_at: datetime | None  # NgayKetThucXuLy
    limit_value: Decimal  # thời hạn giải quyết
    limit_unit: str
    unit: str  # the unit or agency holding the dossier
    result_code: str  # mã kết quả / số giấy tờ, when one was issued


def record(change: Change, *, refused_after_appraisal: int = Status.NOT_ACCEPTED
           ) -> dict[str, Any] | None:
    """The DVCQG record of ``change`` (a JSON-ready dict), or None when DVCQG has no status
    for it (a counter dossier before acceptance)."""
    status = status_of(change.state, channel=change.channel,
                       refused_after_appraisal=refused_after_appraisal)
    if status is None:
        return None
    return {
        "cursor": change.sequence,
        "MaHoSo": change.code,
        "MaTTHC": change.procedure_code,
        "TrangThaiHoSo": int(status),
        "TenTrangThai": STATUS_NAMES[status],
        "ThoiGian": dvcqg_time(change.at),
        "KenhThucHien": int(channel_of(change.channel)),
        "NgayTiepNhan": dvcqg_time(change.received_at),
        "NgayHenTra": dvcqg_time(change.due_at),
        "NgayKetThucXuLy": dvcqg_time(change.finished_at),
        "ThoiHanGiaiQuyet": format(change.limit_value.normalize(), "f"),
        "DonViThoiHan": change.limit_unit,
        "DonViXuLy": change.unit,
        "MaKetQua": change.result_code,
    }
