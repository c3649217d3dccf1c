"""``vanban exchange worker|identity|peer|deliveries``: the hub's console.

``worker`` carries out the outbox (``--once``: what is due now, then exit) and, about once a
minute, polls every active national-axis peer (``VANBAN_AXIS_POLL_SECONDS``) and rescans files
held in quarantine while the malware scanner was down, so an installation runs one worker;
``identity`` prints this installation's id and public key for the peers' operators;
``peer add ID URL KEY.pem`` registers a peer, ``peer route ID CODE…`` marks agencies as served
by it; ``deliveries --json`` lists deliveries with their state and evidence count.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.db.models import Count

from vanban.core.errors import DomainError
from vanban.exchange import identity, services
from vanban.exchange.axis.adapters import TRANSPORTS
from vanban.exchange.axis.receive import axis_poll
from vanban.exchange.models import Delivery, Peer
from vanban.security.quarantine import quarantine_rescan_if_due


class Command(BaseCommand):
    help = "Trục liên thông: worker, định danh, hệ thống liên thông / exchange hub console."
    # ``vanban serve`` and ``migrate`` run the checks; the worker and scripts start fast.
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        worker = sub.add_parser("worker", help="Chạy worker hộp thư đi / run the outbox worker")
        worker.add_argument("--once", action="store_true",
                            help="xử lý những gì đến hạn rồi thoát / drain what is due, exit")
        worker.add_argument("--batch", type=int, default=100)
        worker.add_argument("--sleep", type=float, default=1.0,
                            help="giây chờ khi rảnh / idle wait in seconds")
        sub.add_parser("identity", help="Mã và khoá công khai / id and public key")
        peer = sub.add_parser("peer", help="Hệ thống liên thông / peers")
        peer_sub = peer.add_subparsers(dest="peer_command", required=True)
        add = peer_sub.add_parser("add", help="Thêm hoặc cập nhật / add or update")
        add.add_argument("installation_id")
        add.add_argument("base_url")
        add.add_argument("public_key", type=Path, help="PEM: khoá công khai hoặc chứng thư")
        add.add_argument("--name", default="")
        route = peer_sub.add_parser("route", help="Cơ quan do hệ thống này phục vụ / agencies")
        route.add_argument("installation_id")
        route.add_argument("codes", nargs="+")
        peer_sub.add_parser("list", help="Danh sách / list")
        deliveries = sub.add_parser("deliveries", help="Các lần gửi / deliveries")
        deliveries.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['subcommand']}")(options)
        except DomainError as err:
            raise CommandError(f"{err.vi} / {err.en}") from err

    def _worker(self, options: dict[str, Any]) -> None:
        stop: list[bool] = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
        batch = max(1, int(options["batch"]))
        last_poll = [float("-inf")]
        while True:
            close_old_connections()
            report = services.outbox_run(batch=batch)
            quarantine_rescan_if_due()  # R16.1: files held while the scanner was down
            self._axis_poll_if_due(last_poll)
            if report.total or report.failed:
                self.stdout.write(f"delivered={report.delivered} sent={report.sent} "
                                  f"failed={report.failed}")
                self.stdout.flush()
            if options["once"] or stop:
                return
            if not report.total:
                time.sleep(float(options["sleep"]))

    def _axis_poll_if_due(self, last: list[float]) -> None:
        """Poll every active axis peer at most every ``VANBAN_AXIS_POLL_SECONDS`` (60): the axis
        only answers when asked, so the worker asks for it (``vanban axis poll`` does it too)."""
        every = float(getattr(settings, "VANBAN_AXIS_POLL_SECONDS", 60))
        now = time.monotonic()
        if now - last[0] < every:
            return
        last[0] = now
        for peer in Peer.objects.filter(transport__in=TRANSPORTS, active=True):
            report = axis_poll(peer)
            if report.listed or report.errors:
                self.stdout.write(f"axis {peer.installation_id}: filed={report.filed} "
                                  f"applied={report.applied} duplicates={report.duplicates} "
                                  f"refused={report.refused} waiting={report.waiting}")
            for error in report.errors:
                self.stderr.write(f"  {error}")

    def _identity(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"installation: {identity.installation_id()}")
        self.stdout.write(identity.public_key_pem(), ending="")

    def _peer(self, options: dict[str, Any]) -> None:
        command = options["peer_command"]
        if command == "add":
            try:
                pem = options["public_key"].read_text()
            except OSError as err:
                raise CommandError(f"Không đọc được tệp khoá / cannot read the key: {err}") \
                    from err
            peer = services.peer_add(actor=None, installation_id=options["installation_id"],
                                     base_url=options["base_url"], public_key_pem=pem,
                                     name=options["name"])
            self.stdout.write(f"Đã cấu hình / configured: {peer.installation_id} {peer.base_url}")
        elif command == "route":
            target = Peer.objects.filter(installation_id=options["installation_id"]).first()
            if target is None:
                raise CommandError("Chưa có hệ thống này / unknown peer")
            changed = services.peer_route(actor=None, peer=target, agency_codes=options["codes"])
            self.stdout.write(f"{changed} cơ quan / agencies → {target.installation_id}")
        else:
            for peer in Peer.objects.all():
                self.stdout.write(f"{peer.installation_id}\t{peer.base_url}\t"
                                  f"{'active' if peer.active else 'inactive'}")

    def _deliveries(self, options: dict[str, Any]) -> None:
        from vanban.evidence.models import EvidenceRecord

        counts = dict(EvidenceRecord.objects.values_list("delivery_id").annotate(n=Count("id"))
                      .values_list("delivery_id", "n"))
        rows = [{"delivery_id": str(d.uid), "transmission_id": str(d.transmission.message_id),
                 "sender": d.transmission.sender.code, "recipient": d.recipient.code,
                 "channel": d.channel, "state": d.state,
                 "sent_at": d.sent_at.isoformat(),
                 "received_at": d.received_at.isoformat() if d.received_at else None,
                 "evidence_records": counts.get(str(d.uid), 0)}
                for d in Delivery.objects.select_related("transmission__sender", "recipient")
                .order_by("id")]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['delivery_id']}  {row['sender']} → {row['recipient']}  "
                              f"{row['state']}  {row['evidence_records']}")
