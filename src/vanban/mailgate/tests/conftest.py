"""Fixtures of the mail gateway's tests: two agencies with clerk mailboxes on the provincial
mail domains, the province's DKIM keys in the key table (``vanban mail dkim``), messages
signed with them, the sender's certificate of the demo PKI for signed PDFs, and, for the
gateway's tests, the same agencies with real mailboxes on the test Dovecot and relay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

import dkim  # type: ignore[import-untyped]
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings

from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.exchange.tests.conftest import make_pdf
from vanban.mail.tests import servers
from vanban.mail.tests.servers import MailServers, unique_address

# The test servers' fixtures, collected by name.
mail_servers = servers.mail_servers
mail_settings = servers.mail_settings
SENDER_DOMAIN = "snv.bacgiang.vanban.test"
RECIPIENT_DOMAIN = "stc.bacgiang.vanban.test"
EVIL_DOMAIN = "evil.vanban.test"
SENDER_MAILBOX = f"vanthu@{SENDER_DOMAIN}"
RECIPIENT_MAILBOX = f"vanthu@{RECIPIENT_DOMAIN}"
SELECTOR = "tinh2026"
SIGNED_HEADERS = [b"From", b"To", b"Subject", b"Date", b"Message-ID"]


@dataclass
class Keys:
    """The province's DKIM key pairs by domain (PEM)."""

    private: dict[str, str] = field(default_factory=dict)
    public: dict[str, str] = field(default_factory=dict)

    def add(self, domain: str) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private[domain] = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()
        self.public[domain] = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def sign(self, raw: bytes, domain: str, *, identity: str | None = None) -> bytes:
        """``raw`` with a DKIM-Signature of ``domain`` (and identity ``i=``) prepended."""
        signature = dkim.sign(raw, SELECTOR.encode(), domain.encode(),
                              self.private[domain].encode(),
                              identity=identity.encode() if identity else None,
                              include_headers=SIGNED_HEADERS)
        return bytes(signature) + raw


@pytest.fixture(scope="session")
def keys() -> Keys:
    """One key per mail domain of the tests (made once)."""
    table = Keys()
    for domain in (SENDER_DOMAIN, RECIPIENT_DOMAIN, EVIL_DOMAIN):
        table.add(domain)
    return table


@pytest.fixture
def dkim_table(db: None, keys: Keys) -> Keys:
    """Every key in the provincial key table, with its private half (the province signs)."""
    from vanban.mail.dkim import dkim_key_add

    for domain in keys.private:
        dkim_key_add(actor=None, domain=domain, selector=SELECTOR,
                     public_pem=keys.public[domain], private_pem=keys.private[domain])
    return keys


@dataclass
class Road:
    """Two agencies on the mail road and their clerks."""

    sender: Agency
    recipient: Agency
    sender_clerk: Any
    recipient_clerk: Any
    keys: Keys

    @property
    def sender_address(self) -> str:
        return self.sender.mailbox

    @property
    def recipient_address(self) -> str:
        return self.recipient.mailbox

    def mail(self, message: Any, *, domain: str | None = None,
             identity: str | None = None) -> bytes:
        """The message DKIM-signed by the sender's domain (or ``domain``), naming its From
        mailbox as the identity (i=) as the province's server does (``identity``: another
        one; an empty string: none, the domain only)."""
        raw = bytes(message).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        signer = domain or self.sender.mailbox.rpartition("@")[2]
        if identity is None:  # a server names its own mailboxes only
            sent_by = parseaddr(str(message["From"]))[1]
            identity = sent_by if sent_by.endswith(f"@{signer}") else ""
        return self.keys.sign(raw, signer, identity=identity or None)


def _agencies(make_agency: Callable[..., Agency], make_user: Callable[..., Any],
              keys: Keys, sender_mailbox: str, recipient_mailbox: str) -> Road:
    sender = make_agency("000.00.06.H06", name="Sở Nội vụ tỉnh Bắc Giang", short_name="SNV",
                         mailbox=sender_mailbox)
    recipient = make_agency("000.00.03.H06", name="Sở Tài chính tỉnh Bắc Giang",
                            short_name="STC", mailbox=recipient_mailbox)
    return Road(sender=sender, recipient=recipient,
                sender_clerk=make_user(sender, roles=[Role.CLERK], username="vt.snv"),
                recipient_clerk=make_user(recipient, roles=[Role.CLERK], username="vt.stc"),
                keys=keys)


@pytest.fixture
def road(make_agency: Callable[..., Agency], make_user: Callable[..., Any],
         dkim_table: Keys) -> Road:
    """Sở Nội vụ sends to Sở Tài chính by mail (the judging, without servers)."""
    return _agencies(make_agency, make_user, dkim_table, SENDER_MAILBOX, RECIPIENT_MAILBOX)


@dataclass
class Live:
    """The road with real clerk mailboxes on the test servers."""

    road: Road
    servers: MailServers
    passwords: dict[str, str]

    def deliver(self, raw: bytes) -> None:
        """Put ``raw`` in the recipient's mailbox as the relay would."""
        assert self.servers.deliver(self.road.recipient_address, raw)


@pytest.fixture
def live(mail_settings: MailServers, make_agency: Callable[..., Agency],
         make_user: Callable[..., Any], dkim_table: Keys) -> Iterator[Live]:
    """The agencies' clerk mailboxes made through the provisioning port, fresh each test."""
    from vanban.mail.services import mailbox_create

    road = _agencies(make_agency, make_user, dkim_table, "", "")
    passwords = {}
    for agency, domain in ((road.sender, SENDER_DOMAIN), (road.recipient, RECIPIENT_DOMAIN)):
        created = mailbox_create(actor=None, address=unique_address("vanthu", domain),
                                 agency=agency)
        mail_settings.wait_login(created.mailbox.address, created.password)
        passwords[created.mailbox.address] = created.password
        agency.refresh_from_db()
    with override_settings(VANBAN_EXCHANGE_RETRY_BASE=0.0):
        yield Live(road, mail_settings, passwords)


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
