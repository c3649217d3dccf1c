"""Installation files readable by the service account only (R14.3: a local user who is not the
service account must not read the database, the files or the keys).

Every entry point (the ``vanban`` command, WSGI, workers started through ``vanban``) calls
:func:`private_umask` first, so whatever the process creates later (the SQLite database and
its WAL, blobs, keys, mail files, collected static files) is 0600 and folders 0700, whatever
the umask of the shell or service manager that started it. Installations created before this
rule are tightened by ``vanban migrate`` (:func:`tighten`) and reported by ``vanban check``.

Pure Python: no Django import (the console entry point calls it before Django is set up).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PRIVATE_UMASK = 0o077
OPEN_BITS = 0o077  # any permission for the group or for others


def private_umask() -> int:
    """Set the process umask to 0o077 and return the previous one."""
    return os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) as 0700; an existing folder is narrowed to 0700 too."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.stat().st_mode) & OPEN_BITS:
        path.chmod(0o700)
    return path


@dataclass(frozen=True)
class OpenEntry:
    """A file or folder under the home that the group or others may access."""

    path: Path
    mode: int  # permission bits, e.g. 0o644

    def describe(self) -> str:
        """``0644 /srv/vanban/vanban.sqlite3``."""
        return f"{self.mode:04o} {self.path}"


def _entries(root: Path, *, deep: bool) -> Iterator[Path]:
    """``root``, then everything below it (``deep``) or only its direct children and the whole
    ``keys`` folder (cheap enough for every command's checks)."""
    yield root
    if deep:
        for folder, dirs, files in os.walk(root):
            base = Path(folder)
            for name in (*dirs, *files):
                yield base / name
        return
    with os.scandir(root) as children:
        for child in children:
            yield Path(child.path)
    keys = root / "keys"
    if keys.is_dir():
        for folder, dirs, files in os.walk(keys):
            base = Path(folder)
            for name in (*dirs, *files):
                yield base / name


def open_entries(root: Path, *, deep: bool = True, limit: int = 1000) -> list[OpenEntry]:
    """Files and folders under ``root`` with group or other permission bits (symbolic links
    are skipped: their own mode means nothing). At most ``limit`` are returned."""
    found: list[OpenEntry] = []
    if not root.exists():
        return found
    for path in _entries(root, deep=deep):
        try:
            info = path.lstat()
        except FileNotFoundError:  # removed while walking (a temporary file)
            continue
        if stat.S_ISLNK(info.st_mode):
            continue
        mode = stat.S_IMODE(info.st_mode)
        if mode & OPEN_BITS:
            found.append(OpenEntry(path, mode))
            if len(found) >= limit:
                break
    return found


def tighten(root: Path) -> int:
    """Remove group and other permissions from everything under ``root``; returns how many
    entries changed. Owner bits are kept (read-only blobs stay read-only). An entry this
    account does not own is left as it is (``vanban check`` keeps naming it)."""
    changed = 0
    for entry in open_entries(root, deep=True, limit=10**9):
        try:
            entry.path.chmod(entry.mode & ~OPEN_BITS)
        except PermissionError:
            continue
        changed += 1
    return changed
