"""The ``vanban`` console command for operators: Django's management commands under one name.

``vanban migrate``, ``vanban demo load``, ``vanban directory import FILE``, ``vanban audit verify``,
``vanban serve``: each is a management command of one of vanban's apps. ``vanban help`` lists
vanban's own commands with what they do, Django's under a heading of their own; a command run on
a database that was never migrated ends with a bilingual hint, not a traceback.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Sequence
from typing import TextIO

# Django's commands an operator of vanban uses; the rest are listed by name only.
OPERATOR_DJANGO = ("migrate", "showmigrations", "collectstatic", "check", "dbshell", "shell")
NOT_MIGRATED = (
    "Cơ sở dữ liệu tại {home} chưa được khởi tạo: hãy chạy “vanban migrate” trước "
    "(hoặc “vanban demo load”, lệnh này tự khởi tạo).\n"
    "The database at {home} was never set up: run “vanban migrate” first "
    "(or “vanban demo load”, which sets it up itself).\n")


def _help_wanted(args: Sequence[str]) -> bool:
    return not args or list(args) in (["help"], ["--help"], ["-h"])


def _describe(name: str, app: str) -> str:
    """A command's one-line description (its ``help``), or empty when it cannot be loaded."""
    from django.core.management import load_command_class

    try:
        text = str(load_command_class(app, name).help or "")
    except Exception:  # a broken command must not hide the others
        return ""
    return text.strip().splitlines()[0] if text.strip() else ""


def print_help(out: TextIO) -> None:
    """vanban's commands with descriptions; Django's under a separate heading."""
    from django.core.management import get_commands

    commands = get_commands()
    own = sorted(n for n, app in commands.items() if app.startswith("vanban."))
    out.write("Cách dùng / usage: vanban <lệnh / command> [tùy chọn / options]\n"
              "Chi tiết một lệnh / one command's options: vanban help <lệnh / command>\n\n"
              "Lệnh của vanban / vanban's commands:\n")
    width = max(len(n) for n in (*own, *OPERATOR_DJANGO)) + 2
    for name in own:
        out.write(f"  {name:<{width}}{_describe(name, commands[name])}\n")
    out.write("\nLệnh của Django thường dùng / Django's commands an operator uses:\n")
    for name in OPERATOR_DJANGO:
        if name in commands:
            out.write(f"  {name:<{width}}{_describe(name, commands[name])}\n")
    rest = sorted(n for n, app in commands.items()
                  if not app.startswith("vanban.") and n not in OPERATOR_DJANGO)
    out.write("\nLệnh nội bộ khác của Django / Django's other internals:\n")
    out.write(textwrap.fill(", ".join(rest), width=78, initial_indent="  ",
                            subsequent_indent="  ") + "\n")


def never_migrated() -> bool:
    """Whether the database has no applied migration at all (a fresh ``VANBAN_HOME``)."""
    from django.db import DatabaseError, connection
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    try:
        return not recorder.has_table() or not recorder.applied_migrations()
    except DatabaseError:  # an unreachable database is reported by the command itself
        return False


def _run(args: list[str], err: TextIO) -> int:
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["vanban", *args])
    except DatabaseError:
        if not never_migrated():
            raise
        from django.conf import settings

        err.write(NOT_MIGRATED.format(home=settings.VANBAN_HOME))
        return 1
    return 0


def main(argv: list[str] | None = None) -> None:
    """Run a management command with the production-capable settings; everything the process
    creates is private to the service account (umask 0o077, R14.3)."""
    from vanban.core.filemodes import private_umask

    private_umask()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    args = list(sys.argv[1:] if argv is None else argv)
    if _help_wanted(args):
        import django

        django.setup()
        print_help(sys.stdout)
        return
    code = _run(args, sys.stderr)
    if code:
        sys.exit(code)


if __name__ == "__main__":
    main()
