"""Installation files are the service account's alone (R14.3): the real ``vanban`` command,
started from a shell whose umask is 022, leaves nothing under VANBAN_HOME that another local
user can read; an older installation is reported by ``vanban check`` and narrowed by
``vanban migrate``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from vanban.core import checks, filemodes

VANBAN = str(Path(sys.executable).parent / "vanban")


def _run(home: Path, *args: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    """``vanban ARGS`` as an operator's shell would start it (SQLite in ``home``)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(VANBAN_HOME=str(home), VANBAN_TASKS="immediate",
               DJANGO_SETTINGS_MODULE="config.settings.base")
    env.pop("VANBAN_MASTER_KEY", None)
    env.pop("VANBAN_MASTER_KEY_FILE", None)
    done = subprocess.run([VANBAN, *args], env=env, capture_output=True, text=True, check=False,
                          timeout=300, preexec_fn=lambda: os.umask(umask))
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _modes(home: Path) -> dict[str, int]:
    return {str(p.relative_to(home)): stat.S_IMODE(p.lstat().st_mode)
            for p in [home, *home.rglob("*")] if not p.is_symlink()}


@pytest.mark.slow
def test_a_new_installation_is_private_whatever_the_umask(tmp_path: Path) -> None:
    """R14.3: with umask 022, ``vanban migrate`` and ``vanban demo load`` create the home 0700,
    the SQLite database 0600, blobs 0400 and keys 0600: no group or other bit anywhere."""
    home = tmp_path / "home"
    _run(home, "migrate", "--no-input", "-v", "0")
    _run(home, "demo", "load")
    modes = _modes(home)
    assert modes["."] == 0o700
    assert modes["vanban.sqlite3"] == 0o600
    blobs = [m for name, m in modes.items() if name.startswith("files/blobs/") and
             (home / name).is_file()]
    keys = [m for name, m in modes.items() if name.startswith("keys/") and
            (home / name).is_file()]
    assert blobs, "the demo stores files"
    assert keys, "the demo makes keys"
    assert set(blobs) == {0o400}
    assert set(keys) == {0o600}
    assert {name: oct(m) for name, m in modes.items() if m & 0o077} == {}


@pytest.mark.slow
def test_an_older_installation_is_reported_then_narrowed_by_migrate(tmp_path: Path) -> None:
    """R14.3: files left readable by an older version are named by ``vanban check`` (W001)
    and narrowed by ``vanban migrate``, keeping read-only files read-only."""
    home = tmp_path / "home"
    _run(home, "migrate", "--no-input", "-v", "0", umask=0o077)
    (home / "files" / "blobs").mkdir(parents=True)
    blob = home / "files" / "blobs" / "old"
    blob.write_bytes(b"%PDF-1.7 old blob")
    blob.chmod(0o444)
    home.chmod(0o755)
    (home / "vanban.sqlite3").chmod(0o644)
    (home / "files").chmod(0o755)
    reported = _run(home, "check")
    assert "vanban.W001" in reported.stderr
    assert "0644" in reported.stderr
    assert "vanban.sqlite3" in reported.stderr
    _run(home, "migrate", "--no-input", "-v", "0")
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "vanban.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE(blob.stat().st_mode) == 0o400
    assert filemodes.open_entries(home) == []
    assert "vanban.W001" not in _run(home, "check").stderr


def test_deep_check_finds_a_readable_file_below_the_top(tmp_path: Path) -> None:
    """R14.3: ``check --deploy`` (W002) walks the whole home; the every-command check (W001)
    only its top and the keys, so a large file store does not slow every command."""
    deep = tmp_path / "files" / "blobs" / "ab" / "cd"
    deep.mkdir(parents=True, mode=0o700)
    for folder in (tmp_path, tmp_path / "files", tmp_path / "files" / "blobs",
                   tmp_path / "files" / "blobs" / "ab", deep):
        folder.chmod(0o700)
    leaked = deep / "abcd"
    leaked.write_bytes(b"x")
    leaked.chmod(0o604)
    with override_settings(VANBAN_HOME=tmp_path):
        assert checks.home_is_private() == []
        [warning] = checks.home_files_are_private()
    assert warning.id == "vanban.W002"
    assert "0604" in warning.msg
    assert str(leaked) in warning.msg
    assert filemodes.tighten(tmp_path) == 1
    assert stat.S_IMODE(leaked.stat().st_mode) == 0o600


def test_private_dir_narrows_an_existing_open_folder(tmp_path: Path) -> None:
    """R14.3: a folder made by an older version with 0755 is narrowed when used again."""
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    filemodes.private_dir(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
