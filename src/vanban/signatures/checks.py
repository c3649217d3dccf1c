"""Deployment check of the signing-key store (``vanban check --deploy``, R21.1).

``vanban.W010``: the key-store passphrase travels with the keys it protects, either because
``VANBAN_KEYSTORE_PASSPHRASE_FILE`` points inside ``VANBAN_HOME`` or because a passphrase file
written in clear by an older version has not been sealed yet (any signing seals it).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register

from vanban.signatures import keystore


@register(Tags.security, deploy=True)
def passphrase_outside_home(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W010: the passphrase of the signing keys is not kept in clear beside them."""
    problem = keystore.passphrase_in_clear_inside_home()
    if problem is None:
        return []
    return [Warning(
        "Mật khẩu kho khóa ký số nằm cùng chỗ với các khóa / The passphrase of the signing keys "
        f"is kept with them: {problem}",
        hint="Đặt VANBAN_KEYSTORE_PASSPHRASE hoặc VANBAN_KEYSTORE_PASSPHRASE_FILE (ngoài "
             "VANBAN_HOME) / Set VANBAN_KEYSTORE_PASSPHRASE, or VANBAN_KEYSTORE_PASSPHRASE_FILE "
             "outside VANBAN_HOME (docs/operator-guide.md).",
        id="vanban.W010")]
