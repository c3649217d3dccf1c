"""``python -m bench [--database sqlite|postgres] [--events N] [--appends N] [--only NAME]``.

Runs the audit-log, signing, numbering, evidence, verification, exchange, inbox, mail gateway,
scanning, edXML codec, API list, search, document viewer, daily lists and evidence lists
benchmarks (``--only`` picks one).

Creates a throwaway ``VANBAN_HOME`` (and, for PostgreSQL, recreates the ``vanban_bench``
database), applies the migrations, runs the benchmarks and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/vanban_bench"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="events bulk-loaded for the verify benchmark")
    parser.add_argument("--appends", type=int, default=3_000,
                        help="durable appends (and as many plain inserts) timed")
    parser.add_argument("--signatures", type=int, default=200,
                        help="signatures timed (ours and raw pyHanko, interleaved)")
    parser.add_argument("--numbers", type=int, default=3_000,
                        help="register numbers allocated by 8 concurrent writers")
    parser.add_argument("--records", type=int, default=100_000,
                        help="evidence records in the log whose bundle is verified")
    parser.add_argument("--verifications", type=int, default=100,
                        help="signed PDFs verified per size (ours and raw pyHanko, interleaved)")
    parser.add_argument("--scan-files", type=int, default=40,
                        help="PDFs scanned by clamd each way (ours and clamdscan)")
    parser.add_argument("--mail-messages", type=int, default=2000,
                        help="messages in the clerk mailbox the mail gateway files")
    parser.add_argument("--api-documents", type=int, default=1_000_000,
                        help="outgoing documents behind the API list benchmark")
    parser.add_argument("--search-sizes", type=int, nargs="+", default=None,
                        help="outgoing documents the search is timed at, in turn")
    parser.add_argument("--daily-agency", type=int, default=100_000,
                        help="documents of the agency behind the daily lists benchmark")
    parser.add_argument("--daily-total", type=int, default=1_000_000,
                        help="documents in the installation behind the daily lists benchmark")
    parser.add_argument("--dossiers", type=int, default=1_000_000,
                        help="one-stop dossiers behind the portal tracking and statistics")
    parser.add_argument("--only", choices=("verify", "appends", "audit", "signing", "numbering",
                                           "evidence", "verification", "exchange", "inbox",
                                           "scanning", "documents", "edxml", "mail", "api",
                                           "search", "onestop", "viewer", "daily",
                                           "evidence-lists"),
                        default=None)
    return parser.parse_args(argv)


def _recreate_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup(args: argparse.Namespace) -> None:
    home = tempfile.mkdtemp(prefix="vanban-bench-")
    os.environ["VANBAN_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks and print the table."""
    args = _parse(sys.argv[1:] if argv is None else argv)
    _setup(args)
    from bench import (
        api_lists,
        audit_log,
        daily_lists,
        edxml,
        evidence,
        evidence_documents,
        evidence_lists,
        exchange,
        inbox,
        mail_gateway,
        markdown,
        numbering,
        onestop,
        scanning,
        search,
        signing,
        verification,
        viewer,
    )

    started = time.perf_counter()
    results = []
    if args.only in (None, "verify", "appends", "audit"):
        # audit_log.run reads ``only`` as None, "verify" or "appends".
        audit_only = None if args.only == "audit" else args.only
        results += audit_log.run(argparse.Namespace(**{**vars(args), "only": audit_only}))
    runners = [("signing", signing.run), ("numbering", numbering.run),
               ("evidence", evidence.run), ("documents", evidence_documents.run),
               ("verification", verification.run), ("exchange", exchange.run),
               ("inbox", inbox.run), ("mail", mail_gateway.run), ("scanning", scanning.run),
               ("edxml", edxml.run), ("api", api_lists.run), ("search", search.run),
               ("onestop", onestop.run), ("viewer", viewer.run), ("daily", daily_lists.run),
               ("evidence-lists", evidence_lists.run)]
    for name, run in runners:
        if args.only in (None, name):
            results += run(args)
    print()
    print(f"Database: {audit_log.describe_database()} · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPU · {time.perf_counter() - started:.0f} s")
    print()
    print(markdown(results))


if __name__ == "__main__":
    main()
