"""The check report as CSV (R10.2): UTF-8 with a byte-order mark, so Excel opens the Vietnamese
text correctly; one line per agency and day, the windows side by side."""

from __future__ import annotations

import csv
import io

from vanban.checks import times
from vanban.checks.selectors import Report
from vanban.core import clock

STATUS_VI = {"done": "Đã kiểm tra", "missed": "Không kiểm tra", "pending": "Chưa đến giờ",
             "off": "Ngày nghỉ"}
BOM = "\ufeff"


def report_csv(report: Report) -> bytes:
    """The report's rows as CSV bytes, BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = ["Mã định danh", "Cơ quan", "Ngày", "Ngày làm việc", "Ngày lễ"]
    count = len(times.check_times())
    for index in range(count):
        name = times.label(index, "vi")
        header += [f"{name}: trạng thái", f"{name}: người kiểm tra", f"{name}: thời điểm",
                   f"{name}: số văn bản chờ", f"{name}: số lần nhắc"]
    writer.writerow(header)
    for row in report.rows:
        line = [row.agency.code, row.agency.name, f"{row.day:%d/%m/%Y}",
                "Có" if row.working else "Không", row.holiday]
        for cell in row.cells:
            first = cell.first
            who = first.checker if first is not None else ""
            when = (f"{first.checked_at.astimezone(clock.VN_TZ):%d/%m/%Y %H:%M}"
                    if first is not None else "")
            waited = str(first.waiting) if first is not None else ""
            line += [STATUS_VI[cell.status], who, when, waited, str(cell.reminders)]
        writer.writerow(line)
    return (BOM + buffer.getvalue()).encode("utf-8")
