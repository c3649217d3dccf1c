"""Settings the operator guide lists are environment variables: each one the code reads with
a default is also read from the environment, so an operator's value is not silently ignored."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
READ = re.compile(r"getattr\(\s*settings,\s*\"(VANBAN_[A-Z0-9_]+)\"")


def test_every_setting_read_with_a_default_comes_from_the_environment() -> None:
    """Each ``getattr(settings, "VANBAN_…", default)`` in the code names a setting that
    ``config/settings/base.py`` defines (from the environment, or a structured value of its
    own), or whose module reads the environment variable of the same name itself."""
    base = (SRC / "config" / "settings" / "base.py").read_text(encoding="utf-8")
    missing = []
    for path in (SRC / "vanban").rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name in set(READ.findall(text)):
            in_base = re.search(rf"^{name}\s*=", base, re.MULTILINE)
            if not in_base and "os.environ" not in text:
                missing.append(f"{path.relative_to(SRC)}: {name}")
    assert not missing, missing


def test_the_mail_gateway_settings_follow_the_environment(tmp_path: Path) -> None:
    """R4.1, R10.2: the gateway's polling, attachment limit, failure count and grace, and the
    inbox-check spacing take the operator's values."""
    wanted = {"VANBAN_MAIL_POLL_SECONDS": "15", "VANBAN_MAIL_MAX_ATTACHMENT_BYTES": "1048576",
              "VANBAN_MAIL_MAX_ATTEMPTS": "5", "VANBAN_MAIL_FAILURE_GRACE_SECONDS": "600",
              "VANBAN_MAIL_CHECK_MINUTES": "20", "VANBAN_AXIS_POLL_SECONDS": "30",
              "VANBAN_QUARANTINE_RESCAN_SECONDS": "90",
              "VANBAN_DIRECTORY_AGENCIES_EDIT_UNITS": "1"}
    env = {**os.environ, **wanted, "VANBAN_HOME": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    code = ("import json, django; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{k: getattr(settings, k) for k in {sorted(wanted)!r}}}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "VANBAN_AXIS_POLL_SECONDS": 30.0, "VANBAN_DIRECTORY_AGENCIES_EDIT_UNITS": True,
        "VANBAN_MAIL_CHECK_MINUTES": 20, "VANBAN_MAIL_FAILURE_GRACE_SECONDS": 600.0,
        "VANBAN_MAIL_MAX_ATTACHMENT_BYTES": 1048576, "VANBAN_MAIL_MAX_ATTEMPTS": 5,
        "VANBAN_MAIL_POLL_SECONDS": 15.0, "VANBAN_QUARANTINE_RESCAN_SECONDS": 90.0}
