"""Two installations on loopback (R7.1, R7.2, R14.1): each with its own ``VANBAN_HOME`` and
SQLite file, ``vanban serve`` and ``vanban exchange worker`` as real processes. Documents and
statuses go both ways, the peer is stopped and restarted midway (nothing lost), and a repeated
message is acknowledged without being stored twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
VANBAN = str(Path(sys.executable).parent / "vanban")
A_CODES = ("000.00.02.H06", "000.00.03.H06")  # Bắc Giang: Sở Nội vụ, Sở Tài chính
B_CODES = ("000.00.02.H14", "000.00.03.H14")  # Cao Bằng: Sở Nội vụ, Sở Tài chính

MAKE_READY = """
import io
from reportlab.pdfgen import canvas
from vanban.directory.models import Agency
from vanban.registry import services as r
from vanban.exchange import services as x
buf = io.BytesIO(); c = canvas.Canvas(buf); c.drawString(72, 720, "{subject}")
c.showPage(); c.save()
to = [r.RecipientInput(agency=Agency.objects.get(code=code)) for code in {recipients!r}]
d = r.document_create(actor=None, agency=Agency.objects.get(code="{sender}"), type_code="cong_van",
                      subject="{subject}", recipients=to)
d = r.document_register(actor=None, document=d)
r.document_upload(actor=None, document=d, main=[buf.getvalue()], filename="cv.pdf")
d = r.document_mark_ready(actor=None, document=d)
t = x.transmission_send(actor=None, document=d)
print(t.message_id)
"""
SET_STATUS = """
from vanban.exchange import services as x
from vanban.exchange.models import Delivery
d = Delivery.objects.get(transmission__subject="{subject}", recipient__code="{recipient}")
x.delivery_status_set(actor=None, delivery=d, code="{code}", reason="{reason}")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Installation:
    """One vanban installation: its home, port and processes."""

    name: str
    home: Path
    port: int = field(default_factory=_free_port)
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env.update(VANBAN_HOME=str(self.home), VANBAN_INSTALLATION_ID=self.name,
                   VANBAN_TASKS="immediate", VANBAN_EXCHANGE_RETRY_BASE="0.3",
                   VANBAN_EXCHANGE_RETRY_CAP="1.5", VANBAN_EXCHANGE_TIMEOUT="5")
        return env

    def run(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run([VANBAN, *args], cwd=ROOT, env=self.env, capture_output=True,
                                text=True, timeout=timeout, check=False)
        assert result.returncode == 0, f"{self.name} {args}: {result.stderr}{result.stdout}"
        return result.stdout

    def python(self, code: str) -> str:
        return self.run("shell", "-c", code)

    def start_server(self) -> None:
        log = (self.home / "serve.log").open("ab")
        self.server = subprocess.Popen([VANBAN, "serve", "--port", str(self.port)], cwd=ROOT,
                                       env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/accounts/login/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(f"{self.name} did not start")

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(20)
            self.server = None

    def start_worker(self) -> None:
        log = (self.home / "worker.log").open("ab")
        self.worker = subprocess.Popen([VANBAN, "exchange", "worker", "--sleep", "0.2"],
                                       cwd=ROOT, env=self.env, stdout=log,
                                       stderr=subprocess.STDOUT)

    def stop(self) -> None:
        self.stop_server()
        if self.worker is not None:
            self.worker.send_signal(signal.SIGTERM)
            self.worker.wait(20)

    def deliveries(self) -> list[dict[str, Any]]:
        """Read straight from the installation's SQLite file (fast enough to poll)."""
        with sqlite3.connect(f"file:{self.home / 'vanban.sqlite3'}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT d.uid, t.message_id, s.code, r.code, d.state, d.received_at, "
                "(SELECT count(*) FROM evidence_evidencerecord e WHERE e.delivery_id = "
                "substr(d.uid,1,8)||'-'||substr(d.uid,9,4)||'-'||substr(d.uid,13,4)||'-'||"
                "substr(d.uid,17,4)||'-'||substr(d.uid,21)) FROM exchange_delivery d "
                "JOIN exchange_transmission t ON t.id = d.transmission_id "
                "JOIN directory_agency s ON s.id = t.sender_id "
                "JOIN directory_agency r ON r.id = d.recipient_id").fetchall()
        return [{"delivery_id": row[0], "transmission_id": _dashed(row[1]), "sender": row[2],
                 "recipient": row[3], "state": row[4], "received_at": row[5],
                 "evidence_records": row[6]} for row in rows]

    def deliveries_cli(self) -> list[dict[str, Any]]:
        """The same through ``vanban exchange deliveries --json``."""
        return list(json.loads(self.run("exchange", "deliveries", "--json")))


def _dashed(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"


def _directory(path: Path) -> None:
    rows = ["code,name,short_name,parent_code,mailbox,kind,connected",
            "000.00.00.H06,UBND tỉnh Bắc Giang,UBND,,,province,1",
            "000.00.02.H06,Sở Nội vụ Bắc Giang,SNV,000.00.00.H06,,department,1",
            "000.00.03.H06,Sở Tài chính Bắc Giang,STC,000.00.00.H06,,department,1",
            "000.00.00.H14,UBND tỉnh Cao Bằng,UBND,,,province,1",
            "000.00.02.H14,Sở Nội vụ Cao Bằng,SNV,000.00.00.H14,,department,1",
            "000.00.03.H14,Sở Tài chính Cao Bằng,STC,000.00.00.H14,,department,1"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Installation, Installation]]:
    """Bắc Giang (a) and Cao Bằng (b), each knowing the other's agencies and key."""
    a = Installation("bacgiang", tmp_path_factory.mktemp("a"))
    b = Installation("caobang", tmp_path_factory.mktemp("b"))
    directory = tmp_path_factory.mktemp("dir") / "directory.csv"
    _directory(directory)
    for inst in (a, b):
        inst.run("migrate", "--no-input", timeout=300)
        inst.run("directory", "import", str(directory))
        (inst.home / "identity.pem").write_text(
            inst.run("exchange", "identity").split("\n", 1)[1])
    a.run("exchange", "peer", "add", b.name, b.url, str(b.home / "identity.pem"))
    a.run("exchange", "peer", "route", b.name, "000.00.00.H14", *B_CODES)
    b.run("exchange", "peer", "add", a.name, a.url, str(a.home / "identity.pem"))
    b.run("exchange", "peer", "route", a.name, "000.00.00.H06", *A_CODES)
    try:
        for inst in (a, b):
            inst.start_server()
            inst.start_worker()
        yield a, b
    finally:
        a.stop()
        b.stop()


def _wait(check: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.3)


def _by(rows: list[dict[str, Any]], subject_tid: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["transmission_id"] == subject_tid]


def _send(inst: Installation, sender: str, recipients: tuple[str, ...], subject: str) -> str:
    return inst.python(MAKE_READY.format(sender=sender, recipients=recipients,
                                         subject=subject)).strip().splitlines()[-1]


def test_documents_and_statuses_both_ways(pair):
    """R7.1/R14.1: A → B (two agencies) arrives (01 flows back), B accepts (03 flows back);
    B → A arrives and A rejects with a reason (02 flows back)."""
    a, b = pair
    tid = _send(a, A_CODES[0], (B_CODES[0], B_CODES[1], A_CODES[1]), "Cong van lien tinh 1")
    sent = _wait(lambda: [r for r in _by(a.deliveries(), tid) if r["received_at"]]
                 if len([r for r in _by(a.deliveries(), tid) if r["received_at"]]) == 3
                 else None)
    assert {r["recipient"] for r in sent} == {*B_CODES, A_CODES[1]}
    assert {r["state"] for r in sent} == {"01"}
    arrived = [r for r in b.deliveries() if r["sender"] == A_CODES[0]]
    assert sorted(r["recipient"] for r in arrived) == sorted(B_CODES)
    assert all(r["evidence_records"] == 1 for r in arrived)  # received, on B's own log
    b.python(SET_STATUS.format(subject="Cong van lien tinh 1", recipient=B_CODES[0], code="03",
                               reason=""))
    accepted = _wait(lambda: [r for r in _by(a.deliveries(), tid)
                              if r["recipient"] == B_CODES[0] and r["state"] == "03"])
    assert accepted[0]["evidence_records"] == 3  # sent, received, accepted

    back = _send(b, B_CODES[1], (A_CODES[0],), "Cong van tra loi 1")
    _wait(lambda: [r for r in a.deliveries() if r["sender"] == B_CODES[1]])
    a.python(SET_STATUS.format(subject="Cong van tra loi 1", recipient=A_CODES[0], code="02",
                               reason="Khong dung tham quyen"))
    rejected = _wait(lambda: [r for r in _by(b.deliveries(), back) if r["state"] == "02"])
    assert rejected[0]["recipient"] == A_CODES[0]


def test_peer_down_then_back_loses_nothing_and_repeats_are_acknowledged(pair):
    """R14.1: B stopped; A sends three documents (committed locally, retried with back-off);
    B restarted: every one arrives exactly once, and a replayed message is acknowledged."""
    a, b = pair
    b.stop_server()
    tids = [_send(a, A_CODES[0], (B_CODES[0],), f"Khi may chu tat {n}") for n in range(3)]
    time.sleep(2)  # the worker tries and fails at least once
    assert not [r for t in tids for r in _by(a.deliveries(), t) if r["received_at"]]
    b.start_server()
    def arrived() -> list[dict[str, Any]] | None:
        rows = [r for t in tids for r in _by(a.deliveries(), t) if r["state"] == "01"]
        return rows if len(rows) == 3 else None

    done = _wait(arrived, timeout=90)
    assert len(done) == 3
    on_b = [r for r in b.deliveries_cli() if r["sender"] == A_CODES[0]
            and r["recipient"] == B_CODES[0]]
    subjects = b.python("from vanban.exchange.models import Transmission as T; "
                        "print(sorted(T.objects.filter(origin='bacgiang')"
                        ".values_list('subject', flat=True)))")
    assert all(subjects.count(f"Khi may chu tat {n}") == 1 for n in range(3))
    assert len(on_b) >= 3

    replay = a.python(
        "from vanban.exchange.models import OutboxMessage as O; from vanban.exchange.services."
        "outbox import _body; import base64; m = O.objects.filter(kind='edoc', done_at__isnull="
        "False).order_by('-id').first(); print(base64.b64encode(_body(m)).decode())")
    import base64

    body = base64.b64decode(replay.strip().splitlines()[-1])
    signature = a.python(
        "import base64,sys; from vanban.exchange.identity import sign; "
        f"print(sign(base64.b64decode('{base64.b64encode(body).decode()}')))"
    ).strip().splitlines()[-1]
    headers = {"X-Vanban-Installation": a.name, "X-Vanban-Signature": signature,
               "Content-Type": "application/xml"}
    answer = httpx.post(b.url + "/exchange/federation/messages/", content=body, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["duplicate"] is True
    assert len([r for r in b.deliveries() if r["sender"] == A_CODES[0]
                and r["recipient"] == B_CODES[0]]) == len(on_b)

    forged = httpx.post(b.url + "/exchange/federation/messages/", content=body + b" ",
                        headers=headers)
    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith("application/problem+json")


def _audit(inst: Installation, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    """The installation's audit events whose action starts with ``prefix``, oldest first."""
    with sqlite3.connect(f"file:{inst.home / 'vanban.sqlite3'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT action, data FROM audit_auditevent WHERE action LIKE ? "
                          "ORDER BY seq", (prefix + "%",)).fetchall()
    return [(row[0], json.loads(row[1])) for row in rows]


def _signed_by(inst: Installation, body: bytes) -> str:
    """``body`` signed with ``inst``'s own federation key (as its worker would sign it)."""
    import base64

    encoded = base64.b64encode(body).decode()
    return inst.python(
        "import base64; from vanban.exchange.identity import sign; "
        f"print(sign(base64.b64decode('{encoded}')))").strip().splitlines()[-1]


def _edoc_in_the_name_of(sender: str, recipient: str) -> bytes:
    import io
    import uuid
    from datetime import date

    from reportlab.pdfgen import canvas

    from vanban.exchange.core import edxml

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Mao danh")
    page.showPage()
    page.save()
    return edxml.build_edoc(edxml.EdocMessage(
        message_id=str(uuid.uuid4()), sender=edxml.Organisation(organ_id=sender),
        recipients=(edxml.Organisation(organ_id=recipient),), code_number="99",
        code_notation="MD", promulgation_date=date(2026, 3, 2), subject="Mao danh",
        attachments=(edxml.Attachment(content_id="1", name="cv.pdf",
                                      content_type="application/pdf",
                                      data=buffer.getvalue()),)))


def test_peer_cannot_speak_for_the_receivers_own_agencies(pair):
    """R14.3, R4.3: Cao Bằng, with its real key, posts to Bắc Giang a document 'from' Bắc Giang's
    own Sở Tài chính: refused (403, bilingual problem), nothing stored, and audited on Bắc Giang
    with the peer and the claimed sender; the same body with a broken signature is refused
    (401) and audited without its body."""
    a, b = pair
    body = _edoc_in_the_name_of(A_CODES[1], A_CODES[0])
    headers = {"X-Vanban-Installation": b.name, "X-Vanban-Signature": _signed_by(b, body),
               "Content-Type": "application/xml"}
    before = len(a.deliveries())
    answer = httpx.post(a.url + "/exchange/federation/messages/", content=body, headers=headers)
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "federation_sender_not_served"
    assert A_CODES[1] in answer.json()["detail_vi"]
    assert len(a.deliveries()) == before
    denied = _audit(a, "exchange.federation_receive.denied")
    assert [(d["peer"], d["claimed_sender"]) for _, d in denied] == [(b.name, A_CODES[1])]
    headers["X-Vanban-Signature"] = _signed_by(b, body + b" ")
    forged = httpx.post(a.url + "/exchange/federation/messages/", content=body, headers=headers)
    assert forged.status_code == 401
    refused = _audit(a, "exchange.federation_refused")
    assert [(d["installation"], d["reason"]) for _, d in refused] == [(b.name, "bad_signature")]
    assert refused[0][1]["size"] == len(body)
    assert "Mao danh" not in json.dumps(refused[0][1])


def test_logs_verify_on_both_sides(pair):
    """R14.3: after all of the above, each installation's audit chain verifies."""
    for inst in pair:
        result = subprocess.run([VANBAN, "audit", "verify"], cwd=ROOT, env=inst.env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
