"""``vanban trust add ROOT.pem`` and ``vanban trust export``: the trust store (R21.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from vanban.signatures import selectors, services
from vanban.signatures.management.commands._base import SignaturesCommand


class Command(SignaturesCommand):
    help = "Kho CA gốc tin cậy: thêm, xuất PEM / Trust store of root CAs: add, export as PEM."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Tin cậy một CA gốc / trust a root CA")
        add.add_argument("pem", type=Path, help="ROOT.pem")
        sub.add_parser("export", help="In các CA gốc (PEM) / print the trusted roots (PEM)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            root = services.trust_add(actor=None, pem=self.read(options["pem"]))
            self.stdout.write(f"Đã tin cậy / trusted: {root.subject}  sha256={root.fingerprint}")
            return
        for root in selectors.trusted_roots():
            self.stdout.write(root.pem.strip())
