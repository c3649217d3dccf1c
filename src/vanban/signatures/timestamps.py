"""Time-stamping for PAdES B-T (RFC 3161): a remote TSA over HTTP, or the demo's own TSA.

``settings.VANBAN_TSA_URL`` names a real TSA; the request is a plain HTTP POST
(``application/timestamp-query``) made with the standard library. Without it, when the demo PKI
exists, signatures are time-stamped by **the demo's own in-process TSA**: real RFC 3161 tokens
(pyHanko's ``DummyTimeStamper``) signed by the demo TSA certificate, whose key is parsed once.
That TSA is for the demonstration only; production configures a trusted TSA URL.
"""

from __future__ import annotations

import hashlib
import urllib.request
from datetime import datetime
from typing import Any

from asn1crypto import cms, core, keys, tsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanban.signatures.pki import Key

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


_DUMMIES: dict[tuple[str, str], cms.ContentInfo] = {}


class LocalTimeStamper(DummyTimeStamper):
    """The demo's own TSA: RFC 3161 tokens signed with an already parsed RSA key."""

    def __init__(self, *, tsa_cert: object, key: Key, chain: list[object], at: datetime) -> None:
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("the local TSA signs with RSA")
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        super().__init__(tsa_cert=tsa_cert, tsa_key=keys.PrivateKeyInfo.load(der),
                         certs_to_embed=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
                         fixed_dt=at)
        self._key: rsa.RSAPrivateKey = key

    async def async_dummy_response(self, md_algorithm: str) -> cms.ContentInfo:
        """pyHanko asks for a trial token to size the signature and to find the TSA's chain
        (B-LT, B-LTA); ours is the same for every token of this TSA and digest, so it is made
        once per process instead of one extra RSA signature per document."""
        key = (hashlib.sha256(self.tsa_cert.dump()).hexdigest(), md_algorithm)
        dummy = _DUMMIES.get(key)
        if dummy is None:
            dummy = await super().async_dummy_response(md_algorithm)
            _DUMMIES[key] = dummy
        else:
            self._register_dummy(md_algorithm, dummy)  # type: ignore[no-untyped-call]
        return dummy

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str,
                       dt: datetime) -> tuple[bytes, cms.CMSAttributes]:
        """As pyHanko's, but with the cached key instead of parsing it per token."""
        digest = hashes.Hash(_HASHES[md_algorithm.lower()]())
        digest.update(tst_info_data)
        attribute: Any = simple_cms_attribute  # pyHanko leaves it unannotated
        signed_attrs = cms.CMSAttributes([
            attribute("content_type", "tst_info"),
            attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
            attribute("message_digest", digest.finalize()),
        ])
        signature = self._key.sign(signed_attrs.dump(), padding.PKCS1v15(),
                                   _HASHES[md_algorithm.lower()]())
        return signature, signed_attrs


class UrlTimeStamper(TimeStamper):
    """An RFC 3161 client over HTTP(S) with the standard library (no extra dependency)."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("VANBAN_TSA_URL must be an http(s) URL")
        super().__init__()  # type: ignore[no-untyped-call]
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """POST the request and parse the response."""
        request = urllib.request.Request(  # noqa: S310  (scheme checked in __init__)
            self.url, data=req.dump(), method="POST",
            headers={"Content-Type": "application/timestamp-query",
                     "Accept": "application/timestamp-reply"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return tsp.TimeStampResp.load(response.read())
