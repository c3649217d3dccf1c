"""Exchange hub benchmarks (R7.1, R7.2, R14.1), each beside a baseline from the same run.

* fan-out: one document sent to 1,000 agencies of this installation, from ``transmission_send``
  until the worker has put every copy in its inbox, with an evidence record ``sent`` and
  ``received`` and an audit event per delivery. Baseline: plain INSERTs of the same delivery and
  outbox rows and the same UPDATEs to "arrived", with no evidence and no audit.
* federation: a second installation (its own ``VANBAN_HOME``, SQLite, ``vanban serve``) on
  loopback. A burst of documents is sent and drained by one ``vanban exchange worker`` process
  (deliveries/s from the first to the last arrival in the peer's inbox, and per core: the CPU
  seconds the worker and the peer's server spent meanwhile); then documents are sent at a
  steady pace and the time from "sent" (the hub accepted it) to "in the peer's inbox" is
  measured (p50, p95). Baseline: raw HTTP round trips
  of the same signed bodies to the same server, refused at the door (unknown installation), so
  HTTP and the server's own cost without our receiving logic.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from bench import Result

FAN_OUT = 1_000
ROOT = Path(__file__).resolve().parent.parent
VANBAN = str(Path(sys.executable).parent / "vanban")


def _pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, "Benchmark")
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def _agency(code: str, installation: str = "") -> Any:
    from vanban.core import clock
    from vanban.directory.models import Agency

    now = clock.now()
    return Agency.objects.get_or_create(code=code, defaults={
        "name": f"Cơ quan {code}", "short_name": "CQ", "installation": installation,
        "created_at": now, "updated_at": now})[0]


def _ready(sender: Any, recipients: list[Any], subject: str) -> Any:
    from vanban.registry import services as registry

    document = registry.document_create(
        actor=None, agency=sender, type_code="cong_van", subject=subject,
        recipients=[registry.RecipientInput(agency=a) for a in recipients])
    document = registry.document_register(actor=None, document=document)
    registry.document_upload(actor=None, document=document, main=[_pdf()], filename="cv.pdf")
    return registry.document_mark_ready(actor=None, document=document)


# --- fan-out -----------------------------------------------------------------------------------

def _recipients(n: int) -> list[Any]:
    from vanban.core import clock
    from vanban.directory.models import Agency

    now = clock.now()
    Agency.objects.bulk_create([
        Agency(code=f"{i // 100:03d}.{i % 100:02d}.55.H98", name=f"Cơ quan nhận {i}",
               short_name="CQ", created_at=now, updated_at=now) for i in range(n)],
        ignore_conflicts=True)
    return list(Agency.objects.filter(code__endswith=".55.H98").order_by("code"))


def _fan_out_once(sender: Any, recipients: list[Any], n: int) -> float:
    from vanban.exchange import services

    document = _ready(sender, recipients, f"Fan-out {n}")
    started = time.perf_counter()
    services.transmission_send(actor=None, document=document)
    services.outbox_run(batch=200)
    return time.perf_counter() - started


def _plain_once(sender: Any, recipients: list[Any], n: int) -> float:
    """The same delivery and outbox rows, inserted and updated with no evidence and no audit."""
    from vanban.core import clock
    from vanban.exchange.models import Delivery, OutboxMessage, Transmission

    started = time.perf_counter()
    with transaction.atomic():
        now = clock.now()
        transmission = Transmission.objects.create(
            sender=sender, edxml_document_id=f"plain-{n}", subject="plain", file_sha256="0" * 64,
            sent_at=now)
        deliveries = Delivery.objects.bulk_create([
            Delivery(transmission=transmission, recipient=a, channel="internal", sent_at=now)
            for a in recipients])
        OutboxMessage.objects.bulk_create([
            OutboxMessage(kind="internal", delivery=d, created_at=now, next_attempt_at=now)
            for d in deliveries])
    ids = [d.pk for d in deliveries]
    for start in range(0, len(ids), 200):
        with transaction.atomic():
            chunk = ids[start:start + 200]
            Delivery.objects.filter(pk__in=chunk).update(state="01", received_at=clock.now())
            OutboxMessage.objects.filter(delivery_id__in=chunk).update(done_at=clock.now())
    return time.perf_counter() - started


def fan_out(rounds: int = 3) -> list[Result]:
    """One document to 1,000 agencies (median of ``rounds``), beside plain inserts."""
    sender = _agency("000.00.50.H98")
    recipients = _recipients(FAN_OUT)
    ours, plain = [], []
    for n in range(rounds):
        plain.append(_plain_once(sender, recipients, n))
        ours.append(_fan_out_once(sender, recipients, n))
    ours_s, plain_s = statistics.median(ours), statistics.median(plain)
    print(f"fan-out to {FAN_OUT}: ours {ours_s:.2f} s (runs {', '.join(f'{x:.2f}' for x in ours)})"
          f", plain inserts {plain_s:.2f} s")
    return [Result(f"fan-out 1 → {FAN_OUT} with evidence ({ours_s:.2f} s)", FAN_OUT / ours_s,
                   "deliveries/s", "plain inserts, no evidence", FAN_OUT / plain_s,
                   f"< 2 s ({FAN_OUT / 2:.0f}/s)")]


# --- federation --------------------------------------------------------------------------------

class Peer:
    """The second installation, as subprocesses."""

    def __init__(self) -> None:
        import socket

        self.home = Path(tempfile.mkdtemp(prefix="vanban-bench-peer-"))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        # The peer's 01 statuses would go back to an address nobody serves in this benchmark:
        # its own wake-up (in-process with the embedded task backend) is turned off.
        self.env.update(VANBAN_HOME=str(self.home), VANBAN_INSTALLATION_ID="bench-peer",
                        VANBAN_EXCHANGE_WAKE="0")
        self.server: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str) -> str:
        done = subprocess.run([VANBAN, *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=600, check=True)
        return done.stdout

    def start(self) -> None:
        import httpx

        self.server = subprocess.Popen(
            [VANBAN, "serve", "--port", str(self.port), "--threads", "4"], cwd=ROOT,
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                httpx.get(self.url + "/accounts/login/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("peer did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(30)

    def inbox_times(self) -> dict[str, datetime]:
        """Origin message id → when it was stored in the peer's inbox."""
        from django.utils.dateparse import parse_datetime

        with sqlite3.connect(f"file:{self.home / 'vanban.sqlite3'}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT t.origin_message_id, d.received_at FROM exchange_delivery d "
                              "JOIN exchange_transmission t ON t.id = d.transmission_id").fetchall()
        out: dict[str, datetime] = {}
        for key, at in rows:
            parsed = parse_datetime(at) if at else None
            if parsed is not None:  # SQLite keeps UTC without an offset
                out[key] = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return out


def _set_up_federation(peer: Peer) -> tuple[Any, Any]:
    from vanban.exchange import identity
    from vanban.exchange.models import Peer as PeerRow

    peer.run("migrate", "--no-input", "-v", "0")
    csv = peer.home / "dir.csv"
    csv.write_text("code,name,short_name,parent_code,mailbox,kind,connected\n"
                   "000.00.60.H98,Bên gửi,BG,,,department,1\n"
                   "000.00.61.H14,Bên nhận,BN,,,department,1\n", encoding="utf-8")
    peer.run("directory", "import", str(csv))
    (peer.home / "ours.pem").write_text(identity.public_key_pem())
    peer.run("exchange", "peer", "add", identity.installation_id(), "http://127.0.0.1:9",
             str(peer.home / "ours.pem"))
    peer.run("exchange", "peer", "route", identity.installation_id(), "000.00.60.H98")
    theirs = peer.run("exchange", "identity").split("\n", 1)[1]
    from vanban.core import clock

    now = clock.now()
    PeerRow.objects.update_or_create(installation_id="bench-peer", defaults={
        "base_url": peer.url, "public_key_pem": theirs, "created_at": now, "updated_at": now})
    return _agency("000.00.60.H98"), _agency("000.00.61.H14", installation="bench-peer")


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([VANBAN, "exchange", "worker", "--sleep", "0.05"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _send_all(documents: list[Any], pace: float = 0.0) -> dict[str, datetime]:
    """Send each document; returns outbox message id → time sent."""
    from vanban.exchange import services

    sent: dict[str, datetime] = {}
    for document in documents:
        transmission = services.transmission_send(actor=None, document=document)
        for message in transmission.deliveries.get().outbox.all():
            sent[str(message.uid)] = transmission.sent_at
        if pace:
            time.sleep(pace)
    return sent


def _wait_for(peer: Peer, keys: set[str], timeout: float = 600) -> dict[str, datetime]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        times = peer.inbox_times()
        if keys <= times.keys():
            return times
        time.sleep(0.05)
    raise RuntimeError("deliveries did not all arrive")


def _cpu_seconds(*pids: int) -> float:
    """User + system CPU time so far of these processes (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _burst(peer: Peer, keys: set[str], pids: list[int]) -> tuple[float, float]:
    """Wait for the burst; (deliveries/s first to last arrival, deliveries per CPU second of
    the worker and the peer's server between the first and the last arrival)."""
    deadline = time.monotonic() + 600
    first: tuple[int, float] | None = None
    while time.monotonic() < deadline:
        times = peer.inbox_times()
        arrived = keys & times.keys()
        if arrived and first is None:
            first = (len(arrived), _cpu_seconds(*pids))
        if arrived == keys and first is not None:
            cpu = _cpu_seconds(*pids) - first[1]
            stamps = sorted(times[k] for k in keys)
            span = max((stamps[-1] - stamps[0]).total_seconds(), 1e-6)
            return (len(keys) - 1) / span, (len(keys) - first[0]) / max(cpu, 1e-6)
        time.sleep(0.05)
    raise RuntimeError("deliveries did not all arrive")


def _raw_round_trips(peer: Peer, documents: int) -> float:
    """Signed bodies of the same size posted to the same server, refused at the door."""
    import httpx

    from vanban.exchange import identity

    body = (b"<edXML>" + b"A" * 2000 + b"</edXML>")
    headers = {**identity.installation_headers(body), identity.HEADER_INSTALLATION: "nobody"}
    with httpx.Client() as client:
        started = time.perf_counter()
        for _ in range(documents):
            client.post(peer.url + "/exchange/federation/messages/", content=body,
                        headers=headers)
        return documents / (time.perf_counter() - started)


def federation(burst: int = 150, paced: int = 40, pace: float = 0.1) -> list[Result]:
    """Burst throughput and paced latency to a second installation on loopback."""
    peer = Peer()
    worker = None
    os.environ["VANBAN_EXCHANGE_WAKE"] = "0"  # only the worker process delivers
    try:
        sender, recipient = _set_up_federation(peer)
        peer.start()
        documents = [_ready(sender, [recipient], f"Liên thông {n}") for n in range(burst + paced)]
        sent = _send_all(documents[:burst])
        started = time.perf_counter()
        worker = _worker(dict(os.environ))
        assert peer.server is not None  # noqa: S101 - started above
        # The steady rate, first to last arrival in the peer's inbox (the worker process's
        # start-up, about a second of imports, is not delivery work), and per CPU second.
        rate, per_core = _burst(peer, set(sent), [worker.pid, peer.server.pid])
        wall_rate = burst / (time.perf_counter() - started)
        paced_sent = _send_all(documents[burst:], pace=pace)
        arrived = _wait_for(peer, set(paced_sent))
        latencies = sorted((arrived[k] - at).total_seconds() for k, at in paced_sent.items())
        p50 = statistics.median(latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        raw = _raw_round_trips(peer, burst)
    finally:
        os.environ.pop("VANBAN_EXCHANGE_WAKE", None)
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
        peer.stop()
    print(f"federation: burst {burst} at {rate:.1f}/s first to last arrival "
          f"({wall_rate:.1f}/s counting the worker's start-up), {per_core:.1f} per CPU second "
          f"of worker + peer server; paced {paced} at {1 / pace:.0f}/s: "
          f"send-to-inbox p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; raw {raw:.0f}/s")
    return [
        Result(f"federated deliveries, 1 worker (burst of {burst}, first to last arrival; "
               f"{wall_rate:.0f}/s with the worker's start-up)", rate, "deliveries/s",
               "raw signed HTTP round trips", raw, "—"),
        Result("federated deliveries per CPU second (worker + peer server)", per_core,
               "deliveries/s/core", target="≥ 30/s per core"),
        Result(f"send-to-inbox p95 at {1 / pace:.0f}/s ({p95 * 1000:.0f} ms; "
               f"p50 {p50 * 1000:.0f} ms)", p95 * 1000, "ms", target="≤ 5,000 ms"),
    ]


def run(args: argparse.Namespace) -> list[Result]:
    """Both benchmarks."""
    return [*fan_out(), *federation()]


if __name__ == "__main__":
    from bench.__main__ import _setup

    _setup(argparse.Namespace(database=os.environ.get("BENCH_DATABASE", "sqlite")))
    from bench import markdown

    print(markdown(run(argparse.Namespace())))
