"""Child processes of the crash test (spawned, so each runs ``django.setup()`` against the
database the parent passes): the real ``vanban exchange worker`` command, killed or not.

Not a test module: the functions must be importable by name for multiprocessing's spawn.
"""

from __future__ import annotations

import os
from typing import Any


def run_worker(database: dict[str, Any], once: bool, batch: int) -> None:
    """Run ``vanban exchange worker`` (forever unless ``once``) against ``database``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.conf import settings

    settings.DATABASES["default"] = database
    django.setup()
    from django.core.management import call_command

    args = ["exchange", "worker", "--batch", str(batch), "--sleep", "0.05"]
    call_command(*args, *(["--once"] if once else []))
