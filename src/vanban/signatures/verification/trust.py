"""Trust anchors and revocation data for verifying incoming signatures (R4.2), cached.

Parsing the roots and CRLs for every document would cost more than the signature check, so the
material is built once and reused while the rows it came from are unchanged (a new root, a new
CRL number, a revocation, a newly fetched CRL). Whether they changed is one fixed statement
over small tables; the verifier runs it *after* judging a document with the cached material,
together with the sender-certificate lookup, and judges again in the rare case that the
material was stale (:func:`latest`, :func:`confirm`).

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
from django.db import connection, transaction

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


@dataclass(frozen=True)
class Registered:
    """The agency certificate with a given fingerprint, as registered (R4.2's sender check)."""

    id: int
    agency_id: int
    agency_code: str
    agency_name: str


Version = tuple[tuple[str, str, int], ...]

_lock = threading.Lock()
_cache: dict[str, tuple[Version, TrustMaterial]] = {}
_unreachable: dict[str, float] = {}

# What the material is built from, in one fixed statement over small tables: the active roots,
# each CA's CRL number, the fetched CRLs (a refetch makes a new row) and the revoked
# certificates (a revocation is never undone); optionally followed by the agency certificate
# with one fingerprint and its agency (kind "signer", not part of the version).
_VERSION = (
    "SELECT 'root', r.fingerprint, 0, 0, '' FROM signatures_trustedroot r WHERE r.active = %s "
    "UNION ALL SELECT 'ca', c.fingerprint, c.crl_number, 0, '' "
    "FROM signatures_certificateauthority c "
    "UNION ALL SELECT 'crl', f.url, f.id, 0, '' FROM signatures_cachedcrl f "
    "UNION ALL SELECT 'revoked', x.fingerprint, -1, 0, '' FROM signatures_agencycertificate x "
    "WHERE x.status = %s"
)
_SIGNER = (
    " UNION ALL SELECT 'signer', a.code, s.id, s.agency_id, a.name "
    "FROM signatures_agencycertificate s JOIN directory_agency a ON a.id = s.agency_id "
    "WHERE s.fingerprint = %s"
)


def _asn1(pem: str) -> asn1_x509.Certificate:
    from vanban.signatures import keysources
    from vanban.signatures.pki import load_pems

    return keysources.asn1_cert(load_pems(pem)[0])


def _read(fingerprint: str | None) -> tuple[Version, Registered | None]:
    """The version of the material and, for ``fingerprint``, its registered certificate: one
    round trip, no ORM compilation (it runs for every verified document)."""
    sql = _VERSION
    params: list[bool | str] = [True, str(CertStatus.REVOKED.value)]
    if fingerprint is not None:
        sql += _SIGNER
        params.append(fingerprint)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    registered = None
    version: list[tuple[str, str, int]] = []
    for kind, key, number, agency_id, name in rows:
        if kind == "signer":
            registered = Registered(id=int(number), agency_id=int(agency_id),
                                    agency_code=str(key), agency_name=str(name))
        else:
            version.append((str(kind), str(key), int(number)))
    return tuple(sorted(version)), registered


def _version() -> Version:
    return _read(None)[0]


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


def _current(version: Version) -> TrustMaterial:
    """The material of ``version``: the cached one, or built now (and cached)."""
    with _lock:
        cached = _cache.get("current")
        if cached is not None and cached[0] == version:
            return cached[1]
    built = _build()
    with _lock:
        _cache["current"] = (version, built)
    return built


def material() -> TrustMaterial:
    """The current trust material (rebuilt only when the underlying rows changed)."""
    return _current(_version())


def latest() -> TrustMaterial:
    """The material last built in this process, without asking the database whether it is
    still current (the caller confirms it with :func:`confirm` after using it); built now
    when there is none yet."""
    with _lock:
        cached = _cache.get("current")
    return cached[1] if cached is not None else material()


def confirm(fingerprint: str | None) -> tuple[TrustMaterial, Registered | None]:
    """One query: the current material (the cached object itself when nothing changed since
    it was built, else rebuilt now) and the agency certificate registered with
    ``fingerprint`` (None: unregistered, or no fingerprint asked).

    A caller that judged a document with another material judges it again with the one
    returned: a verdict always rests on trust data that was current when it was read.
    """
    version, registered = _read(fingerprint)
    return _current(version), registered


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
