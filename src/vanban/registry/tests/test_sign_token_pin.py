"""R14.3, R21.1: when the agency's key lives on a PKCS#11 token (SoftHSM2, made in the test),
the signer may confirm a signature with the token's PIN: the sign page asks for it, a wrong
PIN signs nothing and is audited, the right one signs and the audit events say ``token_pin``."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from vanban.accounts.services.stepup import StepUpFailed, StepUpMethod, stepup_confirm
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.registry import services
from vanban.registry.models import Document, DocumentState
from vanban.registry.tests.conftest import make_pdf
from vanban.signatures import pki
from vanban.signatures import services as signatures
from vanban.signatures.services._common import issuer_of
from vanban.signatures.tests import conftest as signing_fixtures
from vanban.signatures.tests.conftest import SOFTHSM_MODULE, token_with_key

pytestmark = pytest.mark.django_db
softhsm_dir = signing_fixtures.softhsm_dir  # the private SoftHSM2 directory of the run
PIN = "135792"


@pytest.fixture(scope="session")
def token(softhsm_dir: Path) -> tuple[str, Any]:
    """One token with a fresh key for the run (the PKCS#11 library sees only the tokens that
    existed when it was first loaded): its label and public key."""
    label = f"vb-{uuid.uuid4().hex[:8]}"
    return label, token_with_key(softhsm_dir, label, PIN, "97531111")


@pytest.fixture
def on_token(token: tuple[str, Any], sender: Agency, clerk: Any, draft: Document,
             monkeypatch: pytest.MonkeyPatch) -> Document:
    """The sender signs with the key on the token, certified by the demo CA; a registered
    document with its scan."""
    label, public_key = token
    issuing = signatures.ca_create_demo(actor=None).issuing
    cert = pki.make_leaf(
        subject=pki.name(common_name=sender.name, organization=sender.name,
                         serial_number=sender.code),
        public_key=public_key, issuer=issuer_of(issuing), now=clock.now(), days=365)
    monkeypatch.setenv("VANBAN_TEST_SIGN_PIN", PIN)
    signatures.certificate_register(
        actor=None, agency=sender, cert_pem=pki.to_pem(cert),
        pkcs11=signatures.Pkcs11Ref(module_path=SOFTHSM_MODULE, token_label=label,
                                    key_label="agency-key", pin_ref="env:VANBAN_TEST_SIGN_PIN"))
    services.document_register(actor=clerk, document=draft)
    services.document_upload(actor=clerk, document=draft, main=[make_pdf(1)])
    return draft


def test_token_pin_confirms_and_a_wrong_one_does_not(on_token: Document, sender: Agency,
                                                     clerk: Any) -> None:
    """R21.1: the PIN opens the token (a wrong one does not) and is the confirmation."""
    check = signatures.token_pin_check(sender)
    assert check is not None
    with pytest.raises(StepUpFailed):
        stepup_confirm(user=clerk, pin="000000", pin_check=check)
    confirmed = stepup_confirm(user=clerk, pin=PIN, pin_check=check)
    assert confirmed.method is StepUpMethod.TOKEN_PIN


def test_sign_page_offers_the_pin_and_signs_with_it(on_token: Document, clerk: Any) -> None:
    """R14.3, R21.1: the page asks for the PIN; the signature's events name ``token_pin``."""
    client = Client()
    client.force_login(clerk)
    url = f"/documents/{on_token.pk}/sign/"
    assert 'name="pin"' in client.get(url).content.decode()
    client.post(url, {"pin": "111111"})
    on_token.refresh_from_db()
    assert on_token.state == DocumentState.REGISTERED
    assert AuditEvent.objects.filter(action="accounts.stepup.denied").exists()
    client.post(url, {"pin": PIN})
    on_token.refresh_from_db()
    assert on_token.state == DocumentState.SIGNED
    event = AuditEvent.objects.get(action="registry.document_sign")
    data = json.loads(event.data)
    assert data["confirmation"] == "token_pin"
    assert data["confirmed_by"] == clerk.username
    assert PIN not in event.data
