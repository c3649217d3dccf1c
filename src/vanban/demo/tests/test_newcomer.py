"""A newcomer's first commands (issue 13, observed 10): the demo's starter accounts and a
password reset, ``vanban help``, a database never migrated, the default ``VANBAN_HOME``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.audit.models import AuditEvent
from vanban.cli import print_help
from vanban.core.errors import NotFound
from vanban.demo.management.commands.demo import Command

VANBAN = str(Path(sys.executable).with_name("vanban"))


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "SECRET_KEY", "VANBAN_HOME", "XDG_DATA_HOME"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", **extra)
    return env


def accounts_starter_list_and_password_reset() -> None:
    """R20.1: ``vanban demo accounts`` prints one clerk, head and specialist per sample agency;
    ``--reset-password`` gives every demo account a new password that opens it (audited). Run
    by ``test_command.py`` after its load (a load takes seconds)."""
    out = io.StringIO()
    call_command(Command(), "accounts", stdout=out)
    text = out.getvalue()
    for username in ("vt.stc", "ld.stc", "cv1.stc", "vt.tpbg", "ld.ubndt"):
        assert username in text
    assert "cv2.stc" not in text
    assert len(text.splitlines()) < 25
    everyone = io.StringIO()
    call_command(Command(), "accounts", "--all", stdout=everyone)
    assert "cv2.stttt" in everyone.getvalue()
    reset = io.StringIO()
    call_command(Command(), "accounts", "--reset-password", stdout=reset)
    password = reset.getvalue().rsplit(": ", 1)[1].strip()
    assert authenticate(username="cv1.stc", password=password) is not None
    assert authenticate(username="vt.anlac.sondong", password=password) is not None
    assert AuditEvent.objects.filter(action="demo.reset_password").count() == 1


@pytest.mark.django_db
def test_a_real_account_with_a_demo_name_is_never_touched(make_agency, make_user) -> None:
    """R14.3: on a real installation a person whose username happens to be a demo one
    (``vt.stc``) is neither listed with the demo password nor has it set on the account."""
    from vanban.demo.accounts import demo_password_reset

    real = make_user(make_agency("000.00.03.H06", name="Sở Tài chính"), username="vt.stc",
                     password="Mật-khẩu-Thật-2026")
    with pytest.raises(CommandError):
        call_command(Command(), "accounts", stdout=io.StringIO())
    with pytest.raises(NotFound):
        demo_password_reset("Demo-Mat-Khau-1")
    real.refresh_from_db()
    assert real.check_password("Mật-khẩu-Thật-2026")


@pytest.mark.django_db
def test_accounts_without_demo_says_so() -> None:
    """No demo loaded: a bilingual refusal, exit 1."""
    with pytest.raises(CommandError) as err:
        call_command(Command(), "accounts", stdout=io.StringIO())
    assert "vanban demo load" in str(err.value)
    assert err.value.returncode == 1


@pytest.mark.django_db
def test_help_lists_vanban_commands_with_descriptions() -> None:
    """``vanban help``: vanban's commands first, each with its description; Django's internals
    under their own heading."""
    out = io.StringIO()
    print_help(out)
    text = out.getvalue()
    own, django_part = text.split("Lệnh của Django thường dùng", 1)
    assert "demo" in own
    assert "Nạp tỉnh mẫu" in own
    assert "directory" in own
    assert "squashmigrations" not in own
    assert "squashmigrations" in django_part
    assert "migrate" in django_part


def test_never_migrated_home_gets_a_hint_not_a_traceback(tmp_path: Path) -> None:
    """``vanban directory list`` on a home never migrated: exit 1 with a bilingual hint."""
    done = subprocess.run([VANBAN, "directory", "list"], capture_output=True, text=True,
                          env=_env(VANBAN_HOME=str(tmp_path / "home")), check=False, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "vanban migrate" in done.stderr
    assert "never set up" in done.stderr


def test_default_home_is_a_per_user_folder(tmp_path: Path) -> None:
    """Without ``VANBAN_HOME`` the data live in ``~/.local/share/vanban`` (or
    ``$XDG_DATA_HOME/vanban``), not in ``./var`` of whatever folder the command runs in."""
    code = "import config.settings.base as s; print(s.VANBAN_HOME)"
    cwd = tmp_path / "somewhere"
    cwd.mkdir()
    for extra, expected in (({}, tmp_path / ".local" / "share" / "vanban"),
                            ({"XDG_DATA_HOME": str(tmp_path / "data")},
                             tmp_path / "data" / "vanban")):
        done = subprocess.run([sys.executable, "-c", code],
                              capture_output=True, text=True, cwd=cwd, check=True, timeout=60,
                              env=_env(HOME=str(tmp_path), **extra))
        assert done.stdout.strip() == str(expected.resolve())
    assert not (cwd / "var").exists()
