"""R16.1, R4.1: a PDF that came by mail goes through the intake and the malware scanner once
per arrival: the gateway's intake verdict goes along to the arrival port, which does not run
the intake again (it still scans the files that are not PDFs, which the gateway did not)."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any, ClassVar

import pytest
from django.conf import settings
from django.test import override_settings

from vanban.mailgate.services import mail_receive
from vanban.mailgate.tests.conftest import RECIPIENT_MAILBOX, SENDER_MAILBOX, Road
from vanban.mailgate.tests.messages import build
from vanban.security.clamd import ClamdScanner, Verdict

pytestmark = pytest.mark.django_db


class CountingClamd(ClamdScanner):
    """The real clamd of the tests, counting what it was asked to scan (by SHA-256)."""

    scanned: ClassVar[Counter[str]] = Counter()

    def __init__(self) -> None:
        super().__init__(socket_path=str(settings.VANBAN_CLAMD_SOCKET), timeout=5.0)

    def scan(self, data: bytes) -> Verdict:
        CountingClamd.scanned[hashlib.sha256(data).hexdigest()] += 1
        return super().scan(data)


def test_each_file_is_scanned_once_per_arrival(road: Road, scan: bytes,
                                               scanner_on: Any) -> None:
    """R16.1: the PDF and the other attachment are each scanned exactly once."""
    CountingClamd.scanned.clear()
    note = b"ghi chu kem theo\n"
    raw = road.mail(build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX,
                          files=[("cv.pdf", scan), ("ghichu.txt", note)]))
    with override_settings(
            VANBAN_MALWARE_SCANNER="vanban.mailgate.tests.test_intake_once.CountingClamd"):
        outcome = mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX)
    assert outcome.filed
    assert CountingClamd.scanned == {hashlib.sha256(scan).hexdigest(): 1,
                                     hashlib.sha256(note).hexdigest(): 1}


def test_each_pdf_is_inspected_once_per_message(road: Road, scan: bytes, signed: bytes,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: a message's PDF, signed or a scan, is inspected once: the verification of the
    mail path takes the intake's inspection instead of opening the PDF again."""
    from vanban.pdfs import inspect
    from vanban.security import intake
    from vanban.signatures.verification import mail as mail_verification
    from vanban.signatures.verification import services as verification

    inspected: Counter[str] = Counter()
    real = inspect.inspect_pdf

    def counted(data: bytes, **kwargs: Any) -> Any:
        inspected[hashlib.sha256(data).hexdigest()] += 1
        return real(data, **kwargs)

    monkeypatch.setattr(intake, "inspect_pdf", counted)
    monkeypatch.setattr(verification, "inspect_pdf", counted)
    mail_verification._examined.clear()
    for n, pdf in enumerate((scan, signed)):
        raw = road.mail(build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX,
                              subject=f"Văn bản {n}", files=[("cv.pdf", pdf)]))
        outcome = mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX)
        assert outcome.filed, outcome.as_dict()
        assert outcome.message.verification_id is not None
    assert inspected == {hashlib.sha256(scan).hexdigest(): 1,
                         hashlib.sha256(signed).hexdigest(): 1}
