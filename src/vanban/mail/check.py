"""``vanban mail check``: try the IMAP and SMTP settings with a clerk mailbox and say, in plain
Vietnamese and English, what is wrong (refused connection, unknown host, wrong password, no
STARTTLS, a certificate that does not verify…)."""

from __future__ import annotations

import imaplib
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from vanban.core.errors import DomainError
from vanban.mail.services import clerk_mailboxes, mailbox_credentials
from vanban.mail.smtp import imap_connect, setting, smtp_connect


@dataclass(frozen=True)
class Finding:
    """One line of the check."""

    ok: bool
    vi: str
    en: str

    def line(self) -> str:
        return f"[{'OK' if self.ok else 'LỖI/ERROR'}] {self.vi} / {self.en}"


def _where(kind: str) -> str:
    return f"{setting(kind + '_HOST', '127.0.0.1')}:{setting(kind + '_PORT', '')}"


def _network(kind: str, err: BaseException) -> Finding:
    """A connection that failed before any login."""
    where = _where(kind)
    if isinstance(err, ConnectionRefusedError):
        return Finding(False, f"{kind}: máy chủ {where} từ chối kết nối (dịch vụ chưa chạy hoặc "
                              "sai cổng).", f"{kind}: {where} refused the connection (the "
                              "service is not running or the port is wrong).")
    if isinstance(err, socket.gaierror):
        return Finding(False, f"{kind}: không tìm thấy máy chủ {where} (sai tên máy).",
                       f"{kind}: the host of {where} is unknown (wrong host name).")
    if isinstance(err, (TimeoutError, socket.timeout)):
        return Finding(False, f"{kind}: {where} không trả lời (tường lửa hoặc sai địa chỉ).",
                       f"{kind}: {where} does not answer (firewall or wrong address).")
    return _tls(kind, where, err)


def _tls(kind: str, where: str, err: BaseException) -> Finding:
    """TLS failures, and anything else in plain words."""
    if isinstance(err, ssl.SSLCertVerificationError):
        return Finding(False, f"{kind}: chứng thư TLS của {where} không hợp lệ: "
                              f"{err.verify_message}.",
                       f"{kind}: the TLS certificate of {where} does not verify: "
                       f"{err.verify_message}.")
    if isinstance(err, ssl.SSLError):
        return Finding(False, f"{kind}: lỗi TLS với {where} (máy chủ có dùng TLS không?): {err}",
                       f"{kind}: TLS failed with {where} (does the server speak TLS?): {err}")
    if isinstance(err, smtplib.SMTPNotSupportedError) or "STARTTLS" in str(err).upper():
        return Finding(False, f"{kind}: {where} không hỗ trợ STARTTLS.",
                       f"{kind}: {where} does not offer STARTTLS.")
    return Finding(False, f"{kind}: không kết nối được {where}: {err}",
                   f"{kind}: cannot connect to {where}: {err}")


def check_imap(login: str, password: str) -> Finding:
    """Connect, log in, NOOP, log out."""
    try:
        imap = imap_connect()
    except (OSError, imaplib.IMAP4.error) as err:
        return _network("IMAP", err)
    try:
        try:
            imap.login(login, password)
        except imaplib.IMAP4.error as err:
            return Finding(False, f"IMAP: đăng nhập {login} bị từ chối (sai mật khẩu hoặc hộp "
                                  f"thư bị khoá): {err}",
                           f"IMAP: login as {login} refused (wrong password or mailbox "
                           f"disabled): {err}")
        imap.noop()
        imap.logout()
    except (OSError, imaplib.IMAP4.error) as err:
        return _network("IMAP", err)
    return Finding(True, f"IMAP: {_where('IMAP')} đăng nhập được bằng {login}.",
                   f"IMAP: {_where('IMAP')} accepts the login of {login}.")


def check_smtp(login: str, password: str) -> list[Finding]:
    """Connect (STARTTLS as set), log in, NOOP, QUIT; say whether DSN is offered."""
    try:
        smtp = smtp_connect()
    except (OSError, smtplib.SMTPException) as err:
        return [_network("SMTP", err)]
    found: list[Finding] = []
    try:
        try:
            smtp.login(login, password)
        except smtplib.SMTPNotSupportedError:
            return [Finding(False, "SMTP: máy chủ không cho đăng nhập (AUTH) trên kết nối này.",
                            "SMTP: the server offers no login (AUTH) on this connection.")]
        except smtplib.SMTPAuthenticationError as err:
            return [Finding(False, f"SMTP: đăng nhập {login} bị từ chối (sai mật khẩu): "
                                   f"{err.smtp_code}",
                            f"SMTP: login as {login} refused (wrong password): "
                            f"{err.smtp_code}")]
        smtp.noop()
        dsn = smtp.has_extn("dsn")
        found.append(Finding(True, f"SMTP: {_where('SMTP')} đăng nhập được bằng {login}.",
                             f"SMTP: {_where('SMTP')} accepts the login of {login}."))
        found.append(Finding(True, "SMTP: có báo cáo chuyển phát (DSN)." if dsn else
                             "SMTP: không có DSN: trạng thái 'đã chuyển tới' không được báo.",
                             "SMTP: delivery status notifications (DSN) offered." if dsn else
                             "SMTP: no DSN: 'delivered' will not be reported."))
        smtp.quit()
    except (OSError, smtplib.SMTPException) as err:
        return [*found, _network("SMTP", err)]
    return found


def check_provisioner() -> Finding:
    """Whether vanban can create mailboxes (the provisioning port's settings)."""
    name = str(setting("PROVISIONER", "") or "")
    if name != "dovecot":
        return Finding(True, f"Cấp hộp thư: {name or 'chưa cấu hình'} (tạo hộp thư ngoài "
                             "vanban).", f"Provisioning: {name or 'not configured'} (mailboxes "
                             "are created outside vanban).")
    path = Path(str(setting("PASSWD_FILE", "") or ""))
    folder = path.parent if str(path) not in ("", ".") else None
    if folder is None or not folder.is_dir() or not os.access(folder, os.W_OK):
        return Finding(False, f"Cấp hộp thư: không ghi được tệp {path} của Dovecot.",
                       f"Provisioning: Dovecot's file {path} cannot be written.")
    return Finding(True, f"Cấp hộp thư: tệp {path} của Dovecot ghi được.",
                   f"Provisioning: Dovecot's file {path} is writable.")


def mail_check(mailbox: str = "") -> list[Finding]:
    """Every finding, in order: provisioning, the mailbox used, IMAP, SMTP."""
    return [check_provisioner(), *_servers(mailbox)]


def _servers(mailbox: str) -> list[Finding]:
    address = mailbox.strip()
    if not address:
        boxes = clerk_mailboxes()
        if not boxes:
            return [Finding(False, "Chưa có hộp thư văn thư nào để thử đăng nhập.",
                            "There is no clerk mailbox to log in with.")]
        address = boxes[0].address
    try:
        login, password = mailbox_credentials(address)
    except DomainError as err:
        return [Finding(False, f"Hộp thư {address}: {err.vi}", f"Mailbox {address}: {err.en}")]
    return [check_imap(login, password), *check_smtp(login, password)]
