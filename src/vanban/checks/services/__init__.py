"""Writes of the twice-daily check (R10.2): recording inbox openings, reminding clerks who did not
check while documents waited, marking reminders read."""

from vanban.checks.services.read import reminders_mark_read
from vanban.checks.services.record import inbox_check_record, inbox_check_record_gateway
from vanban.checks.services.remind import WindowRun, reminders_run

__all__ = ["WindowRun", "inbox_check_record", "inbox_check_record_gateway", "reminders_mark_read",
           "reminders_run"]
