"""Dossier codes (mã hồ sơ, onestop.md §6) and tracking secrets (§11, §13). Pure: no Django.

A code is ``{agency}-{YYMMDD}-{NNNN}`` by default (TT 01/2018 shape, setting ``code.pattern``):
the deciding body's identifier, the local receipt date, and that day's sequence number for the
identifier, padded to four digits and never wrapping (10000 is written in full). The sequence
itself comes from a locked counter row (``services/numbering.py``).

The tracking secret printed on Mẫu 01 is 8 characters from an alphabet without look-alikes
(no 0/O, 1/I/L); only a salted SHA-256 of it is stored, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date

from vanban.core.errors import ValidationFailed

DEFAULT_PATTERN = "{agency}-{YYMMDD}-{NNNN}"
SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password)
SECRET_LENGTH = 8
_PLACEHOLDERS = ("{agency}", "{YYMMDD}", "{NNNN}")
_HASH_PREFIX = "s256"


@dataclass(frozen=True)
class DossierCode:
    """The parts of a code."""

    identifier: str
    day: date
    number: int

    def text(self, pattern: str = DEFAULT_PATTERN) -> str:
        """The code as printed."""
        return format_code(self.identifier, self.day, self.number, pattern=pattern)


def check_pattern(pattern: str) -> str:
    """A pattern must hold each placeholder once (so codes stay unique and parseable)."""
    if any(pattern.count(p) != 1 for p in _PLACEHOLDERS):
        raise ValidationFailed(
            "Mẫu mã hồ sơ phải có đúng một {agency}, một {YYMMDD} và một {NNNN}.",
            "The dossier code pattern needs exactly one {agency}, {YYMMDD} and {NNNN}.",
            code="bad_code_pattern")
    return pattern


def format_code(identifier: str, day: date, number: int, *,
                pattern: str = DEFAULT_PATTERN) -> str:
    """``000.00.12.H13-230515-0001``: four digits at least, more when the day needs them."""
    if not identifier or number < 1:
        raise ValidationFailed("Mã hồ sơ cần mã định danh và số thứ tự dương.",
                               "A dossier code needs an identifier and a positive number.",
                               code="bad_code")
    check_pattern(pattern)
    return (pattern.replace("{agency}", identifier)
            .replace("{YYMMDD}", day.strftime("%y%m%d"))
            .replace("{NNNN}", f"{number:04d}"))


def parse_code(text: str, *, pattern: str = DEFAULT_PATTERN) -> DossierCode | None:
    """The parts of a code written with ``pattern``, or None when it is not one."""
    check_pattern(pattern)
    regex = re.escape(pattern)
    for placeholder, group in (("{agency}", r"(?P<agency>[0-9A-Za-z.]+?)"),
                               ("{YYMMDD}", r"(?P<day>\d{6})"),
                               ("{NNNN}", r"(?P<number>\d{4,})")):
        regex = regex.replace(re.escape(placeholder), group)
    found = re.fullmatch(regex, text.strip())
    if found is None:
        return None
    digits = found["day"]
    try:
        day = date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        return None
    number = int(found["number"])
    if number < 1:
        return None
    return DossierCode(identifier=found["agency"], day=day, number=number)


def new_secret() -> str:
    """A fresh tracking secret (8 unambiguous characters, about 40 bits)."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def normalise_secret(typed: str) -> str:
    """What a citizen types: case and spaces or dashes do not matter."""
    return re.sub(r"[\s-]", "", typed).upper()


def hash_secret(secret: str, *, salt: str | None = None) -> str:
    """``s256$<salt>$<hex>``: a salted SHA-256 of the normalised secret."""
    salt = salt if salt is not None else secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{normalise_secret(secret)}".encode()).hexdigest()
    return f"{_HASH_PREFIX}${salt}${digest}"


def secret_matches_hash(stored: str, typed: str) -> bool:
    """Whether ``typed`` is the secret behind ``stored`` (constant time; False when unset)."""
    parts = stored.split("$")
    if len(parts) != 3 or parts[0] != _HASH_PREFIX:
        return False
    return hmac.compare_digest(hash_secret(typed, salt=parts[1]), stored)
