"""Writes of the twice-daily check (R10.2)."""

from vanban.checks.services.record import inbox_check_record

__all__ = ["inbox_check_record"]
