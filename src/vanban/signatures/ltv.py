"""Long-term validation data (PAdES B-LT / B-LTA, R4.2, R4.3, R12.1, ADR 0014).

What a signature needs to be validated years later without reaching its issuer: the
certificates of its chain and revocation data (CRLs; OCSP responses when a CA offers them) from
the time it was made or received. Outgoing signatures embed them (B-LT) and their archive copies
get document time-stamps (B-LTA, :mod:`vanban.signatures.archive`); for a received document the
material the verification used is kept beside the bytes as a JSON blob (:func:`bundle`), so the
received file stays bit-exact.

No database here: the trust material is handed over.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator import ValidationContext

from vanban.signatures.verification.trust import TrustMaterial

FORMAT = "vanban-validation-data/1"
CONTENT_TYPE = "application/json"


class _NoFetchingNotice(logging.Filter):
    """Drops the signer's warning that fetching is off: by design (the installation embeds
    the data it holds), it would be logged for every signature."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_NoFetchingNotice())


def signing_context(material: TrustMaterial, *, at: datetime,
                    chain: list[asn1_x509.Certificate] | None = None,
                    crls: list[asn1_crl.CertificateList] | None = None) -> ValidationContext:
    """The context a signature's validation data is collected with: the trusted roots, every
    CA certificate and CRL this installation holds (its own CAs' CRLs are always current), no
    network. Soft-fail: a certificate of a CA whose CRL we do not hold still signs, with what
    there is (the receiver judges; our own CAs always have theirs)."""
    return ValidationContext(
        trust_roots=material.roots, other_certs=[*material.other_certs, *(chain or [])],
        crls=[*material.crls, *(crls or [])], allow_fetching=False,
        revocation_mode="soft-fail", moment=at)


@dataclass
class Collected:
    """Certificates and revocation data, by DER (duplicates collapse)."""

    certificates: dict[str, bytes] = field(default_factory=dict)
    crls: dict[str, bytes] = field(default_factory=dict)
    ocsps: dict[str, bytes] = field(default_factory=dict)

    @staticmethod
    def _add(into: dict[str, bytes], der: bytes) -> None:
        into.setdefault(hashlib.sha256(der).hexdigest(), der)

    def add(self, *, certs: Sequence[Any] = (), crls: Sequence[Any] = (),
            ocsps: Sequence[Any] = ()) -> None:
        """Add asn1crypto objects (certificates, CRLs, OCSP responses)."""
        for cert in certs:
            self._add(self.certificates, cert.dump())
        for crl in crls:
            self._add(self.crls, crl.dump())
        for response in ocsps:
            self._add(self.ocsps, response.dump())


def _b64(items: dict[str, bytes]) -> list[dict[str, str]]:
    return [{"sha256": k, "der": base64.b64encode(v).decode()} for k, v in sorted(items.items())]


def bundle(collected: Collected) -> bytes:
    """The JSON blob kept beside a received document: what validates it as of its arrival.
    Nothing in it names the document or the time (the row linking it does), so the documents
    of one sender under one CRL share one blob."""
    return json.dumps({
        "format": FORMAT,
        "certificates": _b64(collected.certificates), "crls": _b64(collected.crls),
        "ocsps": _b64(collected.ocsps)}, sort_keys=True, indent=1).encode()


def _unb64(items: list[dict[str, str]]) -> list[bytes]:
    out = []
    for item in items:
        der = base64.b64decode(item["der"])
        if hashlib.sha256(der).hexdigest() != item["sha256"]:
            raise ValueError("validation data item does not match its digest")
        out.append(der)
    return out


def unbundle(data: bytes) -> tuple[list[asn1_x509.Certificate], list[asn1_crl.CertificateList],
                                   list[ocsp.OCSPResponse]]:
    """The certificates, CRLs and OCSP responses of a :func:`bundle` blob."""
    parsed = json.loads(data)
    if parsed.get("format") != FORMAT:
        raise ValueError("not a validation data bundle")
    return ([asn1_x509.Certificate.load(d) for d in _unb64(parsed["certificates"])],
            [asn1_crl.CertificateList.load(d) for d in _unb64(parsed["crls"])],
            [ocsp.OCSPResponse.load(d) for d in _unb64(parsed["ocsps"])])


def relevant_crls(material: TrustMaterial,
                  certs: list[asn1_x509.Certificate]) -> list[asn1_crl.CertificateList]:
    """The CRLs of the material whose issuer issued one of ``certs`` (what validating them
    needed), not every CRL the installation holds."""
    issuers = {c.issuer.dump() for c in certs}
    return [c for c in material.crls if c["tbs_cert_list"]["issuer"].dump() in issuers]


def chain_of(material: TrustMaterial,
             leaf: asn1_x509.Certificate) -> list[asn1_x509.Certificate]:
    """``leaf`` and its issuers up to a root, from the material (by subject name)."""
    return chain_in([*material.other_certs, *material.roots], leaf)


def chain_in(pool: list[asn1_x509.Certificate],
             leaf: asn1_x509.Certificate) -> list[asn1_x509.Certificate]:
    """``leaf`` and its issuers up to a self-issued root, from ``pool`` (by subject name, as
    DER bytes: comparing asn1crypto names costs more than the rest of the walk)."""
    by_subject: dict[bytes, asn1_x509.Certificate] = {}
    for cert in pool:
        by_subject.setdefault(cert.subject.dump(), cert)
    chain = [leaf]
    seen = {leaf.dump()}
    current = leaf
    while current.issuer.dump() != current.subject.dump():
        parent = by_subject.get(current.issuer.dump())
        if parent is None or parent.dump() in seen:
            break
        chain.append(parent)
        seen.add(parent.dump())
        current = parent
    return chain
