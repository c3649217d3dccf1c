"""Fixtures of the mail gateway's tests: two agencies with clerk mailboxes on the provincial
mail domain, the DKIM keys of the province, messages signed with them, and the sender's
certificate of the demo PKI for signed PDFs."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.exchange.tests.conftest import make_pdf
from vanban.mailgate.core.judge import Dkim
from vanban.mailgate.services import ports

SENDER_MAILBOX = "vanthu@snv.bacgiang.vanban.test"
RECIPIENT_MAILBOX = "vanthu@stc.bacgiang.vanban.test"
SELECTOR = "tinh2026"
SIGNED_HEADERS = [b"From", b"To", b"Subject", b"Date", b"Message-ID"]


@dataclass
class Keys:
    """The province's DKIM keys by (domain, selector): private PEM and the TXT record."""

    private: dict[tuple[str, str], bytes] = field(default_factory=dict)
    txt: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def add(self, domain: str, selector: str = SELECTOR) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private[domain, selector] = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption())
        public = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        self.txt[domain, selector] = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def sign(self, raw: bytes, domain: str, *, selector: str = SELECTOR,
             identity: str | None = None) -> bytes:
        """``raw`` with a DKIM-Signature of ``domain`` prepended."""
        signature = dkim.sign(raw, selector.encode(), domain.encode(),
                              self.private[domain, selector],
                              identity=identity.encode() if identity else None,
                              include_headers=SIGNED_HEADERS)
        return signature + raw

    def dnsfunc(self, name: bytes, timeout: int = 5) -> bytes:
        """The TXT record of ``<selector>._domainkey.<domain>`` from the table, no DNS."""
        text = name.decode().rstrip(".")
        selector, _, domain = text.partition("._domainkey.")
        return self.txt.get((domain, selector), b"")

    def verify(self, raw: bytes) -> Dkim:
        """DKIM as the key table judges it."""
        head = raw.split(b"\r\n\r\n", 1)[0]
        if not re.search(rb"^dkim-signature:", head, re.IGNORECASE | re.MULTILINE):
            return Dkim("none")
        checker = dkim.DKIM(raw)
        try:
            ok = checker.verify(dnsfunc=self.dnsfunc)
        except dkim.DKIMException as err:
            return Dkim("fail", detail=str(err)[:200])
        fields = getattr(checker, "signature_fields", {}) or {}

        def get(key: bytes) -> str:
            value = fields.get(key, b"")
            return value.decode() if isinstance(value, bytes) else str(value)

        return Dkim("pass" if ok else "fail", get(b"d"), get(b"s"), get(b"i"),
                    "" if ok else "signature does not verify")


@pytest.fixture(scope="session")
def keys() -> Keys:
    """One key per mail domain of the tests' agencies."""
    table = Keys()
    for address in (SENDER_MAILBOX, RECIPIENT_MAILBOX):
        table.add(address.rpartition("@")[2])
    table.add("evil.vanban.test")
    return table


@pytest.fixture
def dkim_table(keys: Keys, monkeypatch: pytest.MonkeyPatch) -> Keys:
    """The gateway's DKIM judged against the test key table."""
    monkeypatch.setattr(ports, "dkim_check", keys.verify)
    return keys


@dataclass
class Road:
    """Two agencies on the mail road and their clerks."""

    sender: Agency
    recipient: Agency
    sender_clerk: Any
    recipient_clerk: Any
    keys: Keys

    def mail(self, message: Any, *, domain: str | None = None, identity: str | None = None,
             selector: str = SELECTOR) -> bytes:
        """The message DKIM-signed by the sender's domain (or ``domain``)."""
        raw = bytes(message).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        return self.keys.sign(raw, domain or SENDER_MAILBOX.rpartition("@")[2],
                              identity=identity, selector=selector)


@pytest.fixture
def road(make_agency: Callable[..., Agency], make_user: Callable[..., Any],
         dkim_table: Keys) -> Road:
    """Sở Nội vụ sends to Sở Tài chính by mail."""
    sender = make_agency("000.00.06.H06", name="Sở Nội vụ tỉnh Bắc Giang", short_name="SNV",
                         mailbox=SENDER_MAILBOX)
    recipient = make_agency("000.00.03.H06", name="Sở Tài chính tỉnh Bắc Giang",
                            short_name="STC", mailbox=RECIPIENT_MAILBOX)
    return Road(sender=sender, recipient=recipient,
                sender_clerk=make_user(sender, roles=[Role.CLERK], username="vt.snv"),
                recipient_clerk=make_user(recipient, roles=[Role.CLERK], username="vt.stc"),
                keys=dkim_table)


@pytest.fixture
def scan() -> bytes:
    """An unsigned PDF, as a scanner makes it."""
    return make_pdf("Cong van scan 15")


@pytest.fixture
def signed(road: Road) -> bytes:
    """A PDF signed with the sender's certificate of the demo PKI."""
    from vanban.signatures import services
    from vanban.signatures.demo import demo_pki_load

    demo_pki_load(agencies=[road.sender])
    return services.pdf_sign(actor=None, agency=road.sender, data=make_pdf("Cong van 15")).data
