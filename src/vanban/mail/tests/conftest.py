"""Fixtures of the mail tests: the real test mail servers (Dovecot and the DSN relay), the
province's DKIM signing key, and two agencies of the hub's tests with clerk mailboxes: Sở Nội vụ
sends, Sở Tài chính receives by mail (it is not connected to the system, so its route is its
official mailbox)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings

from vanban.directory.models import Agency
from vanban.exchange.tests import conftest as hub
from vanban.mail.tests import servers
from vanban.mail.tests.servers import MailServers, unique_address

DOMAIN = "vanban.test"
province = hub.province
sender = hub.sender
finance = hub.finance
clerk = hub.clerk
mail_servers = servers.mail_servers
mail_settings = servers.mail_settings


@dataclass(frozen=True)
class KeyPair:
    """An RSA key pair as PEM text."""

    private_pem: str
    public_pem: str


def make_keypair() -> KeyPair:
    """A fresh 2048-bit RSA key pair."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return KeyPair(private, public)


@pytest.fixture(scope="session")
def province_keys() -> KeyPair:
    """The province's DKIM key pair (made once)."""
    return make_keypair()


@pytest.fixture
def signing_key(db: None, province_keys: KeyPair) -> Any:
    """The province's signing key for ``vanban.test`` in the key table."""
    from vanban.mail.dkim import dkim_key_add

    return dkim_key_add(actor=None, domain=DOMAIN, selector="tinh2026",
                        public_pem=province_keys.public_pem,
                        private_pem=province_keys.private_pem)


@pytest.fixture
def mail_on(mail_settings: MailServers, tmp_path: Any) -> Iterator[MailServers]:
    """The servers' settings, and no back-off to wait for in the outbox."""
    with override_settings(VANBAN_EXCHANGE_RETRY_BASE=0.0):
        yield mail_settings


@dataclass
class Road:
    """Two agencies on the mail road, with their clerk mailboxes' passwords."""

    servers: MailServers
    sender: Agency
    recipient: Agency
    sender_address: str
    sender_password: str
    recipient_address: str
    recipient_password: str


@pytest.fixture
def road(mail_on: MailServers, signing_key: Any, sender: Agency, finance: Agency) -> Road:
    """Sở Nội vụ's and Sở Tài chính's clerk mailboxes, created through the provisioning port;
    Sở Tài chính is reached by mail only."""
    from vanban.mail.services import mailbox_create

    finance.connected = False
    finance.save(update_fields=["connected"])
    mine = mailbox_create(actor=None, address=unique_address("vt-snv", DOMAIN), agency=sender)
    theirs = mailbox_create(actor=None, address=unique_address("vt-stc", DOMAIN),
                            agency=finance)
    for created in (mine, theirs):
        mail_on.wait_login(created.mailbox.address, created.password)
    return Road(mail_on, sender, finance, mine.mailbox.address, mine.password,
                theirs.mailbox.address, theirs.password)
