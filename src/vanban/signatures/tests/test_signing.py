"""PAdES signing with the agency certificate (R9.1, R15.1, R15.2), checked with pyHanko's own
validator, poppler's renderer and the published CRL."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.status import SignatureCoverageLevel

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Conflict, Forbidden
from vanban.core.roles import Role
from vanban.pdfs.render import first_page_png, page_text
from vanban.signatures import appearance, services
from vanban.signatures.tests.conftest import AGENCY_NAME, make_pdf, validate


def _widget_rect(signed: bytes) -> tuple[list[float], float, float, bool]:
    """The signature widget's /Rect, page 1's size, and whether the widget is on page 1."""
    reader = PdfFileReader(io.BytesIO(signed))
    field = reader.embedded_signatures[0].sig_field
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    box = [float(v) for v in page["/MediaBox"]]
    on_page_one = any(a.get_object().get("/FT") == "/Sig" or a.get_object() is field
                      for a in page.get("/Annots", []))
    return [float(v) for v in field["/Rect"]], box[2], box[3], on_page_one


def test_signed_pdf_validates_covers_whole_file_and_keeps_original(issued, clerk, agency):
    """R9.1, R15.2: the clerk signs; one signature covers the entire file; pyHanko's validator
    finds it intact, valid and trusted against the demo root with the CRLs; the original bytes
    are a prefix of the result and unchanged."""
    original = make_pdf(pages=3)
    before = hashlib.sha256(original).hexdigest()
    result = services.pdf_sign(actor=clerk, agency=agency, data=original)
    assert hashlib.sha256(original).hexdigest() == before
    assert result.data.startswith(original)
    assert len(result.data) > len(original)
    assert result.sha256 == hashlib.sha256(result.data).hexdigest()
    assert result.certificate_id == issued.pk
    status = validate(result.data)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["organization_name"] == AGENCY_NAME
    event = AuditEvent.objects.filter(action="signatures.pdf_sign").get()
    assert event.agency_code == agency.code
    assert before in event.data


def test_b_t_signature_carries_a_timestamp_token(issued, clerk, agency):
    """R15.1: with the demo TSA the signature is PAdES B-T (an RFC 3161 token, validated)."""
    status = validate(services.pdf_sign(actor=clerk, agency=agency, data=make_pdf()).data)
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact
    assert status.timestamp_validity.valid
    assert status.timestamp_validity.trusted


def test_b_b_without_tsa(issued, clerk, agency):
    """R15.1: without a TSA (none configured, no demo TSA) the signature is B-B, still valid."""
    from vanban.signatures.models import CertificateAuthority

    CertificateAuthority.objects.filter(kind="tsa").delete()
    status = validate(services.pdf_sign(actor=clerk, agency=agency, data=make_pdf()).data)
    assert status.valid
    assert status.timestamp_validity is None


def test_visible_mark_bottom_left_of_page_one(issued, clerk, agency):
    """R15.1: the widget lies on page 1 in the bottom-left quarter."""
    signed = services.pdf_sign(actor=clerk, agency=agency, data=make_pdf(pages=2)).data
    (x1, y1, x2, y2), width, height, on_page_one = _widget_rect(signed)
    assert on_page_one
    assert 0 <= x1 < x2 <= width / 2
    assert 0 <= y1 < y2 <= height / 2


def test_visible_mark_renders_vietnamese(issued, clerk, agency):
    """R15.1: page 1 renders (PNG) and its text shows "Ký bởi", the agency name with its
    diacritics and the signing time in Vietnam time."""
    at = clock.now()
    signed = services.pdf_sign(actor=clerk, agency=agency, data=make_pdf()).data
    png = first_page_png(signed, dpi=100)
    assert png.startswith(b"\x89PNG")
    assert len(png) > 1000
    text = " ".join(page_text(signed, 1).split())
    assert "Ký bởi" in text
    assert AGENCY_NAME in text
    assert "+07:00" in text
    assert appearance.format_time(at)[:10] in text


@pytest.mark.parametrize(("placement", "quarter"), [("top_right_first_page", "top_right"),
                                                     ("signature_block_overlay", "lower_right")])
def test_other_placements(settings, issued, clerk, placement, quarter):
    """R15.1: the position rule is a per-installation setting (Decree 30/2020 layouts)."""
    settings.VANBAN_SIGNATURE_PLACEMENT = placement
    signed = services.pdf_sign(actor=clerk, agency=issued.agency, data=make_pdf()).data
    (x1, y1, _x2, y2), width, height, _ = _widget_rect(signed)
    assert x1 >= width / 2
    if quarter == "top_right":
        assert y1 >= height / 2
    else:
        assert y2 <= height / 2
    assert validate(signed).valid


def test_specialist_cannot_sign(issued, make_user, agency):
    """R9.1: only the clerk signs with the agency certificate; the refusal is audited."""
    specialist = make_user(agency, roles=[Role.SPECIALIST])
    with pytest.raises(Forbidden):
        services.pdf_sign(actor=specialist, agency=agency, data=make_pdf())
    assert AuditEvent.objects.filter(action="signatures.pdf_sign.denied").exists()


def test_other_agency_clerk_cannot_sign(issued, make_user, make_agency, agency):
    """R9.1: a clerk signs only with their own agency's certificate."""
    other_clerk = make_user(make_agency(), roles=[Role.CLERK])
    with pytest.raises(Forbidden):
        services.pdf_sign(actor=other_clerk, agency=agency, data=make_pdf())


def test_revoked_certificate_refuses_and_crl_lists_it(issued, clerk, agency, demo_pki):
    """R21.1: after revocation the certificate never signs again and the CRL names it."""
    from asn1crypto import crl as asn1_crl

    signed_before = services.pdf_sign(actor=clerk, agency=agency, data=make_pdf()).data
    services.certificate_revoke(actor=None, certificate=issued, reason="key_compromise")
    with pytest.raises(Conflict) as err:
        services.pdf_sign(actor=clerk, agency=agency, data=make_pdf())
    assert err.value.code == "no_valid_certificate"
    demo_pki.issuing.refresh_from_db()
    crl = asn1_crl.CertificateList.load(bytes(demo_pki.issuing.crl_der))
    serials = [entry["user_certificate"].native for entry in crl["tbs_cert_list"]
               ["revoked_certificates"]]
    assert int(issued.serial) in serials
    status = validate(signed_before)  # hard-fail revocation checking with the new CRL
    assert not status.trusted or status.revoked


def test_expired_certificate_refuses(demo_pki, clerk, agency):
    """R21.1: an expired certificate never signs."""
    services.certificate_issue(actor=None, agency=agency, valid_days=10)
    with clock.frozen(clock.now() + timedelta(days=11)), pytest.raises(Conflict):
        services.pdf_sign(actor=clerk, agency=agency, data=make_pdf())


def test_garbage_is_refused_with_a_message(issued, clerk, agency):
    """Not a PDF: a clear, bilingual refusal rather than a crash."""
    from vanban.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        services.pdf_sign(actor=clerk, agency=agency, data=b"%PDF-1.7\nnot really")
    assert "PDF" in err.value.vi
    assert "PDF" in err.value.en
