"""The test mail servers behave as the real ones the gateway meets: login against the
passwd-file, delivery over LMTP, DSNs for success and for an unknown recipient."""

from __future__ import annotations

import email
import smtplib
from email.message import Message

from vanban.mail.tests.servers import MailServers, unique_address


def test_relay_delivers_and_reports_by_dsn(mail_servers: MailServers) -> None:
    """A message to a known and an unknown recipient: the known one gets it, the sender gets
    one DSN listing both, with the envelope id and original recipient it gave."""
    sender, known, unknown = unique_address("a"), unique_address("b"), unique_address("x")
    password = mail_servers.add_mailbox(sender)
    known_password = mail_servers.add_mailbox(known)
    raw = (f"From: {sender}\r\nTo: {known}\r\nSubject: thu\r\nMessage-ID: <m1@t>\r\n\r\n"
           "noi dung\r\n").encode()
    with smtplib.SMTP(mail_servers.host, mail_servers.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("dsn")
        smtp.login(sender, password)
        smtp.sendmail(sender, [known, unknown], raw, mail_options=["RET=HDRS", "ENVID=env+2B1"],
                      rcpt_options=["NOTIFY=SUCCESS,FAILURE", f"ORCPT=rfc822;{known}"])
    assert b"noi dung" in mail_servers.wait_messages(known, known_password, 1)[0]
    dsn = email.message_from_bytes(mail_servers.wait_messages(sender, password, 1)[0])
    assert dsn.get_content_type() == "multipart/report"
    parts = dsn.get_payload()
    assert isinstance(parts, list)
    status = parts[1]
    assert isinstance(status, Message)
    assert status.get_content_type() == "message/delivery-status"
    blocks = status.get_payload()
    assert isinstance(blocks, list)
    records = [b for b in blocks if isinstance(b, Message)]
    assert records[0]["Original-Envelope-Id"] == "env+1"
    actions = {b["Final-Recipient"].split(";")[1].strip(): b["Action"] for b in records[1:]}
    assert actions == {known: "delivered", unknown: "failed"}


def test_relay_refuses_a_wrong_password(mail_servers: MailServers) -> None:
    address = unique_address()
    mail_servers.add_mailbox(address, "dung-mat-khau")
    with smtplib.SMTP(mail_servers.host, mail_servers.smtp_port, timeout=10) as smtp:
        try:
            smtp.login(address, "sai-mat-khau")
        except smtplib.SMTPAuthenticationError:
            return
    raise AssertionError("a wrong password logged in")
