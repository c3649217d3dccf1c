"""Browser test of the mail road (R4.1, R9.1, R13.1): the clerk of Sở Nội vụ sends a signed
document to Sở Tài chính, whose route is its official mailbox; the gateway carries it through
the real relay and Dovecot and reads it back; Sở Tài chính's clerk sees it in the inbox with
the mail verification and registers it; Sở Nội vụ sees it delivered (the relay's DSN)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.test import override_settings

from tests.browser.helpers import off_the_loop, sign_in
from vanban.core.roles import Role
from vanban.mail.tests import servers
from vanban.mail.tests.servers import MailServers, unique_address

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOMAIN = "bacgiang.vanban.test"
mail_servers = servers.mail_servers  # the test servers, once per session


@pytest.fixture
def mail_on(mail_servers: MailServers) -> Iterator[MailServers]:
    """The gateway's settings pointed at the test servers."""
    with override_settings(**servers.settings_for(mail_servers),
                           VANBAN_EXCHANGE_RETRY_BASE=0.0):
        yield mail_servers


def _province_key() -> None:
    from vanban.mail.dkim import dkim_key_add

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    dkim_key_add(actor=None, domain=DOMAIN, selector="tinh2026",
                 public_pem=key.public_key().public_bytes(
                     serialization.Encoding.PEM,
                     serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
                 private_pem=key.private_bytes(
                     serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                     serialization.NoEncryption()).decode())


def _gateway() -> str:
    from io import StringIO

    out = StringIO()
    call_command("mail", "gateway", "--once", stdout=out)
    return out.getvalue()


def test_a_document_by_mail_from_send_to_register(live_server: Any, browser: Any,
                                                  mail_on: MailServers, make_agency: Any,
                                                  make_user: Any) -> None:
    """R9.1: sent from the clerk mailbox through the outbox; R4.1: filed by the gateway with
    the mail verification, registered by the recipient's clerk; the sender sees it
    delivered."""
    from vanban.exchange.tests.conftest import ready_document
    from vanban.mail.services import mailbox_create
    from vanban.signatures.demo import demo_pki_load

    sender = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC",
                          connected=False)
    _province_key()
    boxes = {}
    for agency in (sender, finance):
        created = mailbox_create(actor=None, address=unique_address("vanthu", DOMAIN),
                                 agency=agency)
        mail_on.wait_login(created.mailbox.address, created.password)
        boxes[agency.pk] = (created.mailbox.address, created.password)
    sender_clerk = make_user(sender, roles=[Role.CLERK], username="vt.snv")
    clerk = make_user(finance, roles=[Role.CLERK], username="vt.stc")
    demo_pki_load(agencies=[sender])
    document = off_the_loop(ready_document, sender_clerk, sender, [finance],
                            "Về việc gửi văn bản qua thư công vụ", signed=True)

    tracking = sign_in(browser, live_server.url, sender_clerk)
    tracking.goto(f"{live_server.url}/exchange/documents/{document.pk}/")
    tracking.click("[data-testid=send]")
    tracking.wait_for_selector("[data-testid=deliveries]")

    # The gateway: the outbox sends the mail from Sở Nội vụ's clerk mailbox (unless the send's
    # own wake-up did), then the passes read the document and the relay's DSN.
    report = ""
    for _ in range(20):
        report += off_the_loop(_gateway)
        if "filed=1" in report and "dsn=1" in report:
            break
        time.sleep(0.1)
    assert f"{boxes[finance.pk][0]}: read=1 filed=1" in report, report
    assert f"{boxes[sender.pk][0]}: read=1 filed=0 refused=0 dsn=1" in report, report

    desk = sign_in(browser, live_server.url, clerk)
    from vanban.exchange.models import Delivery

    # The arrival the gateway filed, and only it: the sender's own record of the mail (marked
    # delivered by the DSN) is never offered for registration a second time.
    arrival = Delivery.objects.get(recipient=finance, transmission__channel="mail")
    desk.goto(f"{live_server.url}/incoming/")
    assert desk.locator("[data-testid=waiting] tr[data-delivery]").count() == 1
    desk.click(f"[data-testid=waiting] tr[data-delivery='{arrival.uid}'] a")
    assert desk.locator("[data-testid=checks] [data-check=mail_dkim][data-status=pass]") \
        .count() == 1
    assert desk.locator("[data-testid=checks] [data-check=mail_sender][data-status=pass]") \
        .count() == 1
    assert "Hợp lệ" in desk.inner_text("h2")
    desk.select_option("select[name=recipient_user]", index=1)  # Decree 30 col. 7
    desk.click("[data-testid=register]")
    desk.wait_for_url("**/incoming/entry/**")
    assert "Về việc gửi văn bản qua thư công vụ" in desk.content()

    tracking.reload()
    tracking.wait_for_selector(f"tr[data-recipient='{finance.code}'] [data-testid=state]"
                               "[data-mail=delivered]")
