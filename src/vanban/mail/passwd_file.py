"""Dovecot's ``passwd-file`` passdb, read and rewritten atomically (no Django here).

One line per mailbox: ``address:{SSHA512}hash::::::extra`` (the full address is the user name,
``username_format=%u``). A disabled mailbox keeps its line with ``nologin=y``: mail to it is
still accepted by the server (nothing is lost) but nobody can log in. The password is stored
as Dovecot 2.3's salted SHA-512 (``{SSHA512}``: base64 of sha512(password + salt) + salt),
which needs no ``crypt`` module.

The file holds password hashes, so it is never world-readable: mode 0640, owned by the user
vanban runs as, in the group Dovecot's auth process reads it with (``dovecot`` on Debian, set
with ``group`` or kept from the existing file).

The file is rewritten to a temporary file in the same folder and renamed over the old one, so a
reader never sees half a file; its modification time always moves forward so that Dovecot,
which re-reads the file when its mtime or size changes, never misses a rewrite in the same
second. Dovecot looks at the file at most once a second, so a change is seen by logins that
start a second later at the latest.
"""

from __future__ import annotations

import base64
import fcntl
import grp
import hashlib
import hmac
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEME = "{SSHA512}"
NOLOGIN = "nologin=y"
REASON = "reason=mailbox-disabled"  # extra fields are split at spaces
MODE = 0o640  # owner writes, Dovecot's group reads, nobody else


@dataclass(frozen=True)
class Entry:
    """One passdb line."""

    address: str
    password_hash: str
    disabled: bool = False

    def line(self) -> str:
        """The line as Dovecot reads it (user:password:uid:gid:gecos:home:shell:extra)."""
        extra = f"{NOLOGIN} {REASON}" if self.disabled else ""
        return f"{self.address}:{self.password_hash}::::::{extra}"


def ssha512(password: str, salt: bytes | None = None) -> str:
    """``{SSHA512}`` hash of a password, as Dovecot 2.3 checks it."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.sha512(password.encode("utf-8") + salt).digest()
    return SCHEME + base64.b64encode(digest + salt).decode("ascii")


def ssha512_matches(password: str, stored: str) -> bool:
    """Whether a password matches a ``{SSHA512}`` hash (the test relay's SMTP login)."""
    if not stored.startswith(SCHEME):
        return False
    raw = base64.b64decode(stored[len(SCHEME):])
    digest, salt = raw[:64], raw[64:]
    return hmac.compare_digest(hashlib.sha512(password.encode("utf-8") + salt).digest(), digest)


def parse(text: str) -> dict[str, Entry]:
    """Entries by lower-cased address; comments and blank lines are dropped."""
    entries: dict[str, Entry] = {}
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        fields = raw.split(":")
        address = fields[0].strip()
        password = fields[1] if len(fields) > 1 else ""
        extra = fields[7] if len(fields) > 7 else ""
        entries[address.lower()] = Entry(address, password, NOLOGIN in extra.split())
    return entries


class PasswdFile:
    """A passwd-file on disk; every change holds a lock and rewrites the whole file."""

    def __init__(self, path: str | os.PathLike[str], group: str = "") -> None:
        self.path = Path(path)
        self.group = group

    def read(self) -> dict[str, Entry]:
        """Current entries (an absent file has none)."""
        try:
            return parse(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def get(self, address: str) -> Entry | None:
        """The entry of one address, if any."""
        return self.read().get(address.strip().lower())

    def put(self, address: str, password: str) -> None:
        """Add or replace a mailbox with a new password, enabled."""
        _check_address(address)
        with self._locked() as entries:
            entries[address.lower()] = Entry(address, ssha512(password))

    def disable(self, address: str) -> bool:
        """Forbid login to a mailbox; False when it does not exist."""
        with self._locked() as entries:
            entry = entries.get(address.strip().lower())
            if entry is None:
                return False
            entries[address.strip().lower()] = Entry(entry.address, entry.password_hash, True)
            return True

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Entry]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            entries = self.read()
            yield entries
            self._write(entries)

    def _write(self, entries: dict[str, Entry]) -> None:
        old_mtime = self.path.stat().st_mtime if self.path.exists() else 0.0
        text = "".join(entry.line() + "\n" for entry in
                       sorted(entries.values(), key=lambda e: e.address.lower()))
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".passwd-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, MODE)
            gid = self._gid()
            if gid is not None and gid != os.stat(tmp).st_gid:
                os.chown(tmp, -1, gid)
            stamp = max(time.time(), int(old_mtime) + 1.0)
            os.utime(tmp, (stamp, stamp))
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _gid(self) -> int | None:
        """The group the file must keep: the one named, else the existing file's."""
        if self.group:
            return grp.getgrnam(self.group).gr_gid
        try:
            return self.path.stat().st_gid
        except FileNotFoundError:
            return None


def _check_address(address: str) -> None:
    """A line-breaking or field-breaking address would corrupt the file."""
    if not address or any(ch in address for ch in ":\n\r\t #") or "@" not in address:
        raise ValueError(f"not a mailbox address: {address!r}")
