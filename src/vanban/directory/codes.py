"""Agency identifier codes (mã định danh) and unit codes: validation and normal form (R1.1).

QĐ 20/2020/QĐ-TTg allows up to 35 characters from ``0-9``, ``A-Z`` and ``.``, in dot-separated
groups (one per administrative level). QCVN 102:2016 codes are the 13-character special case
``ddd.dd.dd.Xnn`` with the level-1 code at the right (vn-standards.md §1.8). We accept the
general form and recognise the QCVN one, so a code from either scheme can be stored.

Pure Python: no Django import.
"""

from __future__ import annotations

import re

from vanban.core.errors import ValidationFailed

MAX_LENGTH = 35
UNIT_CODE_MAX_LENGTH = 30
# re.ASCII: ``\d`` must not match Arabic-Indic or full-width digits.
QCVN_PATTERN = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$", re.ASCII)
_GROUP = re.compile(r"^[0-9A-Z]+$", re.ASCII)
_UNIT_CODE = re.compile(r"^[0-9A-Z][0-9A-Z._-]*$", re.ASCII)


def _ascii_upper(raw: str) -> str:
    """Strip and upper-case, but only ASCII: ``"ﬀ".upper()`` is ``"FF"``, which must not pass."""
    text = raw.strip()
    if not text.isascii():
        raise ValidationFailed(
            f"Mã “{text}” chỉ được dùng chữ số 0-9, chữ cái A-Z và dấu chấm.",
            f"Code “{text}” may only use the digits 0-9, the letters A-Z and dots.",
            code="bad_code",
        )
    return text.upper()


def normalise_code(raw: str) -> str:
    """The stored form of an agency code (trimmed, upper case) or ``ValidationFailed``."""
    code = _ascii_upper(raw)
    if not code:
        raise ValidationFailed("Thiếu mã định danh.", "The identifier code is missing.",
                               code="bad_code")
    if len(code) > MAX_LENGTH:
        raise ValidationFailed(
            f"Mã định danh dài tối đa {MAX_LENGTH} ký tự (mã “{code}” có {len(code)}).",
            f"An identifier code has at most {MAX_LENGTH} characters (“{code}” has {len(code)}).",
            code="bad_code",
        )
    if not all(_GROUP.match(group) for group in code.split(".")):
        raise ValidationFailed(
            f"Mã định danh “{code}” không hợp lệ: chỉ gồm chữ số 0-9, chữ cái A-Z, các nhóm "
            "ngăn cách bởi một dấu chấm.",
            f"Identifier code “{code}” is invalid: only 0-9 and A-Z, in groups separated by "
            "single dots.",
            code="bad_code",
        )
    return code


def is_qcvn_code(code: str) -> bool:
    """Whether ``code`` has the 13-character QCVN 102:2016 shape ``ddd.dd.dd.Xnn``."""
    return QCVN_PATTERN.match(code) is not None


def level1_of(code: str) -> str:
    """The level-1 group (rightmost), e.g. ``H99`` for ``000.00.01.H99``."""
    return code.rsplit(".", 1)[-1]


def normalise_unit_code(raw: str) -> str:
    """The stored form of a unit code (short, ASCII, upper case) or ``ValidationFailed``."""
    code = _ascii_upper(raw)
    if not code or len(code) > UNIT_CODE_MAX_LENGTH or not _UNIT_CODE.match(code):
        raise ValidationFailed(
            f"Mã đơn vị “{code}” không hợp lệ: 1-{UNIT_CODE_MAX_LENGTH} ký tự A-Z, 0-9, "
            "“.”, “-” hoặc “_”.",
            f"Unit code “{code}” is invalid: 1-{UNIT_CODE_MAX_LENGTH} characters from A-Z, "
            "0-9, “.”, “-” or “_”.",
            code="bad_code",
        )
    return code
