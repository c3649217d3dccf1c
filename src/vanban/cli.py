"""The ``vanban`` console command for operators: Django's management commands under one name.

``vanban migrate``, ``vanban demo load``, ``vanban directory import FILE``, ``vanban audit verify``,
``vanban serve``: each is a management command of one of vanban's apps.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command with the production-capable settings; everything the process
    creates is private to the service account (umask 0o077, R14.3)."""
    from vanban.core.filemodes import private_umask

    private_umask()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vanban", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
