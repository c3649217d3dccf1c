"""``vanban axis add|route|poll|list|agencies|register|sent``: the national axis connector.

``add ID --spool DIR`` or ``add ID --url URL [--auth-header H --token-env VAR]`` configures
the axis peer; ``route ID CODE…`` marks agencies outside the province as reached through it;
``poll [--peer ID]`` fetches and files what waits on the axis (every axis peer by default;
``--loop`` keeps polling every ``--sleep`` seconds); ``agencies ID`` prints the national list;
``register ID CODE`` registers one of our agencies on the axis; ``sent ID`` lists what the axis
holds as sent by us.
"""

from __future__ import annotations

import json
import signal
import time
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from vanban.core.errors import DomainError
from vanban.directory.models import Agency
from vanban.exchange.axis import peers
from vanban.exchange.axis.adapters import TRANSPORTS, axis_for
from vanban.exchange.axis.port import AxisError
from vanban.exchange.axis.receive import PollReport, axis_poll
from vanban.exchange.models import Peer


class Command(BaseCommand):
    help = "Trục liên thông văn bản quốc gia / the national document exchange axis."
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        add = sub.add_parser("add", help="Cấu hình trục / configure the axis peer")
        add.add_argument("installation_id")
        where = add.add_mutually_exclusive_group(required=True)
        where.add_argument("--spool", default="", help="thư mục trao đổi / spool folder")
        where.add_argument("--url", default="", help="địa chỉ cổng REST / gateway URL")
        add.add_argument("--name", default="")
        add.add_argument("--auth-header", default="")
        add.add_argument("--token-env", default="",
                         help="tên biến chứa khoá / setting or variable holding the token")
        route = sub.add_parser("route", help="Cơ quan qua trục / agencies via the axis")
        route.add_argument("installation_id")
        route.add_argument("codes", nargs="+")
        poll = sub.add_parser("poll", help="Nhận văn bản từ trục / fetch from the axis")
        poll.add_argument("--peer", default="")
        poll.add_argument("--json", action="store_true")
        poll.add_argument("--loop", action="store_true")
        poll.add_argument("--sleep", type=float, default=60.0)
        sub.add_parser("list", help="Các trục / axis peers")
        agencies = sub.add_parser("agencies", help="Danh sách cơ quan / national list")
        agencies.add_argument("installation_id")
        agencies.add_argument("--json", action="store_true")
        register = sub.add_parser("register", help="Đăng ký cơ quan / register an agency")
        register.add_argument("installation_id")
        register.add_argument("code")
        sent = sub.add_parser("sent", help="Đã gửi / sent list")
        sent.add_argument("installation_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['subcommand']}")(options)
        except DomainError as err:
            raise CommandError(f"{err.vi} / {err.en}") from err
        except AxisError as err:
            raise CommandError(f"Trục không trả lời / the axis failed: {err}") from err

    def _add(self, options: dict[str, Any]) -> None:
        peer = peers.axis_add(actor=None, installation_id=options["installation_id"],
                              spool=options["spool"], url=options["url"], name=options["name"],
                              auth_header=options["auth_header"],
                              token_env=options["token_env"])
        self.stdout.write(f"Đã cấu hình / configured: {peer.installation_id} {peer.transport} "
                          f"{json.dumps(peer.settings, ensure_ascii=False)}")

    def _route(self, options: dict[str, Any]) -> None:
        peer = peers.axis_peer(options["installation_id"])
        changed = peers.axis_route(actor=None, peer=peer, agency_codes=options["codes"])
        self.stdout.write(f"{changed} cơ quan / agencies → {peer.installation_id}")

    def _poll(self, options: dict[str, Any]) -> None:
        stop: list[bool] = []
        if options["loop"]:
            signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
        while True:
            if options["loop"]:  # a long-running poller drops connections the server closed
                close_old_connections()
            targets = ([peers.axis_peer(options["peer"])] if options["peer"] else
                       list(Peer.objects.filter(transport__in=TRANSPORTS, active=True)))
            for peer in targets:
                self._print_report(peer, axis_poll(peer), as_json=options["json"])
            if not options["loop"] or stop:
                return
            time.sleep(float(options["sleep"]))

    def _print_report(self, peer: Peer, report: PollReport, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"peer": peer.installation_id, **asdict(report)},
                                         ensure_ascii=False))
        else:
            self.stdout.write(
                f"{peer.installation_id}: listed={report.listed} filed={report.filed} "
                f"applied={report.applied} duplicates={report.duplicates} "
                f"refused={report.refused} waiting={report.waiting}")
            for error in report.errors:
                self.stderr.write(f"  {error}")
        self.stdout.flush()

    def _list(self, options: dict[str, Any]) -> None:
        for peer in Peer.objects.filter(transport__in=TRANSPORTS):
            served = Agency.objects.filter(installation=peer.installation_id).count()
            self.stdout.write(f"{peer.installation_id}\t{peer.transport}\t"
                              f"{json.dumps(peer.settings, ensure_ascii=False)}\t"
                              f"{served} cơ quan / agencies\t"
                              f"{'active' if peer.active else 'inactive'}")

    def _agencies(self, options: dict[str, Any]) -> None:
        items = axis_for(peers.axis_peer(options["installation_id"])).agencies()
        if options["json"]:
            self.stdout.write(json.dumps([asdict(i) for i in items], ensure_ascii=False,
                                         indent=2))
            return
        for item in items:
            self.stdout.write(f"{item.code:<20} {item.parent:<20} {item.name}")

    def _register(self, options: dict[str, Any]) -> None:
        agency = Agency.objects.filter(code=options["code"].strip().upper(),
                                       installation="").first()
        if agency is None:
            raise CommandError("Không có cơ quan này trong tỉnh / no such local agency")
        peers.axis_register(actor=None, peer=peers.axis_peer(options["installation_id"]),
                            agency=agency)
        self.stdout.write(f"Đã đăng ký / registered: {agency.code}")

    def _sent(self, options: dict[str, Any]) -> None:
        for item in axis_for(peers.axis_peer(options["installation_id"])).sent_list():
            self.stdout.write(f"{item.id}\t{item.service_type}\t{item.message_type}\t"
                              f"{item.status}\t{item.time}")
