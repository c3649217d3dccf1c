"""``vanban directory import FILE [--dry-run]`` and ``vanban directory list [--json]`` (R1.1)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanban.directory import importer, selectors
from vanban.directory.selectors import AgencyNode


class Command(BaseCommand):
    """Import the province's agencies and units from a file, or list them."""

    help = "Danh bạ cơ quan: nhập từ tệp CSV/JSON hoặc liệt kê. / Agency directory: import, list."

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Two subcommands: import and list."""
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Nhập danh bạ từ tệp CSV hoặc JSON / import a file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true",
                         help="Chỉ kiểm tra, không lưu / validate only, store nothing")
        lst = sub.add_parser("list", help="Liệt kê cơ quan / list agencies")
        lst.add_argument("--json", action="store_true", help="In JSON / print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        """Dispatch to the subcommand."""
        if options["action"] == "import":
            self._import(options["file"], dry_run=options["dry_run"])
        else:
            self._list(as_json=options["json"])

    def _import(self, path: Path, *, dry_run: bool) -> None:
        report = importer.import_file(path, dry_run=dry_run)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"{error.text('vi')}  |  {error.text('en')}")
            raise CommandError(
                f"{len(report.errors)} lỗi, không lưu gì. / {len(report.errors)} error(s), "
                "nothing stored.", returncode=1)
        prefix = "[thử / dry run] " if dry_run else ""
        for key, vi in (("agencies", "Cơ quan"), ("units", "Đơn vị")):
            self.stdout.write(
                f"{prefix}{vi} / {key}: tạo mới / created {report.created[key]}, "
                f"cập nhật / updated {report.updated[key]}, "
                f"không đổi / unchanged {report.unchanged[key]}")

    def _list(self, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(selectors.agency_list_json(), ensure_ascii=False,
                                         indent=2))
            return
        for root in selectors.agency_tree(include_inactive=True):
            self._print_node(root, 0)

    def _print_node(self, node: AgencyNode, depth: int) -> None:
        agency = node.agency
        flags = "" if agency.connected else "  [chưa kết nối / not connected]"
        if not agency.active:
            flags += "  [ngừng hoạt động / inactive]"
        mailbox = f"  <{agency.mailbox}>" if agency.mailbox else ""
        self.stdout.write(f"{'  ' * depth}{agency.code:<15} {agency.short_name:<10} "
                          f"{agency.name}{mailbox}{flags}")
        for child in node.children:
            self._print_node(child, depth + 1)
