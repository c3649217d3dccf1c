"""Trust anchors and revocation data for verifying incoming signatures (R4.2), cached.

Parsing the roots and CRLs for every document would cost more than the signature check, so the
material is built once and reused until the rows it came from change (checked with a few narrow
queries on small tables: a new root, a new CRL number, a revocation, a newly fetched CRL).

Revocation data, best first: the CRLs of the CAs we operate (stored with the CA, always current);
CRLs fetched from the distribution points of other CAs when reachable, kept in
:class:`CachedCrl` until their next update; revocation data embedded in the PDF (read by the
verifier). OCSP responders are not queried yet; embedded OCSP responses are used.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db import transaction
from django.db.models import Value

from vanban.core import clock
from vanban.signatures.models import (
    AgencyCertificate,
    CachedCrl,
    CaKind,
    CertificateAuthority,
    CertStatus,
    TrustedRoot,
)

log = logging.getLogger(__name__)
FETCH_TIMEOUT = 5.0  # seconds
MAX_CRL_BYTES = 20 * 1024 * 1024
RETRY_AFTER = 300.0  # seconds before an unreachable distribution point is tried again


@dataclass(frozen=True)
class TrustMaterial:
    """Everything the validator needs besides the document, parsed once."""

    roots: list[asn1_x509.Certificate]
    other_certs: list[asn1_x509.Certificate]
    crls: list[asn1_crl.CertificateList]
    # Issuer names (DER) whose CRL we hold: no need to fetch theirs.
    crl_issuers: frozenset[bytes] = field(default_factory=frozenset)
    # Certificates we know to be revoked (fingerprint -> revocation time), from our own rows.
    revoked: dict[str, datetime] = field(default_factory=dict)


_lock = threading.Lock()
_cache: dict[str, tuple[tuple[tuple[str, int], ...], TrustMaterial]] = {}
_unreachable: dict[str, float] = {}


def _asn1(pem: str) -> asn1_x509.Certificate:
    from vanban.signatures import keysources
    from vanban.signatures.pki import load_pems

    return keysources.asn1_cert(load_pems(pem)[0])


def _version() -> tuple[tuple[str, int], ...]:
    """What the material is built from, in one query over small tables: the active roots,
    each CA's CRL number, the fetched CRLs (a refetch makes a new row) and the revoked
    certificates (a revocation is never undone)."""
    roots = TrustedRoot.objects.filter(active=True).order_by().annotate(
        n=Value(0)).values_list("fingerprint", "n")
    cas = CertificateAuthority.objects.order_by().values_list("fingerprint", "crl_number")
    fetched = CachedCrl.objects.order_by().values_list("url", "id")
    revoked = AgencyCertificate.objects.filter(status=CertStatus.REVOKED).order_by().annotate(
        n=Value(-1)).values_list("fingerprint", "n")
    rows = roots.union(cas, fetched, revoked, all=True)
    return tuple(sorted((str(key), int(number)) for key, number in rows))


def _build() -> TrustMaterial:
    roots = {r.fingerprint: _asn1(r.pem) for r in TrustedRoot.objects.filter(active=True)}
    others: list[asn1_x509.Certificate] = []
    crls: list[asn1_crl.CertificateList] = []
    for ca in CertificateAuthority.objects.all():
        cert = _asn1(ca.cert_pem)
        if ca.kind == CaKind.ROOT:  # the province's own roots are trusted as well
            roots.setdefault(ca.fingerprint, cert)
        else:
            others.append(cert)
        if ca.crl_der:
            crls.append(asn1_crl.CertificateList.load(bytes(ca.crl_der)))
    for cached in CachedCrl.objects.all():
        crls.append(asn1_crl.CertificateList.load(bytes(cached.der)))
    revoked = {c.fingerprint: c.revoked_at for c in AgencyCertificate.objects.filter(
        status=CertStatus.REVOKED, revoked_at__isnull=False).only("fingerprint", "revoked_at")
        if c.revoked_at is not None}
    issuers = frozenset(c["tbs_cert_list"]["issuer"].dump() for c in crls)
    return TrustMaterial(roots=list(roots.values()), other_certs=others, crls=crls,
                         crl_issuers=issuers, revoked=revoked)


def material() -> TrustMaterial:
    """The current trust material (rebuilt only when the underlying rows changed)."""
    version = _version()
    with _lock:
        cached = _cache.get("current")
        if cached is not None and cached[0] == version:
            return cached[1]
    built = _build()
    with _lock:
        _cache["current"] = (version, built)
    return built


def fetching_enabled() -> bool:
    """``VANBAN_REVOCATION_FETCH`` (default on): fetch CRLs of other CAs when reachable."""
    return bool(getattr(settings, "VANBAN_REVOCATION_FETCH", True))


def fetch_missing_crls(certs: list[asn1_x509.Certificate], known: TrustMaterial) -> bool:
    """Fetch the CRLs named by ``certs`` whose issuer's CRL we do not hold (or hold stale).

    Returns whether anything new was stored (the caller then reloads :func:`material`).
    """
    if not fetching_enabled():
        return False
    stored = False
    now = clock.now()
    for cert in certs:
        if cert.self_signed or cert.issuer.dump() in known.crl_issuers:
            continue
        for point in cert.crl_distribution_points:
            url = point.url
            if not url or not url.startswith(("http://", "https://")):
                continue
            cached = CachedCrl.objects.filter(url=url).first()
            if cached is not None and (cached.next_update is None or cached.next_update > now):
                continue
            stored = _fetch(url) or stored
    return stored


def _fetch(url: str) -> bool:
    """Download one CRL and keep it; an unreachable point is not retried for a while."""
    if time.monotonic() - _unreachable.get(url, -RETRY_AFTER) < RETRY_AFTER:
        return False
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
            der = response.read(MAX_CRL_BYTES + 1)
        if len(der) > MAX_CRL_BYTES:
            raise ValueError("CRL too large")
        parsed = asn1_crl.CertificateList.load(der)
        tbs = parsed["tbs_cert_list"]
        this_update = tbs["this_update"].native
        next_update = tbs["next_update"].native
    except Exception as err:  # network, HTTP or parse errors: all mean "not reachable now"
        log.warning("CRL %s unreachable: %s", url, err)
        _unreachable[url] = time.monotonic()
        return False
    with transaction.atomic():  # a new row, so the material's version changes
        CachedCrl.objects.filter(url=url).delete()
        CachedCrl.objects.create(url=url, der=der, this_update=_aware(this_update),
                                 next_update=_aware(next_update), fetched_at=clock.now())
    return True


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
