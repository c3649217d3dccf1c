"""Trust store, provincial CA, agency certificates and expiry warnings (R21.1)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Conflict, Forbidden, ValidationFailed
from vanban.core.roles import Role
from vanban.signatures import pki, selectors, services
from vanban.signatures.demo import demo_pki_load
from vanban.signatures.models import AgencyCertificate, CertStatus, KeyStorage, TrustedRoot
from vanban.signatures.tests.conftest import AGENCY_NAME, make_pdf, validate, validation_context


def test_demo_pki_trusts_its_root_and_publishes_crls(demo_pki):
    """R21.1: the demo root is in the trust store; the issuing CA chains to it; CRLs exist."""
    root = pki.load_pems(demo_pki.root.cert_pem)[0]
    issuing = pki.load_pems(demo_pki.issuing.cert_pem)[0]
    assert TrustedRoot.objects.filter(fingerprint=pki.fingerprint(root), active=True).exists()
    assert pki.issued_by(issuing, root)
    for ca in (demo_pki.root, demo_pki.issuing):
        crl = x509.load_der_x509_crl(bytes(ca.crl_der))
        public_key = pki.load_pems(ca.cert_pem)[0].public_key()
        assert isinstance(public_key, rsa.RSAPublicKey)
        assert crl.is_signature_valid(public_key)
    key_file = Path(settings.KEYS_DIR) / demo_pki.issuing.key_path
    assert key_file.stat().st_mode & 0o077 == 0
    assert b"ENCRYPTED PRIVATE KEY" in key_file.read_bytes()
    with pytest.raises(Conflict):
        services.ca_create_demo(actor=None)


def test_issued_certificate_names_the_agency(issued, demo_pki, agency):
    """R21.1: O/CN = agency name, OU/serialNumber = agency code, signing key usages, CRL URL."""
    cert = pki.load_pems(issued.pem)[0]
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == AGENCY_NAME
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == AGENCY_NAME
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == agency.code
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_cert_sign
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value.endswith(f"/signatures/crl/{demo_pki.issuing.pk}.crl")
    assert issued.key_storage == KeyStorage.PKCS12
    assert (Path(settings.KEYS_DIR) / issued.pkcs12_path).stat().st_mode & 0o077 == 0
    assert AuditEvent.objects.filter(action="signatures.certificate_issue",
                                     agency_code=agency.code).exists()


def test_only_province_admin_issues(demo_pki, agency, make_user, admin):
    """R21.1: the province administrator issues; an agency head may not."""
    head = make_user(agency, roles=[Role.HEAD])
    with pytest.raises(Forbidden):
        services.certificate_issue(actor=head, agency=agency)
    row = services.certificate_issue(actor=admin, agency=agency)
    assert row.status == CertStatus.ACTIVE
    with pytest.raises(Conflict):
        services.certificate_issue(actor=admin, agency=agency)


def test_renew_supersedes_and_signs_with_new_key(issued, clerk, agency):
    """R21.1: renewal issues a new certificate and revokes the old one as superseded."""
    new = services.certificate_renew(actor=None, certificate=issued)
    issued.refresh_from_db()
    assert issued.status == CertStatus.REVOKED
    assert issued.revocation_reason == "superseded"
    assert new.fingerprint != issued.fingerprint
    signed = services.pdf_sign(actor=clerk, agency=agency, data=make_pdf())
    assert signed.certificate_id == new.pk
    assert validate(signed.data).valid


def test_expiring_certificates_warning(demo_pki, agency, make_agency, client, admin):
    """R21.1: 30 days before expiry the certificate is on the administrator's warning list."""
    other = make_agency(name="UBND huyện Lục Ngạn")
    soon = services.certificate_issue(actor=None, agency=agency, valid_days=60)
    services.certificate_issue(actor=None, agency=other, valid_days=365)
    assert list(selectors.expiring_certificates()) == []
    with clock.frozen(clock.now() + timedelta(days=35)):
        assert list(selectors.expiring_certificates(days=30)) == [soon]
        client.force_login(admin)
        page = client.get("/signatures/").content.decode()
        assert 'data-testid="expiry-warning"' in page
        assert AGENCY_NAME in page
        assert f'data-testid="expiring-{agency.code}"' in page
        assert f'data-testid="expiring-{other.code}"' not in page


def test_certificate_page_for_agency_staff_has_no_warning(issued, client, clerk, agency):
    """R21.1: agency staff see their own certificates; the warning is the administrator's."""
    client.force_login(clerk)
    page = client.get("/signatures/").content.decode()
    assert agency.code in page
    assert "expiry-warning" not in page


def test_crl_is_served(issued, client, demo_pki):
    """R21.1: the CRL is published at the distribution point URL written in certificates."""
    services.certificate_revoke(actor=None, certificate=issued, reason="cessation_of_operation")
    response = client.get(f"/signatures/crl/{demo_pki.issuing.pk}.crl")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    revoked = crl.get_revoked_certificate_by_serial_number(int(issued.serial))
    assert revoked is not None
    assert client.get("/signatures/crl/999999.crl").status_code == 404


def _external_ca() -> tuple[pki.Issuer, x509.Certificate]:
    key = pki.new_key()
    root = pki.make_ca(subject=pki.name(common_name="Ban Cơ yếu thử nghiệm"), key=key,
                       issuer=None, now=clock.now(), days=3650)
    return pki.Issuer(cert=root, key=key), root


def test_register_external_certificate_with_key(demo_pki, agency, clerk, make_user):
    """R21.1: an agency registers a certificate issued elsewhere (trusted root), with its key;
    the clerk then signs with it."""
    issuer, root = _external_ca()
    key = pki.new_key()
    cert = pki.make_leaf(subject=pki.name(common_name=agency.name), public_key=key.public_key(),
                         issuer=issuer, now=clock.now(), days=365)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(b"mat-khau"))
    with pytest.raises(ValidationFailed) as err:  # root not trusted yet
        services.certificate_register(actor=clerk, agency=agency, cert_pem=pki.to_pem(cert),
                                      key_pem=key_pem, key_password=b"mat-khau")
    assert err.value.code == "untrusted_certificate"
    services.trust_add(actor=None, pem=pki.to_pem(root))
    specialist = make_user(agency, roles=[Role.SPECIALIST])
    with pytest.raises(Forbidden):
        services.certificate_register(actor=specialist, agency=agency,
                                      cert_pem=pki.to_pem(cert))
    with pytest.raises(ValidationFailed):
        services.certificate_register(actor=clerk, agency=agency, cert_pem=pki.to_pem(cert),
                                      key_pem=key_pem, key_password=b"sai")
    row = services.certificate_register(actor=clerk, agency=agency, cert_pem=pki.to_pem(cert),
                                        key_pem=key_pem, key_password=b"mat-khau")
    assert row.key_storage == KeyStorage.PKCS12
    assert row.source == "registered"
    signed = services.pdf_sign(actor=clerk, agency=agency, data=make_pdf())
    assert signed.certificate_id == row.pk
    status = validate(signed.data, validation_context(crls=False))
    assert status.valid
    assert status.intact


def test_register_refuses_mismatched_key(demo_pki, agency):
    """R21.1: the key must belong to the certificate."""
    issuer, root = _external_ca()
    services.trust_add(actor=None, pem=pki.to_pem(root))
    cert = pki.make_leaf(subject=pki.name(common_name="x"), public_key=pki.new_key()
                         .public_key(), issuer=issuer, now=clock.now(), days=30)
    other_key = pki.new_key().private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
    with pytest.raises(ValidationFailed) as err:
        services.certificate_register(actor=None, agency=agency, cert_pem=pki.to_pem(cert),
                                      key_pem=other_key)
    assert err.value.code == "key_mismatch"
    assert not AgencyCertificate.objects.exists()


def test_trust_add_refuses_non_root(issued):
    """Only self-signed roots enter the trust store."""
    with pytest.raises(ValidationFailed):
        services.trust_add(actor=None, pem=issued.pem)


def test_demo_pki_load_is_idempotent(db, make_agency):
    """The demo loader's helper: PKI plus one certificate per agency, safe to run twice."""
    agencies = [make_agency(), make_agency()]
    demo_pki_load(agencies=agencies)
    demo_pki_load(agencies=agencies)
    for agency in agencies:
        assert AgencyCertificate.objects.filter(agency=agency).count() == 1
        assert selectors.active_certificate(agency) is not None


def test_crls_due_are_republished_and_fresh_ones_left_alone(demo_pki):
    """R21.1: `vanban cert crl`, run daily, republishes a CRL whose next update is near, so that
    verifiers never meet an expired CRL; a fresh one keeps its number."""
    from io import StringIO

    from django.core.management import call_command

    from vanban.signatures.models import CertificateAuthority

    before = {ca.pk: ca.crl_number for ca in CertificateAuthority.objects.all()}
    assert services.crl_refresh_due() == []
    later = clock.now() + timedelta(days=25)  # the CRLs are valid 30 days: 5 left
    with clock.frozen(later):
        out = StringIO()
        call_command("cert", "crl", stdout=out)
    refreshed = {ca.pk: ca for ca in CertificateAuthority.objects.all()
                 if ca.crl_number != before[ca.pk]}
    assert set(refreshed) == {demo_pki.root.pk, demo_pki.issuing.pk}
    for ca in refreshed.values():
        assert ca.crl_number == before[ca.pk] + 1
        next_update = x509.load_der_x509_crl(bytes(ca.crl_der)).next_update_utc
        assert ca.crl_next_update is not None
        assert next_update is not None
        assert min(ca.crl_next_update, next_update) > later + timedelta(days=29)
    assert out.getvalue().count("crl:") == 2
