"""The time-stamping authority a signature or an archival time-stamp uses (PAdES B-T, B-LTA):
the configured TSA (``VANBAN_TSA_URL``), else the demo's own, else none. Shared by signing and
the archive copies, so neither imports the other for it.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.conf import settings
from pyhanko.sign.timestamps.api import TimeStamper

from vanban.signatures import keysources, keystore
from vanban.signatures.models import CaKind, CertificateAuthority
from vanban.signatures.pki import Key, load_pems
from vanban.signatures.timestamps import LocalTimeStamper, UrlTimeStamper


@functools.lru_cache(maxsize=8)
def _local_tsa(ca_id: int, fingerprint: str) -> tuple[object, Key, list[object]]:
    """The demo TSA's certificate, key (parsed once) and issuer chain."""
    ca = CertificateAuthority.objects.select_related("issuer").get(pk=ca_id)
    key = keystore.load_ca_key(ca.key_path)
    chain = []
    parent = ca.issuer
    while parent is not None:
        chain.append(keysources.asn1_cert(load_pems(parent.cert_pem)[0]))
        parent = parent.issuer
    return keysources.asn1_cert(load_pems(ca.cert_pem)[0]), key, chain


def timestamper(at: datetime) -> TimeStamper | None:
    """The configured TSA (``VANBAN_TSA_URL``), else the demo's own TSA, else none (B-B)."""
    tsa = CertificateAuthority.objects.filter(kind=CaKind.TSA).order_by("-id").first()
    return timestamper_for(at, None if tsa is None else (tsa.pk, tsa.fingerprint))


def timestamper_for(at: datetime, local_tsa: tuple[int, str] | None) -> TimeStamper | None:
    """:func:`timestamper` with the demo TSA's (id, fingerprint) already read."""
    url = str(getattr(settings, "VANBAN_TSA_URL", "") or "")
    if url:
        return UrlTimeStamper(url)
    if local_tsa is None:
        return None
    cert, key, chain = _local_tsa(*local_tsa)
    return LocalTimeStamper(tsa_cert=cert, key=key, chain=chain, at=at)
