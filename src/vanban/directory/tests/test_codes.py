"""Agency identifier codes (QĐ 20/2020, QCVN 102:2016), without a database (R1.1)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vanban.core.errors import ValidationFailed
from vanban.directory.codes import (
    MAX_LENGTH,
    is_qcvn_code,
    level1_of,
    normalise_code,
    normalise_unit_code,
)

ALLOWED = string.digits + string.ascii_uppercase
groups = st.lists(st.text(alphabet=ALLOWED, min_size=1, max_size=6), min_size=1, max_size=6)
valid_codes = groups.map(".".join).filter(lambda c: len(c) <= MAX_LENGTH)
qcvn_codes = st.builds(
    lambda a, b, c, letter, n: f"{a:03d}.{b:02d}.{c:02d}.{letter}{n:02d}",
    st.integers(0, 999), st.integers(0, 99), st.integers(0, 99),
    st.sampled_from(string.ascii_uppercase), st.integers(0, 99),
)


@given(valid_codes)
def test_valid_codes_are_their_own_normal_form(code: str) -> None:
    """R1.1: any dot-separated code of 0-9/A-Z up to 35 characters is accepted unchanged."""
    assert normalise_code(code) == code
    assert normalise_code(normalise_code(code)) == code


@given(valid_codes, st.sampled_from(["", " ", "\t", "  \n"]))
def test_case_and_surrounding_space_are_normalised(code: str, space: str) -> None:
    """Lower case and surrounding blanks (as typed in a spreadsheet) give the stored form."""
    assert normalise_code(f"{space}{code.lower()}{space}") == code


@given(valid_codes, st.characters().filter(lambda ch: ch not in ALLOWED + "." and
                                           not ch.isspace() and ch.upper() not in ALLOWED))
def test_any_other_character_is_refused(code: str, bad: str) -> None:
    """Only 0-9, A-Z and dots; not even letters whose upper case looks allowed (ﬀ → FF)."""
    with pytest.raises(ValidationFailed) as exc:
        normalise_code(code[:1] + bad + code[1:])
    assert exc.value.vi
    assert exc.value.en
    assert exc.value.code == "bad_code"


@given(valid_codes, st.text(alphabet=ALLOWED, min_size=MAX_LENGTH, max_size=60))
def test_more_than_35_characters_is_refused(code: str, tail: str) -> None:
    """QĐ 20/2020: at most 35 characters."""
    with pytest.raises(ValidationFailed, match="35"):
        normalise_code(f"{code}.{tail}")


@pytest.mark.parametrize("code", ["", ".", "000..00.H99", ".000.00.00.H99", "000.00.00.H99.",
                                  "000-00-00-H99", "000 00 00 H99", "٠٠٠.00.00.H99", "ﬀ.01"])
def test_malformed_codes_are_refused(code: str) -> None:
    """Empty groups, other separators, non-ASCII digits and ligatures are not codes."""
    with pytest.raises(ValidationFailed):
        normalise_code(code)


@given(qcvn_codes)
def test_qcvn_codes_are_recognised(code: str) -> None:
    """QCVN 102:2016: ``ddd.dd.dd.Xnn``, 13 characters, level-1 code at the right."""
    assert is_qcvn_code(code)
    assert len(code) == 13
    assert normalise_code(code) == code
    assert level1_of(code) == code[-3:]


@given(valid_codes.filter(lambda c: len(c) != 13 or c.count(".") != 3))
def test_other_shapes_are_not_qcvn(code: str) -> None:
    """Longer QĐ 20/2020 codes are valid but are not the 13-character QCVN form."""
    assert not is_qcvn_code(code)


def test_qcvn_pattern_needs_ascii_digits() -> None:
    """Unicode digits (Arabic-Indic, full-width) never make a QCVN code."""
    assert is_qcvn_code("000.00.01.H99")
    assert not is_qcvn_code("０00.00.01.H99")
    assert not is_qcvn_code("000.00.01.h99")


def test_unit_codes() -> None:
    """Unit codes: short ASCII, upper-cased."""
    assert normalise_unit_code(" vp ") == "VP"
    assert normalise_unit_code("p.kt-1") == "P.KT-1"
    for bad in ["", "-VP", "Văn phòng", "X" * 31]:
        with pytest.raises(ValidationFailed):
            normalise_unit_code(bad)
