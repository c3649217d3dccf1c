"""Intake never crashes: any bytes give either a :class:`PdfInfo` or a :class:`PdfRejected`
(R3.1 entry points must answer every upload with a clear reason, never a server error)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanban.pdfs.errors import PdfRejected, Reason
from vanban.pdfs.inspect import PdfInfo, inspect_pdf
from vanban.pdfs.tests.conftest import make_pdf

VALID = make_pdf("Văn bản gốc để biến đổi ngẫu nhiên", "Phụ lục")
LIMIT = 1024 * 1024


def _outcome(data: bytes) -> PdfInfo | PdfRejected:
    try:
        return inspect_pdf(data, max_bytes=LIMIT)
    except PdfRejected as err:
        refusal = err
    assert refusal.reason in set(Reason)
    assert refusal.vi
    assert refusal.en
    return refusal


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    """Random bytes are refused with a reason (and never crash)."""
    assert isinstance(_outcome(data), PdfRejected)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes_behind_a_pdf_header(data: bytes) -> None:
    """Random bytes behind a PDF header reach the parser and still only give a clean answer."""
    result = _outcome(b"%PDF-1.7\n" + data + b"\n%%EOF\n")
    assert isinstance(result, (PdfInfo, PdfRejected))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """The valid PDF with a few bytes overwritten, deleted or inserted, or cut short."""
    data = bytearray(VALID)
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        position = draw(st.integers(min_value=0, max_value=len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
        if action == "flip":
            data[position] = draw(st.integers(min_value=0, max_value=255))
        elif action == "delete":
            del data[position:position + draw(st.integers(min_value=1, max_value=64))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
        else:
            del data[position:]
        if not data:
            break
    return bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_valid_pdf(data: bytes) -> None:
    """A damaged copy of a valid PDF is either still readable or refused with a reason."""
    result = _outcome(data)
    if isinstance(result, PdfInfo):
        assert 1 <= result.page_count <= 2
