"""The seal key on a PKCS#11 token or HSM (R14.3): Ed25519 made on the token, never extractable.

Chosen by ``VANBAN_AUDIT_SEAL_PKCS11_MODULE`` (the module library) with
``VANBAN_AUDIT_SEAL_PKCS11_TOKEN`` (token label, selected by label: tokens move between slots),
``VANBAN_AUDIT_SEAL_PKCS11_KEY`` (key label, default ``audit-seal``) and the user PIN from
``VANBAN_AUDIT_SEAL_PKCS11_PIN`` or the file ``VANBAN_AUDIT_SEAL_PKCS11_PIN_FILE`` (outside
``VANBAN_HOME`` in production). A root user of the machine can then ask the token to sign while
the service runs, but cannot take the key away to re-seal later or elsewhere: what was pushed to
witnesses before the intrusion stays fixed (docs/adr/0010). The key pair is generated on the
token on first use when no key of that label exists.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

ED25519_PARAMS = bytes.fromhex("06032b6570")  # DER OID 1.3.101.112 (id-Ed25519)
_lock = threading.Lock()
_public: dict[tuple[str, str, str], Ed25519PublicKey] = {}


def configured() -> bool:
    """Whether the seal key lives on a token."""
    return bool(getattr(settings, "VANBAN_AUDIT_SEAL_PKCS11_MODULE", ""))


def _where() -> tuple[str, str, str]:
    return (str(getattr(settings, "VANBAN_AUDIT_SEAL_PKCS11_MODULE", "")),
            str(getattr(settings, "VANBAN_AUDIT_SEAL_PKCS11_TOKEN", "")),
            str(getattr(settings, "VANBAN_AUDIT_SEAL_PKCS11_KEY", "") or "audit-seal"))


def _pin() -> str:
    pin = str(getattr(settings, "VANBAN_AUDIT_SEAL_PKCS11_PIN", ""))
    path = str(getattr(settings, "VANBAN_AUDIT_SEAL_PKCS11_PIN_FILE", ""))
    return Path(path).read_text(encoding="utf-8").strip() if path and not pin else pin


def _session() -> Any:
    """A read-write session on the seal token. The PKCS#11 library lists tokens once, when it
    is first loaded in the process; a token initialised after that (a key moved to a new
    token) is found after the library is read again, once."""
    import pkcs11
    from pkcs11.exceptions import NoSuchToken

    module, token_label, _key = _where()
    library = pkcs11.lib(module)
    try:
        token = library.get_token(token_label=token_label)
    except NoSuchToken:
        library.reinitialize()
        token = library.get_token(token_label=token_label)
    return token.open(user_pin=_pin(), rw=True)


def _keys(session: Any) -> tuple[Any, Any]:
    """(public, private) key objects of the label, generated on the token if missing."""
    from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
    from pkcs11.exceptions import NoSuchKey

    label = _where()[2]
    try:
        return (session.get_key(object_class=ObjectClass.PUBLIC_KEY, label=label),
                session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=label))
    except NoSuchKey:
        return session.generate_keypair(  # type: ignore[no-any-return]
            KeyType.EC_EDWARDS, 0, store=True, label=label,
            mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
            public_template={Attribute.EC_PARAMS: ED25519_PARAMS},
            private_template={Attribute.SIGN: True, Attribute.SENSITIVE: True,
                              Attribute.EXTRACTABLE: False})


def public_key() -> Ed25519PublicKey:
    """The token key's public half (cached per process)."""
    from pkcs11 import Attribute

    where = _where()
    with _lock:
        cached = _public.get(where)
        if cached is None:
            with _session() as session:
                point = bytes(_keys(session)[0][Attribute.EC_POINT])
            raw = point[2:] if len(point) == 34 and point[0] == 0x04 else point  # DER OCTET STRING
            cached = _public[where] = Ed25519PublicKey.from_public_bytes(raw)
        return cached


def sign(message: bytes) -> bytes:
    """Ed25519 signature made by the token."""
    from pkcs11 import Mechanism

    with _lock, _session() as session:
        return bytes(_keys(session)[1].sign(message, mechanism=Mechanism.EDDSA))


def forget() -> None:
    """Drop the cached public key (tests that switch tokens)."""
    with _lock:
        _public.clear()
