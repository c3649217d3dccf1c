"""System checks of the installation's files and secrets (``vanban check [--deploy]``, R14.3).

* ``vanban.W001`` (every command): the home folder, its direct children or anything under
  ``keys`` can be read by other local users. Cheap: it never walks the file store.
* ``vanban.W002`` (``--deploy``): the same over every file under ``VANBAN_HOME``.
* ``vanban.W003`` (``--deploy``): the master key of secrets at rest is read from inside
  ``VANBAN_HOME``, so a copy of the home folder carries the key with the data it protects.

``vanban migrate`` removes group and other permissions under ``VANBAN_HOME``
(:func:`tighten_home`), so the fix for W001/W002 is to run it once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from vanban.core import filemodes, secretbox

_SHOWN = 5


def _home() -> Path:
    return Path(settings.VANBAN_HOME)


def _open_files_warning(entries: list[filemodes.OpenEntry], check_id: str) -> list[CheckMessage]:
    if not entries:
        return []
    listed = "; ".join(e.describe() for e in entries[:_SHOWN])
    more = f" (+{len(entries) - _SHOWN})" if len(entries) > _SHOWN else ""
    return [Warning(
        "Tệp hoặc thư mục trong VANBAN_HOME mà người dùng khác trên máy đọc được / Files or "
        f"folders in VANBAN_HOME that other local users can read: {listed}{more}",
        hint="Chạy `vanban migrate` để thu hẹp quyền (0600/0700) / Run `vanban migrate` to "
             "narrow them to 0600/0700.",
        id=check_id)]


@register(Tags.security)
def home_is_private(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W001: the top of the home folder and the keys are the service account's alone."""
    return _open_files_warning(filemodes.open_entries(_home(), deep=False), "vanban.W001")


@register(Tags.security, deploy=True)
def home_files_are_private(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W002: every file under the home folder is the service account's alone."""
    return _open_files_warning(filemodes.open_entries(_home(), deep=True), "vanban.W002")


@register(Tags.security, deploy=True)
def master_key_outside_home(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W003: in production the master key does not travel with the data it protects."""
    if not secretbox.master_key_inside_home():
        return []
    return [Warning(
        "Khóa chủ của các bí mật nằm trong VANBAN_HOME / The master key of secrets at rest is "
        f"inside VANBAN_HOME ({secretbox.master_key_path()})",
        hint="Đặt VANBAN_MASTER_KEY hoặc VANBAN_MASTER_KEY_FILE trỏ ra ngoài VANBAN_HOME / Set "
             "VANBAN_MASTER_KEY, or VANBAN_MASTER_KEY_FILE to a path outside VANBAN_HOME.",
        id="vanban.W003")]


def tighten_home(sender: AppConfig, **kwargs: Any) -> None:
    """``post_migrate``: narrow what older versions left readable to others (R14.3).

    Django sends the signal once per app that has models (``core`` has none), so the walk runs
    only for the first of them: once per ``migrate``, not once per app.
    """
    first = next(c for c in apps.get_app_configs() if c.models_module is not None)
    if sender is not first:
        return
    home = _home()
    if home.exists():
        filemodes.tighten(home)
