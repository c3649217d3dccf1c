"""The ``vanban demo load`` command (R20.1): its output, ``--if-empty`` and its exit code."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.demo.management.commands.demo import Command
from vanban.demo.tests.test_newcomer import accounts_starter_list_and_password_reset

pytestmark = pytest.mark.django_db


def test_command_load(db: None) -> None:
    """``vanban demo load [--if-empty]``: prints the starter accounts and password; exit 1 when
    loaded; then ``vanban demo accounts`` on the loaded demo."""
    out = io.StringIO()
    call_command(Command(), "load", stdout=out)
    assert "Mật khẩu chung" in out.getvalue()
    assert "ld.tpbg" in out.getvalue()
    again = io.StringIO()
    call_command(Command(), "load", "--if-empty", stdout=again)
    assert "skipped" in again.getvalue()
    with pytest.raises(CommandError) as exc:
        call_command(Command(), "load", stdout=io.StringIO())
    assert exc.value.returncode == 1
    accounts_starter_list_and_password_reset()
