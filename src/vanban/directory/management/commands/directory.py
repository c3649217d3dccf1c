"""``vanban directory import FILE [--dry-run]``, ``vanban directory list [--json]`` (R1.1) and
``vanban directory national-import FILE --peer ID | --axis ID [--dry-run]`` (the national list)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanban.core.errors import DomainError
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
        nat = sub.add_parser("national-import",
                             help="Nhập danh sách cơ quan quốc gia / import the national list")
        nat.add_argument("file", type=Path, nargs="?")
        nat.add_argument("--axis", default="", help="mã trục / the axis peer's id")
        nat.add_argument("--peer", default="",
                         help="trục phục vụ cơ quan mới (khi nhập từ tệp) / axis peer serving "
                              "new agencies (file import)")
        nat.add_argument("--dry-run", action="store_true")
        lst = sub.add_parser("list", help="Liệt kê cơ quan / list agencies")
        lst.add_argument("--json", action="store_true", help="In JSON / print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        """Dispatch to the subcommand."""
        if options["action"] == "import":
            self._import(options["file"], dry_run=options["dry_run"])
        elif options["action"] == "national-import":
            self._national(options)
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

    def _national(self, options: dict[str, Any]) -> None:
        from vanban.directory import national

        peer = options["axis"] or options["peer"]
        if not peer or (options["file"] is None) == (not options["axis"]):
            raise CommandError("Cần FILE --peer ID hoặc --axis ID / give FILE --peer ID or "
                               "--axis ID", returncode=2)
        try:
            if options["axis"]:
                entries = national.fetch("axis", options["axis"])
            else:
                entries = national.parse_list(options["file"].read_bytes())
            report = national.national_import(
                actor=None, entries=entries, installation=peer, dry_run=options["dry_run"],
                source="axis" if options["axis"] else "file")
        except OSError as err:
            raise CommandError(f"Không đọc được tệp / cannot read the file: {err}") from err
        except DomainError as err:
            raise CommandError(f"{err.vi} / {err.en}", returncode=1) from err
        for line in report.conflicts + report.skipped:
            self.stderr.write(line)
        prefix = "[thử / dry run] " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}tạo mới / created {len(report.created)}, cập nhật / updated "
            f"{len(report.updated)}, không đổi / unchanged {report.unchanged}, xung đột / "
            f"conflicts {len(report.conflicts)}, bỏ qua / skipped {len(report.skipped)}")

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
