"""Shared pieces of the signature services: permission rules, refusals, CA access, the CRL URL."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from django.conf import settings
from django.urls import reverse

from vanban.audit.services import audit_append
from vanban.core.errors import DomainError
from vanban.core.roles import Actor, Role
from vanban.directory.models import Agency
from vanban.signatures import keystore
from vanban.signatures.models import CertificateAuthority
from vanban.signatures.pki import Issuer, load_pems

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def is_province_admin(actor: Actor | None) -> bool:
    """The console operator or the province administrator (issues, renews, revokes)."""
    return actor is None or actor.has_role(Role.PROVINCE_ADMIN)


def may_register(actor: Actor | None, agency: Agency) -> bool:
    """R21.1: the agency's clerk or head, or the province administrator, registers a
    certificate issued elsewhere."""
    if actor is None or actor.has_role(Role.PROVINCE_ADMIN):
        return True
    return actor.agency_id == agency.pk and (actor.has_role(Role.CLERK)
                                              or actor.has_role(Role.HEAD))


def may_sign(actor: Actor | None, agency: Agency) -> bool:
    """R9.1: the agency's clerk signs with the agency certificate (or the console operator)."""
    return actor is None or (actor.agency_id == agency.pk and actor.has_role(Role.CLERK))


def refused(actor: Actor | None, action: str, agency_code: str, error: DomainError,
            data: dict[str, Any] | None = None) -> DomainError:
    """Audit a refused attempt (committed on its own) and hand back the error to raise."""
    audit_append(actor=actor, action=f"{action}.denied", agency_code=agency_code,
                 data={**(data or {}), "reason": error.code})
    return error


def public_url() -> str:
    """Base URL under which this installation publishes its CRLs (``VANBAN_PUBLIC_URL``)."""
    return str(getattr(settings, "VANBAN_PUBLIC_URL", "") or DEFAULT_PUBLIC_URL).rstrip("/")


def crl_url(ca_id: int) -> str:
    """Absolute URL of a CA's CRL, written into the certificates it issues."""
    return public_url() + reverse("signatures:crl", args=[ca_id])


def issuer_of(ca: CertificateAuthority, *, with_crl: bool = True) -> Issuer:
    """The CA as a signing issuer (its key decrypted from KEYS_DIR)."""
    return Issuer(cert=load_pems(ca.cert_pem)[0], key=keystore.load_ca_key(ca.key_path),
                  crl_url=crl_url(ca.pk) if with_crl else "")


def subject_text(name: x509.Name) -> str:
    """A readable RFC 4514 subject (Vietnamese kept as is)."""
    return name.rfc4514_string()
