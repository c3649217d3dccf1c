"""Trust store, certificate authorities and agency certificates (R21.1).

Private keys never live in the database: CA keys and PKCS#12 files sit under
``settings.KEYS_DIR``, encrypted with the installation's key-store secret (see
:mod:`vanban.signatures.keystore`); a PKCS#11 key stays on its token and the database keeps only
where to find it (module, token label, key label) and where to read the PIN from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

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

    ROOT = "root", _("CA gốc")
    ISSUING = "issuing", _("CA cấp chứng thư cho cơ quan")
    TSA = "tsa", _("Dịch vụ cấp dấu thời gian")


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

    ISSUED = "issued", _("Do tỉnh cấp")
    REGISTERED = "registered", _("Đăng ký (cấp ở nơi khác)")


class KeyStorage(models.TextChoices):
    """Where the private key of an agency certificate is kept."""

    PKCS12 = "pkcs12", _("Tệp PKCS#12 mã hóa")
    PKCS11 = "pkcs11", _("Thiết bị PKCS#11 (token/HSM)")
    NONE = "none", _("Không có khóa (chỉ để kiểm tra)")


class CertStatus(models.TextChoices):
    """Whether the certificate may still sign."""

    ACTIVE = "active", _("Còn hiệu lực")
    REVOKED = "revoked", _("Đã thu hồi")


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


class VerificationPath(models.TextChoices):
    """How an incoming document proves its origin (R4.1): a PAdES signature, or (later) the
    mail gateway's checks of a message from the sender's registered mailbox."""

    SIGNATURE = "signature", _("Chữ ký số trên tệp PDF")
    MAIL = "mail", _("Thư điện tử công vụ")


class ArrivalChannel(models.TextChoices):
    """The channel a verified document came through (ADR 0011). A verification is bound to it:
    the record made for one channel is never reused for another. ``legacy`` marks the records
    made before channels were recorded; no lookup asks for it, so they are never reused."""

    HUB = "hub", _("Trục liên thông của hệ thống này")
    FEDERATED = "federated", _("Liên thông từ hệ thống khác")
    PAPER = "paper", _("Bản giấy quét khi đến")
    MAIL = "mail", _("Thư điện tử công vụ")
    CLI = "cli", _("Kiểm tra bằng dòng lệnh")
    LEGACY = "legacy", _("Trước khi ghi kênh (không dùng lại)")


class Verdict(models.TextChoices):
    """The outcome of a verification."""

    VALID = "valid", _("Hợp lệ")
    INVALID = "invalid", _("Không hợp lệ")


class Verification(models.Model):
    """The verification of one incoming PDF from one sender through one channel (R4.2, R4.3).

    Made once per document: keyed by the SHA-256 of the bytes (the blob), the sender, the path
    and the channel it came through (``channel`` and, for a federated one, the ``peer``
    installation), so every recipient and page view of that arrival reads the same record,
    and a record made for one channel is never taken for another (ADR 0011). ``checks`` is
    the ordered list of checks (``code``, ``status`` pass/fail/warning/skipped, ``vi``,
    ``en``, ``detail``). The bytes are kept as received, even when rejected. The ``mail_*``
    fields belong to the mail path of R4.1 and stay empty for signed PDFs.
    """

    blob = models.ForeignKey("storage.Blob", on_delete=models.PROTECT,
                             related_name="verifications", help_text="SHA-256 of the bytes")
    sender = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="verifications")
    path = models.CharField(max_length=10, choices=VerificationPath.choices,
                            default=VerificationPath.SIGNATURE)
    channel = models.CharField(max_length=10, choices=ArrivalChannel.choices)
    peer = models.CharField(max_length=100, blank=True,
                            help_text="The peer installation, for the federated channel")
    received_via = models.CharField(max_length=20, help_text="hub, cli, upload, mail…")
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    checks = models.JSONField(default=list)
    signer_certificate = models.ForeignKey(AgencyCertificate, null=True, blank=True,
                                           on_delete=models.PROTECT,
                                           related_name="verifications")
    signer_subject = models.CharField(max_length=500, blank=True)
    signer_fingerprint = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_at_source = models.CharField(max_length=10, blank=True,
                                        help_text="timestamp (RFC 3161) or claimed (/M)")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    verified_at = models.DateTimeField()
    # Mail path (R4.1), filled by the mail gateway later.
    mail_message_id = models.CharField(max_length=300, blank=True)
    mail_from = models.CharField(max_length=300, blank=True)
    mail_received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-verified_at", "-id")
        constraints = (models.UniqueConstraint(fields=("blob", "sender", "path", "channel",
                                                       "peer"),
                                               name="verification_once_per_channel"),)

    def __str__(self) -> str:
        return f"{self.blob_id[:12]}… {self.verdict}"

    @property
    def sha256(self) -> str:
        """The SHA-256 of the verified bytes (the blob's key)."""
        return str(self.blob_id)

    @property
    def valid(self) -> bool:
        """Whether every check passed (warnings allowed)."""
        return self.verdict == Verdict.VALID

    def failures(self) -> list[dict[str, str]]:
        """The failed checks, in order."""
        return [c for c in self.checks if c.get("status") == "fail"]


class CachedCrl(models.Model):
    """A CRL fetched from a distribution point of a CA we do not operate, kept until its
    next update so that validating many documents does not fetch it again."""

    url = models.CharField(max_length=500, unique=True)
    der = models.BinaryField()
    this_update = models.DateTimeField(null=True, blank=True)
    next_update = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.url


class ArchiveCopy(models.Model):
    """One archival copy of a signed PDF (PAdES B-LTA, ADR 0014): the signed file plus the
    validation data and a document time-stamp covering all of it.

    Never updated: a renewal makes a new blob (the previous copy plus a newer time-stamp) and a
    new row pointing at the one it renews. ``origin`` is the SHA-256 of the file as signed and
    dispatched; the copy of an origin in force is the one that nothing renews yet.
    """

    blob = models.OneToOneField("storage.Blob", on_delete=models.PROTECT,
                                related_name="archive_copy")
    origin = models.CharField(max_length=64, db_index=True,
                              help_text="SHA-256 of the signed file as dispatched")
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="renewed_by")
    stamped_at = models.DateTimeField(help_text="Time of the newest document time-stamp")
    tsa_fingerprint = models.CharField(max_length=64)
    tsa_not_after = models.DateTimeField(db_index=True,
                                         help_text="When the newest stamp's TSA certificate "
                                                   "expires: renew before")
    md_algorithm = models.CharField(max_length=10)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("origin", "id")

    def __str__(self) -> str:
        return f"{self.origin[:12]}… → {self.blob_id[:12]}…"


class ArrivalValidationData(models.Model):
    """The validation data collected when a document arrived (ADR 0014): the certificates and
    revocation data the verification used, kept beside the received bytes (a JSON blob), so it
    can be validated as of its arrival after the issuer has gone (R12.1)."""

    verification = models.OneToOneField(Verification, on_delete=models.PROTECT,
                                        related_name="validation_data")
    blob = models.ForeignKey("storage.Blob", on_delete=models.PROTECT,
                             related_name="+")
    collected_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.verification_id} → {self.blob_id[:12]}…"
