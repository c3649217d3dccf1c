"""Trust store, certificate authorities and agency certificates (R21.1).

Private keys never live in the database: CA keys and PKCS#12 files sit under
``settings.KEYS_DIR``, encrypted with the installation's key-store secret (see
:mod:`vanban.signatures.keystore`); a PKCS#11 key stays on its token and the database keeps only
where to find it (module, token label, key label) and where to read the PIN from.
"""

from __future__ import annotations

from django.db import models

from vanban.directory.models import Agency


class TrustedRoot(models.Model):
    """A root CA whose certificates we accept (the Government Cipher Committee's, or the demo's)."""

    pem = models.TextField()
    subject = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the DER")
    added_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("subject",)

    def __str__(self) -> str:
        return self.subject


class CaKind(models.TextChoices):
    """What a CA row is for."""

    ROOT = "root", "CA gốc"
    ISSUING = "issuing", "CA cấp chứng thư cho cơ quan"
    TSA = "tsa", "Dịch vụ cấp dấu thời gian"


class CertificateAuthority(models.Model):
    """A CA we operate: the provincial issuing CA, the demo root, the demo TSA.

    ``key_path`` is relative to ``settings.KEYS_DIR`` (an encrypted PKCS#8 PEM). The latest CRL
    is kept here as DER and served at ``/signatures/crl/<id>.crl``.
    """

    kind = models.CharField(max_length=10, choices=CaKind.choices)
    name = models.CharField(max_length=200)
    cert_pem = models.TextField()
    fingerprint = models.CharField(max_length=64, unique=True)
    key_path = models.CharField(max_length=300)
    issuer = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="issued_cas")
    demo = models.BooleanField(default=False)
    crl_number = models.PositiveIntegerField(default=0)
    crl_der = models.BinaryField(default=b"")
    crl_next_update = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.name


class CertSource(models.TextChoices):
    """Where an agency certificate came from."""

    ISSUED = "issued", "Do tỉnh cấp"
    REGISTERED = "registered", "Đăng ký (cấp ở nơi khác)"


class KeyStorage(models.TextChoices):
    """Where the private key of an agency certificate is kept."""

    PKCS12 = "pkcs12", "Tệp PKCS#12 mã hóa"
    PKCS11 = "pkcs11", "Thiết bị PKCS#11 (token/HSM)"
    NONE = "none", "Không có khóa (chỉ để kiểm tra)"


class CertStatus(models.TextChoices):
    """Whether the certificate may still sign."""

    ACTIVE = "active", "Còn hiệu lực"
    REVOKED = "revoked", "Đã thu hồi"


class AgencyCertificate(models.Model):
    """An agency's signing certificate: which certificate belongs to which agency (R21.1)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="certificates")
    pem = models.TextField()
    chain_pem = models.TextField(blank=True, help_text="Intermediate CA certificates, PEM")
    serial = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, unique=True)
    subject = models.CharField(max_length=500)
    issuer_subject = models.CharField(max_length=500)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=12, choices=CertSource.choices)
    issued_by = models.ForeignKey(CertificateAuthority, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="certificates")
    key_storage = models.CharField(max_length=8, choices=KeyStorage.choices)
    # PKCS#12: path relative to KEYS_DIR, encrypted with the key-store secret.
    pkcs12_path = models.CharField(max_length=300, blank=True)
    # PKCS#11: where the key is; the PIN reference is "env:VAR" or "file:/path", never the PIN.
    pkcs11_module = models.CharField(max_length=300, blank=True)
    pkcs11_token_label = models.CharField(max_length=100, blank=True)
    pkcs11_key_label = models.CharField(max_length=100, blank=True)
    pkcs11_pin_ref = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=8, choices=CertStatus.choices,
                              default=CertStatus.ACTIVE)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("agency", "-not_after")

    def __str__(self) -> str:
        return f"{self.subject} #{self.serial}"
