"""Reads of the signatures app, scoped by who asks (R21.1)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from vanban.core import clock
from vanban.core.errors import not_found
from vanban.core.roles import Actor, Role
from vanban.directory.models import Agency
from vanban.signatures.models import (
    AgencyCertificate,
    CertificateAuthority,
    CertStatus,
    TrustedRoot,
)

EXPIRY_WARNING_DAYS = 30


def active_certificate(agency: Agency) -> AgencyCertificate | None:
    """The certificate the agency signs with now: active, within its validity, newest first."""
    now = clock.now()
    return (AgencyCertificate.objects.filter(agency=agency, status=CertStatus.ACTIVE,
                                             not_before__lte=now, not_after__gt=now)
            .exclude(key_storage="none")
            .order_by("-not_after", "-id").first())


def expiring_certificates(days: int = EXPIRY_WARNING_DAYS) -> QuerySet[AgencyCertificate]:
    """R21.1: active certificates that expire within ``days`` (or already have, while still
    marked active), soonest first — the province administrator's warning list."""
    horizon = clock.now() + timedelta(days=days)
    return (AgencyCertificate.objects.filter(status=CertStatus.ACTIVE, not_after__lte=horizon)
            .select_related("agency").order_by("not_after"))


def certificates_visible_to(actor: Actor | None) -> QuerySet[AgencyCertificate]:
    """All certificates for the province administrator (and the console), else the actor's
    own agency's."""
    rows = AgencyCertificate.objects.select_related("agency", "issued_by").order_by(
        "agency__code", "-not_after")
    if actor is None or actor.has_role(Role.PROVINCE_ADMIN):
        return rows
    if actor.agency_id is None:
        return rows.none()
    return rows.filter(agency_id=actor.agency_id)


def certificate_get(actor: Actor | None, certificate_id: int) -> AgencyCertificate:
    """One certificate the actor may see; another agency's is "not found" (R1.1)."""
    row = certificates_visible_to(actor).filter(pk=certificate_id).first()
    if row is None:
        raise not_found("chứng thư số", "Certificate")
    return row


def trusted_roots() -> QuerySet[TrustedRoot]:
    """The active trust anchors."""
    return TrustedRoot.objects.filter(active=True).order_by("subject")


def crl_der(ca_id: int) -> bytes | None:
    """The latest published CRL of a CA (public information), or None."""
    ca = CertificateAuthority.objects.filter(pk=ca_id).only("crl_der").first()
    if ca is None or not ca.crl_der:
        return None
    return bytes(ca.crl_der)
