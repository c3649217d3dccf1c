"""R14.3: a real process that appended events seals the head when it ends — normally, or on
SIGTERM — so a log like the one ``vanban demo load`` leaves ends sealed (issue 9 case 3).
Runs the production settings in child processes with their own ``VANBAN_HOME`` (SQLite)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

APPEND = r"""
import os, sys, time, django
django.setup()
from vanban.audit.services import audit_append
for i in range(int(sys.argv[1])):
    audit_append(actor=None, action="test.event", data={"i": i})
print("appended", flush=True)
if sys.argv[2] == "wait":
    time.sleep(60)
"""
READ = r"""
import django
django.setup()
from vanban.audit.models import AuditEvent, AuditSeal
from vanban.audit import keys, schedule
from vanban.audit.verify import verify_database
result = verify_database(public_keys=keys.known_public_keys(),
                         schedule=schedule.Schedule.from_settings())
print(AuditEvent.objects.count(), list(AuditSeal.objects.values_list("seq", flat=True)),
      result.ok)
"""


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """A fresh installation (base settings, SQLite) migrated in a child process."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(VANBAN_HOME=str(tmp_path / "home"), DJANGO_SETTINGS_MODULE="config.settings.base",
               VANBAN_MASTER_KEY_FILE="", VANBAN_MASTER_KEY="")
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True,
                   capture_output=True, timeout=300)
    return env


def _read(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", READ], env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    return done.stdout.strip().splitlines()[-1]


def test_clean_exit_and_sigterm_seal_the_head(home: dict[str, str]) -> None:
    """R14.3: 7 events then a normal exit: sealed at #7; 5 more then SIGTERM: sealed at #12;
    the log verifies with the schedule."""
    subprocess.run([sys.executable, "-c", APPEND, "7", "exit"], env=home, check=True,
                   capture_output=True, timeout=120)
    assert _read(home) == "7 [7] True"
    child = subprocess.Popen([sys.executable, "-c", APPEND, "5", "wait"], env=home,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "appended"
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=60) == 128 + signal.SIGTERM
    time.sleep(0.1)
    assert _read(home) == "12 [7, 12] True"
