"""Number and notation formats (Decree 30/2020 Art. 15): formatter and parser are inverse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vanban.core.errors import ValidationFailed
from vanban.registry.core.numbering import (
    ADMINISTRATIVE,
    CONG_VAN,
    DOCUMENT_TYPES,
    SECRET,
    DocumentNumber,
    format_label,
    format_number,
    notation_for,
    parse_number,
    series_for,
)

SHORT_NAMES = st.text(alphabet="ABCDEGHKLMNOPQRSTUVXYĐ&0123456789", min_size=1, max_size=8).filter(
    lambda s: any(c.isalpha() for c in s))
TYPES = st.sampled_from([t for t in DOCUMENT_TYPES if t.code != CONG_VAN])


@st.composite
def numbers(draw: st.DrawFn) -> DocumentNumber:
    kind = draw(st.sampled_from(DOCUMENT_TYPES))
    agency = draw(SHORT_NAMES)
    unit = draw(st.one_of(st.just(""), SHORT_NAMES))
    notation = notation_for(type_code=kind.code, agency_short=agency, unit_short=unit)
    year = draw(st.one_of(st.none(), st.integers(1990, 2100)))
    return DocumentNumber(number=draw(st.integers(1, 10**6)), notation=notation, year=year)


def test_examples_of_the_decree() -> None:
    """R3 (Decree 30 Art. 15): the three printed forms, with the leading zero below 10."""
    assert format_label(DocumentNumber(5, "QĐ-UBND")) == "Số: 05/QĐ-UBND"
    assert format_label(DocumentNumber(345, "UBND-VX")) == "Số: 345/UBND-VX"
    assert format_number(DocumentNumber(133, "QĐ-UBND", year=2015)) == "133/2015/QĐ-UBND"
    assert format_number(DocumentNumber(10, "TB-STTTT")) == "10/TB-STTTT"
    assert notation_for(type_code="quyet_dinh", agency_short="UBND") == "QĐ-UBND"
    assert notation_for(type_code=CONG_VAN, agency_short="UBND", unit_short="VX") == "UBND-VX"
    assert notation_for(type_code="chuong_trinh", agency_short="SNV") == "CTr-SNV"
    assert parse_number("Số: 05/QĐ-UBND") == DocumentNumber(5, "QĐ-UBND")
    assert parse_number("133/2015/QĐ-UBND") == DocumentNumber(133, "QĐ-UBND", 2015)


def test_cong_van_has_no_abbreviation() -> None:
    """Công văn is the one type without an abbreviation; every other type has one."""
    abbreviations = {t.code: t.abbreviation for t in DOCUMENT_TYPES}
    assert abbreviations[CONG_VAN] == ""
    assert all(a for code, a in abbreviations.items() if code != CONG_VAN)
    assert len(set(abbreviations.values())) == len(abbreviations)


@given(numbers())
def test_parse_inverts_format(value: DocumentNumber) -> None:
    """The parser reads back whatever the formatter prints, with or without "Số:"."""
    assert parse_number(format_number(value)) == value
    assert parse_number(format_label(value)) == value


@given(numbers(), st.sampled_from(["  ", " ", "\t"]))
def test_parse_tolerates_spacing(value: DocumentNumber, space: str) -> None:
    """Typed or extracted numbers carry stray spaces around "/" and "-"."""
    text = format_label(value).replace("/", f"{space}/{space}").replace("-", f"{space}-")
    assert parse_number(f"{space}{text}{space}") == value


@given(st.integers(1, 9), TYPES, SHORT_NAMES)
def test_leading_zero_below_ten(n: int, kind: object, agency: str) -> None:
    """Numbers below 10 are printed with a leading zero."""
    notation = notation_for(type_code=kind.code, agency_short=agency)  # type: ignore[attr-defined]
    assert format_number(DocumentNumber(n, notation)).startswith(f"0{n}/")


@pytest.mark.parametrize("text", ["", "05", "QĐ-UBND", "0/QĐ-UBND", "12/2015", "12/ /QĐ",
                                  "a5/QĐ-UBND", "5/QĐ UBND"])
def test_garbage_is_refused(text: str) -> None:
    """Anything that is not number/notation is a validation error in both languages."""
    with pytest.raises(ValidationFailed) as caught:
        parse_number(text)
    assert caught.value.code == "bad_number"
    assert "ký hiệu" in caught.value.vi


def test_series() -> None:
    """Separate series: administrative, one per legal normative type, secret."""
    assert series_for(type_code=CONG_VAN, legal_normative=False, classified=False) == ADMINISTRATIVE
    assert series_for(type_code="quyet_dinh", legal_normative=False,
                      classified=False) == ADMINISTRATIVE
    legal_qd = series_for(type_code="quyet_dinh", legal_normative=True, classified=False)
    legal_nq = series_for(type_code="nghi_quyet", legal_normative=True, classified=False)
    assert legal_qd != legal_nq
    assert ADMINISTRATIVE not in {legal_qd, legal_nq}
    assert series_for(type_code="quyet_dinh", legal_normative=True, classified=True) == SECRET
    with pytest.raises(ValidationFailed):
        series_for(type_code="bao_cao", legal_normative=True, classified=False)


def test_bad_short_name_is_refused() -> None:
    """Notation groups are letters and digits only: no spaces, no dashes inside."""
    with pytest.raises(ValidationFailed):
        notation_for(type_code="quyet_dinh", agency_short="UB ND")
    with pytest.raises(ValidationFailed):
        notation_for(type_code="quyet_dinh", agency_short="UB-ND")
