"""The provisioning port: how vanban creates and disables accounts on the provincial mail
system (R13.1, R20.1). One adapter per kind of server, chosen by ``VANBAN_MAIL_PROVISIONER``:

* ``"dovecot"``: Dovecot's ``passwd-file`` passdb at ``VANBAN_MAIL_PASSWD_FILE`` (rewritten
  atomically; salted SHA-512 hashes; a disabled mailbox keeps its mail and loses its login).
* ``"ldap"``: a directory server (``VANBAN_MAIL_LDAP_*``). The port is kept open for it: an
  installation that needs it adds an adapter implementing :class:`Provisioner`; until then the
  setting is refused with a clear message rather than pretending.
* ``""`` (default): none configured; creating a mailbox is refused.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings

from vanban.core.errors import DomainError
from vanban.mail.passwd_file import PasswdFile


class ProvisioningUnavailable(DomainError):
    """The mail system cannot be reached or is not configured."""

    status = 503
    code = "mail_provisioning_unavailable"


class Provisioner(Protocol):
    """What vanban asks of the mail system's account store."""

    def create(self, address: str, password: str) -> None:
        """Create (or re-enable with a new password) the account ``address``."""
        ...

    def disable(self, address: str) -> None:
        """Forbid logins to ``address``; its mail is kept."""
        ...

    def exists(self, address: str) -> bool:
        """Whether the account exists and may log in."""
        ...


class DovecotPasswdFile:
    """Dovecot's passwd-file passdb (the file Dovecot reads, see ``passwd_file``)."""

    def __init__(self, path: str, group: str = "") -> None:
        self.file = PasswdFile(path, group)

    def create(self, address: str, password: str) -> None:
        try:
            self.file.put(address, password)
        except (OSError, KeyError) as err:  # KeyError: the group named does not exist
            raise _unavailable(err) from err

    def disable(self, address: str) -> None:
        try:
            self.file.disable(address)
        except (OSError, KeyError) as err:  # KeyError: the group named does not exist
            raise _unavailable(err) from err

    def exists(self, address: str) -> bool:
        try:
            entry = self.file.get(address)
        except (OSError, KeyError) as err:  # KeyError: the group named does not exist
            raise _unavailable(err) from err
        return entry is not None and not entry.disabled


def _unavailable(err: OSError | KeyError) -> ProvisioningUnavailable:
    why = (err.strerror if isinstance(err, OSError) else None) or str(err)
    return ProvisioningUnavailable(
        f"Không ghi được tệp tài khoản thư của Dovecot: {why}.",
        f"The Dovecot account file cannot be written: {why}.")


def provisioner() -> Provisioner:
    """The adapter the settings choose."""
    name = str(getattr(settings, "VANBAN_MAIL_PROVISIONER", "") or "")
    if name == "dovecot":
        path = str(getattr(settings, "VANBAN_MAIL_PASSWD_FILE", "") or "")
        if not path:
            raise ProvisioningUnavailable(
                "Chưa đặt VANBAN_MAIL_PASSWD_FILE (tệp passwd-file của Dovecot).",
                "VANBAN_MAIL_PASSWD_FILE (Dovecot's passwd-file) is not set.")
        group = str(getattr(settings, "VANBAN_MAIL_PASSWD_GROUP", "") or "")
        return DovecotPasswdFile(path, group)
    if name == "ldap":
        raise ProvisioningUnavailable(
            "Bộ cấp hộp thư qua LDAP chưa được cài đặt ở hệ thống này.",
            "The LDAP mailbox provisioner is not installed on this system.")
    raise ProvisioningUnavailable(
        "Chưa cấu hình hệ thống thư công vụ (VANBAN_MAIL_PROVISIONER).",
        "No mail system is configured (VANBAN_MAIL_PROVISIONER).")
