"""The provincial DKIM key table: signing with the province's key, verification without DNS."""

from __future__ import annotations

from email.message import EmailMessage
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.core.errors import Conflict, ValidationFailed
from vanban.mail.dkim import (
    DkimUnavailable,
    dkim_key_add,
    dkim_key_disable,
    dkim_sign,
    dkim_verify,
)
from vanban.mail.models import DkimKey
from vanban.mail.tests.conftest import DOMAIN, KeyPair, make_keypair

pytestmark = pytest.mark.django_db


def message(body: str = "Nội dung văn bản.\n") -> bytes:
    mail = EmailMessage()
    mail["From"] = f"vanthu@{DOMAIN}"
    mail["To"] = "nhan@vanban.test"
    mail["Subject"] = "Văn bản số 12/SNV-VP: Về việc thử"
    mail["Date"] = "Sat, 05 Dec 2026 09:00:00 +0700"
    mail["Message-ID"] = f"<m1@{DOMAIN}>"
    mail["X-Vanban-Document-Id"] = "000.00.02.H06,2026/12/05,12/SNV-VP"
    mail.set_content(body)
    return mail.as_bytes()


def test_signed_message_verifies_and_a_tampered_one_fails(signing_key: Any) -> None:
    """R4.1, R9.1: a message signed with the province's key verifies against the table; the
    same message with its body or a signed vanban header changed does not."""
    signed = dkim_sign(message(), DOMAIN, identity=f"vanthu@{DOMAIN}")
    result = dkim_verify(signed)
    assert (result.status, result.domain, result.selector) == ("pass", DOMAIN, "tinh2026")
    assert (result.identity, result.identity_required) == (f"vanthu@{DOMAIN}", True)
    assert b"x-vanban-document-id" in signed.split(b"\r\n\r\n")[0].lower()
    tampered = signed.replace("Nội dung".encode(), "Nội dunG".encode())
    if tampered == signed:  # the body went out as base64 / quoted-printable
        tampered = signed[:-12] + b"QUFBQUFBQUE=\n"
    assert dkim_verify(tampered).status == "fail"
    forged = signed.replace(b"000.00.02.H06", b"000.00.09.H06")
    assert dkim_verify(forged).status == "fail"


def test_missing_unknown_and_disabled_keys(signing_key: Any) -> None:
    assert dkim_verify(message()).status == "none"
    other = make_keypair()
    dkim_key_add(actor=None, domain="khac.vn", selector="s1", public_pem=other.public_pem,
                 private_pem=other.private_pem)
    signed_elsewhere = dkim_sign(message(), "khac.vn", identity="vanthu@khac.vn")
    DkimKey.objects.filter(domain="khac.vn").delete()
    result = dkim_verify(signed_elsewhere)
    assert result.status == "fail"
    assert "khac.vn" in result.reason
    signed = dkim_sign(message(), DOMAIN, identity=f"vanthu@{DOMAIN}")
    dkim_key_disable(actor=None, domain=DOMAIN, selector="tinh2026")
    assert dkim_verify(signed).status == "fail"
    with pytest.raises(DkimUnavailable):
        dkim_sign(message(), DOMAIN, identity=f"vanthu@{DOMAIN}")


def test_a_domain_only_key_is_never_a_signing_key(province_keys: KeyPair) -> None:
    """R4.1: the province signs with i= always, so its own keys cannot be domain-only; another
    server's key can, and the table says so."""
    with pytest.raises(ValidationFailed):
        dkim_key_add(actor=None, domain="khac.vn", selector="s1",
                     public_pem=province_keys.public_pem,
                     private_pem=province_keys.private_pem, identity_required=False)
    key = dkim_key_add(actor=None, domain="khac.vn", selector="s1",
                       public_pem=province_keys.public_pem, identity_required=False)
    assert key.as_dict()["identity_required"] is False


def test_keys_are_checked_when_added(province_keys: KeyPair, signing_key: Any) -> None:
    other = make_keypair()
    with pytest.raises(ValidationFailed):
        dkim_key_add(actor=None, domain="a.vn", selector="s", public_pem=other.public_pem,
                     private_pem=province_keys.private_pem)
    with pytest.raises(ValidationFailed):
        dkim_key_add(actor=None, domain="a.vn", selector="s", public_pem="not a key")
    with pytest.raises(ValidationFailed):
        dkim_key_add(actor=None, domain="a..vn", selector="s", public_pem=other.public_pem)
    with pytest.raises(Conflict):
        dkim_key_add(actor=None, domain=DOMAIN.upper(), selector="TINH2026",
                     public_pem=other.public_pem)
    row = DkimKey.objects.get(domain=DOMAIN)
    assert province_keys.private_pem not in row.private_key
    assert row.can_sign


def test_dkim_commands(tmp_path: Path) -> None:
    """``vanban mail dkim add --domain D --selector S PUBLIC.pem`` and ``dkim list``."""
    keys = make_keypair()
    public = tmp_path / "public.pem"
    public.write_text(keys.public_pem)
    private = tmp_path / "private.pem"
    private.write_text(keys.private_pem)
    out = StringIO()
    call_command("mail", "dkim", "add", "--domain", "stc.vanban.test", "--selector", "s1",
                 str(public), stdout=out)
    call_command("mail", "dkim", "add", "--domain", DOMAIN, "--selector", "k2",
                 str(public), "--private", str(private), stdout=out)
    out = StringIO()
    call_command("mail", "dkim", "list", "--json", stdout=out)
    assert '"signs": true' in out.getvalue()
    assert "stc.vanban.test" in out.getvalue()
    assert "PRIVATE" not in out.getvalue()
    with pytest.raises(CommandError) as refused:
        call_command("mail", "dkim", "add", "--domain", "x.vn", "--selector", "s",
                     str(tmp_path / "missing.pem"))
    assert refused.value.returncode == 2


def test_a_local_agency_domain_cannot_be_domain_only(province_keys: KeyPair) -> None:
    """R4.1: the province's own server names the sending mailbox (i=), so a public-only key
    for the mailbox domain of a local agency cannot be made domain-only (any mailbox of the
    domain would pass as the agency's); a peer installation's domain still can."""
    from vanban.core import clock
    from vanban.directory.models import Agency

    now = clock.now()
    Agency.objects.create(code="000.00.31.H10", name="Sở Tư pháp", short_name="STP",
                          mailbox="vanthu@stp.tinh.gov.vn", created_at=now, updated_at=now)
    Agency.objects.create(code="000.00.31.H99", name="Sở ngoài", short_name="SN",
                          mailbox="vanthu@ngoai.gov.vn", installation="peer",
                          created_at=now, updated_at=now)
    with pytest.raises(ValidationFailed) as refused:
        dkim_key_add(actor=None, domain="STP.tinh.gov.vn", selector="s1",
                     public_pem=province_keys.public_pem, identity_required=False)
    assert refused.value.code == "dkim_identity_own_key"
    assert not DkimKey.objects.filter(domain__iexact="stp.tinh.gov.vn").exists()
    key = dkim_key_add(actor=None, domain="ngoai.gov.vn", selector="s1",
                       public_pem=province_keys.public_pem, identity_required=False)
    assert key.identity_required is False


def test_a_header_line_dkim_cannot_split_fails_and_does_not_raise(signing_key: Any) -> None:
    """R4.1: a signed message with a header line that is not a header (no colon) is judged,
    not a crash: the gateway must quarantine it with a reason instead of reading it again on
    every pass."""
    signed = dkim_sign(message(), DOMAIN, identity=f"vanthu@{DOMAIN}")
    sep = b"\r\n" if b"\r\n" in signed else b"\n"
    broken = signed.replace(b"Subject:", b"not a header line" + sep + b"Subject:", 1)
    result = dkim_verify(broken)
    assert result.status == "fail"
    assert "MessageFormatError" in result.reason


def test_a_header_block_starting_with_a_continuation_line_fails(signing_key: Any) -> None:
    """R4.1: a message whose first line is a folded continuation (dkimpy's split raises
    IndexError on it) is a failed DKIM check, not a crash."""
    signed = dkim_sign(message(), DOMAIN, identity=f"vanthu@{DOMAIN}")
    sep = b"\r\n" if b"\r\n" in signed else b"\n"
    result = dkim_verify(b" x" + sep + signed)
    assert result.status == "fail"
    assert "IndexError" in result.reason
