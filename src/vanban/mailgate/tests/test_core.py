"""The pure judging of the mail road (R4.1, R3.1): reading a message and the rules, without a
database or a server."""

from __future__ import annotations

import pytest

from vanban.mailgate.core.judge import Dkim, classified_marking, documents, judge_message
from vanban.mailgate.core.message import body_sha256, parse_message
from vanban.mailgate.tests.messages import build, cp1258_word

PDF = b"%PDF-1.7\n% a document\n"
SENDER = "vanthu@snv.vanban.test"
GOOD = Dkim("pass", "snv.vanban.test", "s2026", identity=SENDER)
LIMIT = 25 * 1024 * 1024


def codes(raw: bytes, *, dkim: Dkim = GOOD, known: bool = True, limit: int = LIMIT) -> list[str]:
    return [r.code for r in judge_message(parse_message(raw), sender_known=known, dkim=dkim,
                                          max_attachment_bytes=limit)]


def test_a_registered_signed_message_passes() -> None:
    """R4.1: one PDF from a known mailbox with the sender domain's DKIM: nothing to refuse."""
    raw = bytes(build(sender=SENDER, to="vt@stc.vanban.test", files=[("cv.pdf", PDF)]))
    assert codes(raw) == []


@pytest.mark.parametrize(("dkim", "code"), [
    (Dkim("none"), "dkim_missing"),
    (Dkim("fail", "snv.vanban.test", "s2026", detail="body hash mismatch"), "dkim_failed"),
    (Dkim("pass", "evil.test", "s1"), "forged_from"),
    (Dkim("pass", "snv.vanban.test", "s1", identity="khac@snv.vanban.test"), "forged_from"),
    (Dkim("pass", "snv.vanban.test", "s1"), "dkim_no_identity"),
    (Dkim("pass", "snv.vanban.test", "s1", identity="@snv.vanban.test"), "dkim_no_identity"),
])
def test_dkim_rules(dkim: Dkim, code: str) -> None:
    """R4.1: a missing or failing DKIM signature, one by another domain or mailbox, or one
    naming only the domain (any mailbox of it could have sent it) is refused."""
    raw = bytes(build(sender=SENDER, to="vt@stc.vanban.test", files=[("cv.pdf", PDF)]))
    assert codes(raw, dkim=dkim) == [code]


def test_a_domain_only_signature_passes_only_where_the_key_table_allows() -> None:
    """R4.1: a key whose table entry does not require the identity (a server signing d= only)
    vouches for the domain; the From mailbox is then proved by the registry alone."""
    raw = bytes(build(sender=SENDER, to="vt@stc.vanban.test", files=[("cv.pdf", PDF)]))
    lenient = Dkim("pass", "snv.vanban.test", "s1", identity_required=False)
    assert codes(raw, dkim=lenient) == []
    assert codes(raw, dkim=Dkim("pass", "snv.vanban.test", "s1", identity="khac@snv.vanban.test",
                                identity_required=False)) == ["forged_from"]


def test_unknown_sender_and_envelope() -> None:
    """R4.1: an unregistered sender, and a Return-Path that is not the From address."""
    raw = bytes(build(sender="ai.do@gmail.test", to="vt@stc.vanban.test",
                      files=[("cv.pdf", PDF)], headers={"Return-Path": "<khac@x.test>"}))
    found = codes(raw, known=False,
                  dkim=Dkim("pass", "gmail.test", "s", identity="ai.do@gmail.test"))
    assert found == ["unknown_sender", "envelope_mismatch"]


@pytest.mark.parametrize(("subject", "body", "marking"), [
    ("TỐI MẬT - Về kế hoạch", "", "TỐI MẬT"),
    ("Về kế hoạch", "Độ mật: Tuyệt mật", "TUYỆT MẬT"),
    ("MẬT", "", "MẬT"),
    ("Về việc bảo mật thông tin và mật khẩu", "bí mật nhà nước là chủ đề tập huấn", ""),
])
def test_classified_markings(subject: str, body: str, marking: str) -> None:
    """R3.1: the stamp words in capitals or "Độ mật: …" mark a message classified; ordinary
    words containing "mật" do not."""
    raw = bytes(build(sender=SENDER, to="vt@stc.vanban.test", subject=subject, body=body or "x",
                      files=[("cv.pdf", PDF)]))
    assert classified_marking(parse_message(raw)) == marking
    assert ("classified" in codes(raw)) is bool(marking)


def test_declared_classification_header() -> None:
    """R3.1: the sending gateway's classification header is honoured."""
    raw = bytes(build(sender=SENDER, to="vt@stc.vanban.test", files=[("cv.pdf", PDF)],
                      headers={"X-Vanban-Classification": "toi_mat"}))
    assert codes(raw) == ["classified"]


def test_the_same_pdf_twice_is_one_file() -> None:
    """The same bytes attached twice are filed once; PDFs come first."""
    raw = bytes(build(sender=SENDER, to="vt@stc.vanban.test",
                      files=[("note.txt", b"ghi chu"), ("a.pdf", PDF), ("b.pdf", PDF)]))
    parsed = parse_message(raw)
    assert len(parsed.attachments) == 3
    assert [p.name for p in documents(parsed.attachments)] == ["a.pdf", "note.txt"]


def test_size_limit() -> None:
    """An attachment over the gateway's limit is refused with its name and the limit."""
    raw = bytes(build(sender=SENDER, to="vt@stc.vanban.test",
                      files=[("lon.pdf", PDF + b"0" * 2048)]))
    found = judge_message(parse_message(raw), sender_known=True, dkim=GOOD,
                          max_attachment_bytes=1024 * 1024 // 1024)
    assert [r.code for r in found] == ["too_large"]
    assert "lon.pdf" in found[0].vi


def test_no_pdf() -> None:
    raw = bytes(build(sender=SENDER, to="vt@stc.vanban.test", files=[("a.doc", b"\xd0\xcf")]))
    assert codes(raw) == ["no_document"]


def test_windows_1258_subject_is_decoded() -> None:
    """A subject encoded in windows-1258 (RFC 2047) reads as the Vietnamese it is."""
    subject = "Về việc tăng cường quản lý văn bản điện tử"
    message = build(sender=SENDER, to="vt@stc.vanban.test", files=[("cv.pdf", PDF)])
    del message["Subject"]
    raw = bytes(message).replace(b"Message-ID:", f"Subject: {cp1258_word(subject)}\r\n"
                                 "Message-ID:".encode(), 1)
    parsed = parse_message(raw)
    assert parsed.subject == subject
    assert parsed.defects == ()


@pytest.mark.parametrize("raw", [
    b"From: vanthu@snv.vanban.test\r\nMessage-ID: <x@y>\r\nContent-Type: multipart/mixed; "
    b"boundary=zzz\r\n\r\n--zzz\r\nContent-Type: text/plain\r\n\r\nhi\r\n",
    b"From: vanthu@snv.vanban.test\r\nContent-Type: multipart/mixed\r\n\r\nhello",
    b"From: vanthu@snv.vanban.test\r\nSubject: =?x-unknown?B?AAAA?=\r\n\r\nhello",
    b"From: vanthu@snv.vanban.test\r\nSubject: \xff\xfe caf\xe9\r\n\r\nhello",
    b"\x00\x01\x02 not a message at all",
    b"",
])
def test_malformed_is_refused_with_a_reason(raw: bytes) -> None:
    """Malformed MIME, an unknown charset, raw 8-bit headers, garbage: refused, never a crash."""
    found = codes(raw)
    assert found
    assert found[0] in ("malformed", "no_sender")


def test_body_hash_ignores_relay_headers() -> None:
    """The key's body hash stays the same when relays add headers or rewrite line ends."""
    raw = b"From: a@b.test\r\nSubject: x\r\n\r\nline 1\r\nline 2\r\n"
    relayed = b"Received: from relay\nFrom: a@b.test\nSubject: x\n\nline 1\nline 2\n"
    assert body_sha256(raw) == body_sha256(relayed)


@pytest.mark.parametrize("added", [b"X-Vanban-Code-Number: 99\r\n", b"To: vt@khac.vanban.test\r\n",
                                   b"Subject: Noi dung khac\r\n"])
def test_a_header_added_above_the_signed_one_is_refused(added: bytes) -> None:
    """R4.1: DKIM verifies the last copy of a header, the reader would take the first; a
    message carrying a second copy of a single header (or of vanban's own) is refused, so a
    header added above a signed message can never change what is filed."""
    raw = bytes(build(sender=SENDER, to="vt@stc.vanban.test", files=[("cv.pdf", PDF)],
                      headers={"X-Vanban-Code-Number": "15"}))
    assert codes(raw) == []
    assert codes(added + raw) == ["malformed"]
