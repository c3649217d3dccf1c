"""Document number and notation (Decree 30/2020 Art. 15, Phụ lục I §3, Phụ lục III).

``Số: 05/QĐ-UBND`` (administrative), ``Số: 345/UBND-VX`` (công văn: agency + drafting unit),
``133/2015/QĐ-UBND`` (legal normative documents carry the year). Numbers below 10 get a leading
zero. Each register counts within a *series*: one for administrative documents, one per legal
normative type, one for secret documents.

Pure Python: no Django import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vanban.core.errors import ValidationFailed


@dataclass(frozen=True)
class DocType:
    """A document type of Phụ lục III: stable key, Vietnamese name, notation abbreviation."""

    code: str
    name: str
    abbreviation: str  # "" for công văn
    legal_normative_allowed: bool = False


CONG_VAN = "cong_van"
DOCUMENT_TYPES: tuple[DocType, ...] = (
    DocType(CONG_VAN, "Công văn", ""),
    DocType("nghi_quyet", "Nghị quyết", "NQ", legal_normative_allowed=True),
    DocType("quyet_dinh", "Quyết định", "QĐ", legal_normative_allowed=True),
    DocType("chi_thi", "Chỉ thị", "CT"),
    DocType("quy_che", "Quy chế", "QC"),
    DocType("quy_dinh", "Quy định", "QyĐ"),
    DocType("thong_cao", "Thông cáo", "TC"),
    DocType("thong_bao", "Thông báo", "TB"),
    DocType("huong_dan", "Hướng dẫn", "HD"),
    DocType("chuong_trinh", "Chương trình", "CTr"),
    DocType("ke_hoach", "Kế hoạch", "KH"),
    DocType("phuong_an", "Phương án", "PA"),
    DocType("de_an", "Đề án", "ĐA"),
    DocType("du_an", "Dự án", "DA"),
    DocType("bao_cao", "Báo cáo", "BC"),
    DocType("bien_ban", "Biên bản", "BB"),
    DocType("to_trinh", "Tờ trình", "TTr"),
    DocType("hop_dong", "Hợp đồng", "HĐ"),
    DocType("cong_dien", "Công điện", "CĐ"),
    DocType("ban_ghi_nho", "Bản ghi nhớ", "BGN"),
    DocType("ban_thoa_thuan", "Bản thỏa thuận", "BTT"),
    DocType("giay_uy_quyen", "Giấy ủy quyền", "GUQ"),
    DocType("giay_moi", "Giấy mời", "GM"),
    DocType("giay_gioi_thieu", "Giấy giới thiệu", "GGT"),
    DocType("giay_nghi_phep", "Giấy nghỉ phép", "GNP"),
    DocType("phieu_gui", "Phiếu gửi", "PG"),
    DocType("phieu_chuyen", "Phiếu chuyển", "PC"),
    DocType("phieu_bao", "Phiếu báo", "PB"),
    DocType("ban_sao_y", "Bản sao y", "SY"),
    DocType("ban_trich_sao", "Bản trích sao", "TrS"),
    DocType("ban_sao_luc", "Bản sao lục", "SL"),
)
TYPES_BY_CODE: dict[str, DocType] = {t.code: t for t in DOCUMENT_TYPES}

# Series keys of a register (Decree 30/2020 Art. 15.2).
ADMINISTRATIVE = "administrative"
SECRET = "secret"  # noqa: S105 (a series key, not a password)
LEGAL_PREFIX = "legal:"


def doc_type(code: str) -> DocType:
    """The type with key ``code``, or a validation error naming it."""
    try:
        return TYPES_BY_CODE[code]
    except KeyError:
        raise ValidationFailed(f"Loại văn bản “{code}” không hợp lệ.",
                               f"Document type “{code}” is invalid.", code="bad_type") from None


def series_for(*, type_code: str, legal_normative: bool, classified: bool) -> str:
    """The number series of a document: secret, one per legal normative type, or administrative."""
    if classified:
        return SECRET
    if legal_normative:
        kind = doc_type(type_code)
        if not kind.legal_normative_allowed:
            raise ValidationFailed(
                f"{kind.name} không thể là văn bản quy phạm pháp luật.",
                f"A {kind.name} cannot be a legal normative document.",
                code="not_legal_normative_type")
        return LEGAL_PREFIX + type_code
    return ADMINISTRATIVE


def series_label(series: str) -> tuple[str, str]:
    """Vietnamese and English label of a series key."""
    if series == SECRET:
        return "Văn bản mật", "Secret documents"
    if series.startswith(LEGAL_PREFIX):
        name = doc_type(series.removeprefix(LEGAL_PREFIX)).name
        return f"Văn bản quy phạm pháp luật: {name}", f"Legal normative: {name}"
    return "Văn bản hành chính", "Administrative documents"


# One notation group: letters (any script, for Đ), digits, "&" and "." (SKH&ĐT, TT.HĐND).
_GROUP = r"(?:[^\W_]|[&.])+"
_GROUP_RE = re.compile(rf"^{_GROUP}$")
_NUMBER_RE = re.compile(
    rf"^(?:s[ốo]\s*:?\s*)?(?P<num>[0-9]{{1,9}})\s*(?:/\s*(?P<year>[0-9]{{4}})\s*)?/\s*"
    rf"(?P<notation>{_GROUP}(?:\s*-\s*{_GROUP})*)$",
    re.IGNORECASE,
)


def _clean_group(text: str, *, what_vi: str, what_en: str) -> str:
    group = unicodedata.normalize("NFC", text.strip())
    if not _GROUP_RE.match(group):
        raise ValidationFailed(
            f"{what_vi} “{group}” chỉ được gồm chữ, số, “&” và “.”.",
            f"The {what_en} “{group}” may contain only letters, digits, “&” and “.”.",
            code="bad_notation")
    return group


def notation_for(*, type_code: str, agency_short: str, unit_short: str = "") -> str:
    """``QĐ-UBND`` for typed documents; ``UBND-VX`` for công văn (agency + drafting unit)."""
    agency = _clean_group(agency_short, what_vi="Tên viết tắt cơ quan", what_en="agency short name")
    if type_code == CONG_VAN:
        if unit_short.strip():
            unit = _clean_group(unit_short, what_vi="Tên viết tắt đơn vị",
                                what_en="unit short name")
            return f"{agency}-{unit}"
        return agency
    return f"{doc_type(type_code).abbreviation}-{agency}"


@dataclass(frozen=True)
class DocumentNumber:
    """A number and notation; ``year`` only for legal normative documents."""

    number: int
    notation: str
    year: int | None = None

    def __str__(self) -> str:
        return format_number(self)


def format_number(value: DocumentNumber) -> str:
    """``05/QĐ-UBND``, ``345/UBND-VX`` or ``133/2015/QĐ-UBND`` (leading zero below 10)."""
    if value.number < 1:
        raise ValueError("document numbers start at 1")
    digits = f"{value.number:02d}"
    if value.year is not None:
        return f"{digits}/{value.year:04d}/{value.notation}"
    return f"{digits}/{value.notation}"


def format_label(value: DocumentNumber) -> str:
    """The line printed on the document: ``Số: 05/QĐ-UBND``."""
    return f"Số: {format_number(value)}"


def parse_number(text: str) -> DocumentNumber:
    """Read a number as printed (with or without ``Số:``, tolerant of spaces around separators)."""
    normal = " ".join(unicodedata.normalize("NFC", text).split())
    match = _NUMBER_RE.match(normal)
    notation = re.sub(r"\s*-\s*", "-", match.group("notation")) if match else ""
    if match is None or not any(ch.isalpha() for ch in notation) or int(match["num"]) < 1:
        raise ValidationFailed(
            f"“{text.strip()}” không phải số, ký hiệu văn bản (ví dụ: 05/QĐ-UBND).",
            f"“{text.strip()}” is not a document number and notation (e.g. 05/QĐ-UBND).",
            code="bad_number")
    year = int(match["year"]) if match["year"] else None
    return DocumentNumber(number=int(match["num"]), notation=notation, year=year)
