"""The provincial DKIM key table and signing/verification against it, with no DNS.

The province's mail system publishes one key per (domain, selector); vanban keeps the table
itself so that the gateway proves origin offline: ``dkim_verify`` answers dkimpy's DNS lookups
from the table. The province's own signing keys keep their private key, sealed by
``core.secretbox``. Signatures are rsa-sha256, relaxed/relaxed, over From, To, Cc, Subject,
Date, Message-ID, the MIME headers and every ``X-Vanban-*`` header present.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import re
from collections.abc import Mapping
from dataclasses import dataclass

import dkim  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, DomainError, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.core.secretbox import open_sealed, seal
from vanban.directory.models import Agency
from vanban.mail.models import DkimKey
from vanban.mail.services import may_manage

PURPOSE = "mail.dkim"
OBJECT = "dkim_key"
SIGNED_HEADERS = ("From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version",
                  "Content-Type", "In-Reply-To", "References")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class DkimUnavailable(DomainError):
    """No signing key of the province for the sender's domain."""

    status = 503
    code = "dkim_no_signing_key"


@dataclass(frozen=True)
class DkimResult:
    """What verification said: ``status`` ``pass``, ``fail`` or ``none`` (no signature); the
    signature's domain (d=), selector (s=) and identity (i=, empty when it names none); why,
    when it did not pass; whether the key's table entry requires the identity."""

    status: str
    domain: str = ""
    selector: str = ""
    identity: str = ""
    reason: str = ""
    identity_required: bool = True

    @property
    def ok(self) -> bool:
        return self.status == "pass"

    @property
    def detail(self) -> str:
        return self.reason


def _name(value: str, what_vi: str, what_en: str) -> str:
    value = value.strip().lower().rstrip(".")
    if not value or not all(_LABEL.match(part) for part in value.split(".")):
        raise ValidationFailed(f"{what_vi} không hợp lệ: {value!r}",
                               f"Not a valid {what_en}: {value!r}", code="dkim_name_invalid")
    return value


def _public(pem: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as err:
        raise ValidationFailed("Khoá công khai không đọc được (cần PEM).",
                               "The public key cannot be read (PEM expected).",
                               code="dkim_key_invalid") from err
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 1024:
        raise ValidationFailed("Khoá DKIM phải là RSA từ 1024 bit trở lên.",
                               "A DKIM key must be RSA of at least 1024 bits.",
                               code="dkim_key_invalid")
    return key


def _private(pem: str, public: rsa.RSAPublicKey) -> None:
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as err:
        raise ValidationFailed("Khoá bí mật không đọc được (cần PEM không mật khẩu).",
                               "The private key cannot be read (unencrypted PEM expected).",
                               code="dkim_key_invalid") from err
    if not isinstance(key, rsa.RSAPrivateKey) or (
            key.public_key().public_numbers() != public.public_numbers()):
        raise ValidationFailed("Khoá bí mật không khớp khoá công khai.",
                               "The private key does not match the public key.",
                               code="dkim_key_mismatch")


def txt_record(public: rsa.RSAPublicKey) -> str:
    """The DNS TXT value publishing ``public`` (``v=DKIM1; k=rsa; p=…``)."""
    der = public.public_bytes(serialization.Encoding.DER,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode("ascii")


def _local_mail_domain(domain: str) -> bool:
    """Whether ``domain`` is the mailbox domain of an agency of this installation: the
    province's own server signs its mail naming the mailbox, so a domain-only key for it would
    let any mailbox of the domain pass as the agency's."""
    mailboxes = (Agency.objects.filter(installation="", mailbox__iendswith=f"@{domain}")
                 .values_list("mailbox", flat=True))
    return any(m.rpartition("@")[2].lower() == domain.lower() for m in mailboxes)


def dkim_key_add(*, actor: Actor | None, domain: str, selector: str, public_pem: str,
                 private_pem: str = "", identity_required: bool = True) -> DkimKey:
    """Add a key to the table (``private_pem``: one of the province's signing keys).

    ``identity_required`` (the default): a message verified with this key is filed only when
    its signature names the From mailbox (i=); off only for a server that signs with d= alone.
    """
    if not may_manage(actor):
        raise forbidden()
    domain = _name(domain, "Tên miền", "domain")
    selector = _name(selector, "Bộ chọn", "selector")
    public = _public(public_pem)
    if private_pem:
        _private(private_pem, public)
    if not identity_required and (private_pem or _local_mail_domain(domain)):
        raise ValidationFailed(
            "Khoá ký của tỉnh luôn ký kèm hộp thư gửi (i=), không dùng được --domain-only.",
            "The province's signing keys always name the sending mailbox (i=); "
            "--domain-only does not apply to them.", code="dkim_identity_own_key")
    with transaction.atomic():
        if DkimKey.objects.filter(domain__iexact=domain, selector__iexact=selector).exists():
            raise Conflict(f"Đã có khoá {selector}._domainkey.{domain}.",
                           f"The key {selector}._domainkey.{domain} exists already.",
                           code="dkim_key_exists")
        key = DkimKey.objects.create(
            domain=domain, selector=selector, public_key_pem=public_pem.strip() + "\n",
            txt=txt_record(public), added_at=clock.now(), added_by_id=_actor_id(actor),
            identity_required=identity_required,
            private_key=seal(private_pem.encode("ascii"), purpose=PURPOSE) if private_pem
            else "")
        audit_append(actor=actor, action="mail.dkim_key_added", object_type=OBJECT,
                     object_id=str(key), data={"signs": bool(private_pem),
                                               "identity_required": identity_required})
    return key


def dkim_key_disable(*, actor: Actor | None, domain: str, selector: str) -> DkimKey:
    """Stop using a key: messages signed with it no longer verify, and it signs no more."""
    if not may_manage(actor):
        raise forbidden()
    with transaction.atomic():
        key = (DkimKey.objects.select_for_update()
               .filter(domain__iexact=domain.strip().rstrip("."),
                       selector__iexact=selector.strip()).first())
        if key is None:
            raise not_found("khoá DKIM", "DKIM key")
        if key.active:
            key.active, key.disabled_at = False, clock.now()
            key.save(update_fields=["active", "disabled_at"])
            audit_append(actor=actor, action="mail.dkim_key_disabled", object_type=OBJECT,
                         object_id=str(key))
    return key


def dkim_keys() -> list[DkimKey]:
    """Every key of the table."""
    return list(DkimKey.objects.order_by("domain", "selector"))


def signing_key(domain: str, selector: str | None = None) -> DkimKey:
    """The province's active signing key for ``domain`` (the newest, unless ``selector``)."""
    keys = DkimKey.objects.filter(domain__iexact=domain.strip().rstrip("."), active=True
                                  ).exclude(private_key="")
    if selector:
        keys = keys.filter(selector__iexact=selector)
    key = keys.order_by("-added_at", "-pk").first()
    if key is None:
        raise DkimUnavailable(f"Chưa có khoá ký DKIM của tỉnh cho miền {domain}.",
                              f"There is no provincial DKIM signing key for {domain}.")
    return key


def _headers_to_sign(message: bytes) -> list[bytes]:
    head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(message)
    present = {name.lower(): name for name in head}
    names = [h for h in SIGNED_HEADERS if h.lower() in present]
    names += sorted({present[n] for n in present if n.startswith("x-vanban-")})
    return [n.encode("ascii") for n in names]


def dkim_sign(message: bytes, domain: str, selector: str | None = None, *,
              identity: str) -> bytes:
    """``message`` with a DKIM-Signature header of the province's key for ``domain``, naming
    the sending mailbox ``identity`` (i=): the receiver checks it is the From address, so
    another mailbox of the same domain cannot pose as the clerk's."""
    key = signing_key(domain, selector)
    private = open_sealed(key.private_key, purpose=PURPOSE)
    signature = dkim.sign(message, key.selector.encode(), key.domain.encode(), private,
                          identity=identity.strip().lower().encode("ascii"),
                          canonicalize=(b"relaxed", b"relaxed"),
                          include_headers=_headers_to_sign(message))
    return bytes(signature) + message


def _key(selector: str, domain: str) -> DkimKey | None:
    return DkimKey.objects.filter(domain__iexact=domain, selector__iexact=selector,
                                  active=True).first()


def _dns(name: bytes | str, timeout: int = 5) -> bytes | None:
    """dkimpy's DNS lookup, answered from the table (active keys only)."""
    text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    selector, _, domain = text.rstrip(".").lower().partition("._domainkey.")
    key = _key(selector, domain)
    return key.txt.encode("ascii") if key is not None else None


def _tag(signature: bytes, tag: str) -> str:
    found = re.search(rb"(?:^|;)\s*" + tag.encode() + rb"\s*=\s*([^;]*)", signature)
    return re.sub(rb"\s+", b"", found.group(1)).decode("ascii", "replace") if found else ""


def dkim_table() -> dict[tuple[str, str], DkimKey]:
    """The active keys by (selector, domain), lower case: read once for a pass of many
    messages instead of once per message."""
    return {(k.selector.lower(), k.domain.lower()): k
            for k in DkimKey.objects.filter(active=True)}


def dkim_verify(message: bytes,
                table: Mapping[tuple[str, str], DkimKey] | None = None) -> DkimResult:
    """Verify the first DKIM signature of ``message`` against the provincial key table
    (``table``: the one :func:`dkim_table` read for this pass; else read now)."""
    try:  # dkimpy's own header split, read once for the tags and the check
        checker = dkim.DKIM(message)
    except (dkim.DKIMException, IndexError, ValueError) as err:
        # A header block it cannot split (a line with no colon, a first line that is a
        # continuation): refused with the reason, never a crash that leaves it unread.
        return DkimResult("fail", reason=f"{type(err).__name__}: {err}")
    raw = [v for k, v in checker.headers if k.lower() == b"dkim-signature"]
    if not raw:
        return DkimResult("none", reason="no DKIM signature")
    value = raw[0]
    domain, selector = _tag(value, "d").lower(), _tag(value, "s").lower()
    identity = _tag(value, "i").lower()
    key = table.get((selector, domain)) if table is not None else _key(selector, domain)

    def answer(name: bytes | str, timeout: int = 5) -> bytes | None:
        """dkimpy's lookup of the one record it needs, answered from the key read above."""
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        wanted = text.rstrip(".").lower() == f"{selector}._domainkey.{domain}"
        return key.txt.encode("ascii") if key is not None and wanted else None

    try:
        ok = checker.verify(idx=0, dnsfunc=answer)
    except dkim.DKIMException as err:
        return DkimResult("fail", domain, selector, identity, f"{type(err).__name__}: {err}")
    if not ok:
        return DkimResult("fail", domain, selector, identity,
                          "signature does not verify" if key is not None else
                          f"no provincial key {selector}._domainkey.{domain}")
    return DkimResult("pass", domain, selector, identity,  # verified: the key exists
                      identity_required=key is None or key.identity_required)


def _actor_id(actor: Actor | None) -> int | None:
    pk = getattr(actor, "pk", None)
    return pk if isinstance(pk, int) else None
