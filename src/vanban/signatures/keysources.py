"""The key-storage port: a pyHanko ``Signer`` for an agency certificate, wherever its key lives.

* PKCS#12 (default): decrypted and parsed ONCE per process and certificate, then kept as a
  ``cryptography`` key object. pyHanko's stock ``SimpleSigner`` re-parses the key for every
  signature and ``cryptography`` re-checks an RSA key on every parse, which makes signing about
  five times slower than it needs to be.
* PKCS#11 (token or HSM): a session is opened per signature through ``pyhanko.sign.pkcs11``,
  the token chosen by label (``TokenCriteria(label=...)``) and the PIN read from the reference
  in the certificate row.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanban.signatures import keystore
from vanban.signatures.models import AgencyCertificate, KeyStorage
from vanban.signatures.pki import Key, load_pems

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
_cache: dict[tuple[int, str], CachedKeySigner] = {}
_lock = threading.Lock()


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    """The same certificate as pyHanko's asn1crypto type."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class CachedKeySigner(Signer):
    """A pyHanko signer over an already parsed private key (RSA PKCS#1 v1.5 or ECDSA)."""

    def __init__(self, *, key: Key, cert: x509.Certificate, chain: list[x509.Certificate]) -> None:
        self._key = key
        super().__init__(
            signing_cert=asn1_cert(cert),
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [asn1_cert(c) for c in chain]))

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        """Sign with the cached key (pyHanko hands us the DER of the signed attributes)."""
        algorithm = _HASHES[digest_algorithm.lower()]()
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), algorithm)
        return self._key.sign(data, ec.ECDSA(algorithm))


def chain_of(certificate: AgencyCertificate) -> list[x509.Certificate]:
    """Issuer certificates to embed: the issuing CA and its root, or the registered chain."""
    chain: list[x509.Certificate] = []
    ca = certificate.issued_by
    while ca is not None:
        chain.extend(load_pems(ca.cert_pem))
        ca = ca.issuer
    if certificate.chain_pem:
        chain.extend(load_pems(certificate.chain_pem))
    return chain


def pkcs12_signer(certificate: AgencyCertificate) -> CachedKeySigner:
    """The cached signer of a PKCS#12-backed certificate (parsed on first use only)."""
    cache_key = (certificate.pk, certificate.fingerprint)
    with _lock:
        signer = _cache.get(cache_key)
        if signer is None:
            key, cert = keystore.load_pkcs12(certificate.pkcs12_path)
            signer = CachedKeySigner(key=key, cert=cert, chain=chain_of(certificate))
            _cache[cache_key] = signer
    return signer


def forget(certificate: AgencyCertificate) -> None:
    """Drop a cached signer (after revocation, so the key leaves memory)."""
    with _lock:
        _cache.pop((certificate.pk, certificate.fingerprint), None)


@contextlib.contextmanager
def pkcs11_signer(certificate: AgencyCertificate) -> Iterator[Signer]:
    """A signer on the certificate's PKCS#11 token; the session closes when the block ends."""
    from pyhanko.sign import pkcs11

    session = open_token(certificate, keystore.resolve_pin(certificate.pkcs11_pin_ref))
    try:
        cert = load_pems(certificate.pem)[0]
        yield pkcs11.PKCS11Signer(
            session, key_label=certificate.pkcs11_key_label, signing_cert=asn1_cert(cert),
            ca_chain=[asn1_cert(c) for c in chain_of(certificate)])
    finally:
        session.close()


def pkcs11_pin_valid(certificate: AgencyCertificate, pin: str) -> bool:
    """Whether ``pin`` opens the certificate's token (a user login, then the session closes).

    The signer's step-up confirmation for a key on a token (R14.3, R21.1): knowing the token's
    PIN is proof of presence. A wrong PIN counts on the token's own retry counter too.
    """
    from pkcs11.exceptions import PKCS11Error

    if not pin:
        return False
    try:
        session = open_token(certificate, pin)
    except PKCS11Error:
        return False
    session.close()
    return True


def open_token(certificate: AgencyCertificate, pin: str) -> Any:
    """A logged-in session on the certificate's token (chosen by label).

    The PKCS#11 library lists tokens once, when it is first loaded; a token plugged in (or
    initialised) after that is not seen until the library is read again. So when no token has
    the label, the library is re-initialised once and the search repeated (a signature that
    would fail anyway; sessions of other threads on the same module are closed by it).
    """
    import pkcs11 as p11
    from pkcs11.exceptions import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    criteria = TokenCriteria(label=certificate.pkcs11_token_label)
    try:
        return pkcs11.open_pkcs11_session(certificate.pkcs11_module, token_criteria=criteria,
                                          user_pin=pin)
    except PKCS11Error as err:
        if "No token matching" not in str(err):
            raise
    with _lock:
        p11.lib(certificate.pkcs11_module).reinitialize()
    return pkcs11.open_pkcs11_session(certificate.pkcs11_module, token_criteria=criteria,
                                      user_pin=pin)


@contextlib.contextmanager
def signer_for(certificate: AgencyCertificate) -> Iterator[Any]:
    """The signer for ``certificate`` by its key storage (the port's single entry point)."""
    if certificate.key_storage == KeyStorage.PKCS12:
        yield pkcs12_signer(certificate)
    elif certificate.key_storage == KeyStorage.PKCS11:
        with pkcs11_signer(certificate) as signer:
            yield signer
    else:
        raise LookupError("certificate has no private key")
