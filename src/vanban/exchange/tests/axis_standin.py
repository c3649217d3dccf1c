"""A stand-in national axis for the tests: a loopback HTTP gateway (threaded) speaking the REST
shape of :mod:`vanban.exchange.axis.http`, and a spool gateway moving files through the
folders of :mod:`vanban.exchange.axis.spool`. It holds messages per agency code, routes what it
is sent (a document to its ``To`` agencies, a status to the agency of its ``ResponseFor``),
and has switches for an outage (503, or the connection refused) and for delivering the same
message again."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from vanban.exchange.axis.spool import COMPLETE, write_atomic
from vanban.exchange.core import edxml
from vanban.exchange.core.status import StatusMessage


@dataclass
class Held:
    """One message on the stand-in axis."""

    id: str
    to: str
    sender: str
    service_type: str
    message_type: str
    body: bytes
    time: str
    status: str = ""      # "", "done", "fail"
    reason: str = ""
    fetched: int = 0
    redelivered: bool = False


@dataclass
class StandinAxis:
    """The axis: agencies, messages per recipient code, idempotency keys, switches."""

    token: str = "axis-secret"
    agencies: list[dict[str, str]] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)   # Idempotency-Key → axis id
    registered: list[dict[str, str]] = field(default_factory=list)
    outage: str = ""          # "", "503" (HTTP) — see HttpStandin.refuse for a closed port
    duplicate: bool = False   # deliver every acknowledged message a second time
    refuse_sends: int = 0     # answer every sendEdoc with this HTTP status (e.g. 413)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what a member system does -------------------------------------------------------
    def submit(self, body: bytes, *, sender: str, service_type: str, message_type: str,
               key: str = "", to: list[str] | None = None) -> str:
        """``sendEdoc``: route the message to its recipients (``to``: where the test says); a
        known key is not sent again."""
        with self.lock:
            if key and key in self.keys:
                return self.keys[key]
        targets = to if to is not None else _targets(body)
        axis_id = str(uuid.uuid4())
        now = datetime.now(UTC).strftime("%Y/%m/%d %H:%M:%S")
        with self.lock:
            for n, code in enumerate(targets):
                self.held.append(Held(id=axis_id if n == 0 else f"{axis_id}-{n}", to=code,
                                      sender=sender, service_type=service_type,
                                      message_type=message_type, body=body, time=now))
            if key:
                self.keys[key] = axis_id
        return axis_id

    def waiting(self, codes: Iterable[str]) -> list[Held]:
        """``getReceivedEdocList`` for a system serving ``codes``."""
        wanted = {c.upper() for c in codes}
        with self.lock:
            items = [h for h in self.held if h.to.upper() in wanted and not h.status]
            if self.duplicate:
                again = [h for h in self.held
                         if h.to.upper() in wanted and h.status and not h.redelivered]
                for held in again:
                    held.status, held.redelivered = "", True
                items += again
        return items

    def find(self, axis_id: str) -> Held | None:
        with self.lock:
            return next((h for h in self.held if h.id == axis_id), None)

    def ack(self, axis_id: str, status: str, reason: str) -> bool:
        held = self.find(axis_id)
        if held is None:
            return False
        held.status, held.reason = status, reason
        return True

    # --- what the tests look at ----------------------------------------------------------
    def for_agency(self, code: str) -> list[Held]:
        """Everything addressed to ``code`` (what the ministry would read)."""
        with self.lock:
            return [h for h in self.held if h.to.upper() == code.upper()]

    def deliver(self, body: bytes, *, service_type: str = "eDoc",
                message_type: str = "edoc") -> str:
        """A ministry sends ``body`` through the axis (the sender is the message's From)."""
        return self.submit(body, sender=edxml.parse_message(body).sender.organ_id,
                           service_type=service_type, message_type=message_type)


def _targets(body: bytes) -> list[str]:
    """Where the axis routes a message: a document to its To agencies, a status to the
    agency that issued the document it reports on."""
    message = edxml.parse_message(body)
    if isinstance(message, StatusMessage):
        return [message.response_for.organ_id]
    return [o.organ_id for o in message.recipients if o.organ_id]


# ---------------------------------------------------------------- HTTP gateway


class HttpStandin:
    """The axis's REST gateway on 127.0.0.1 for a member system serving ``codes``."""

    def __init__(self, axis: StandinAxis, codes: Iterable[str]) -> None:
        self.axis = axis
        self.codes = list(codes)
        self.requests: list[tuple[str, str]] = []
        self.server: ThreadingHTTPServer | None = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def refuse(self) -> None:
        """Close the port: connections are refused until :meth:`start`."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def stop(self) -> None:
        self.refuse()


def _handler(gateway: HttpStandin) -> type[BaseHTTPRequestHandler]:
    axis = gateway.axis

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, payload: Any = None, raw: bytes | None = None) -> None:
            data = raw if raw is not None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml" if raw is not None
                             else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _guard(self) -> bool:
            gateway.requests.append((self.command, self.path))
            if axis.outage == "503":
                self._body()
                self._send(503, {"error": "maintenance"})
                return False
            if self.headers.get("X-Axis-Token") != axis.token:
                self._body()
                self._send(401, {"error": "bad token"})
                return False
            return True

        def do_GET(self) -> None:
            if not self._guard():
                return
            path = self.path.removeprefix("/api")
            if path == "/edocs/received":
                self._send(200, [{"id": h.id, "from": h.sender, "service_type": h.service_type,
                                  "message_type": h.message_type, "time": h.time}
                                 for h in axis.waiting(gateway.codes)])
            elif path == "/edocs/sent":
                self._send(200, [{"id": h.id, "service_type": h.service_type,
                                  "message_type": h.message_type, "status": h.status,
                                  "time": h.time} for h in axis.held
                                 if h.sender.upper() in {c.upper() for c in gateway.codes}])
            elif path == "/agencies":
                self._send(200, axis.agencies)
            elif path.startswith("/edocs/"):
                held = axis.find(unquote(path.removeprefix("/edocs/")))
                if held is None:
                    self._send(404, {"error": "no such message"})
                else:
                    held.fetched += 1
                    self._send(200, raw=held.body)
            else:
                self._send(404, {"error": "no such path"})

        def do_POST(self) -> None:
            if not self._guard():
                return
            path = self.path.removeprefix("/api")
            body = self._body()
            if path == "/edocs" and axis.refuse_sends:
                self._send(axis.refuse_sends, {"error": "refused"})
            elif path == "/edocs":
                try:
                    axis_id = axis.submit(
                        body, sender=self.headers.get("X-Axis-From", ""),
                        service_type=self.headers.get("X-Axis-Service-Type", ""),
                        message_type=self.headers.get("X-Axis-Message-Type", ""),
                        key=self.headers.get("Idempotency-Key", ""))
                except Exception as err:  # a message the axis cannot read: refused
                    self._send(400, {"error": str(err)})
                    return
                self._send(201, {"id": axis_id})
            elif path.startswith("/edocs/") and path.endswith("/status"):
                request = json.loads(body or b"{}")
                found = axis.ack(unquote(path[len("/edocs/"):-len("/status")]),
                                 str(request.get("status")), str(request.get("reason", "")))
                self._send(200 if found else 404, {"ok": found})
            elif path == "/agencies":
                axis.registered.append(json.loads(body))
                self._send(201, {"ok": True})
            else:
                self._send(404, {"error": "no such path"})

    return Handler


# ---------------------------------------------------------------- spool gateway


class SpoolStandin:
    """The gateway on the other side of a spool folder, for a system serving ``codes``."""

    def __init__(self, axis: StandinAxis, root: Path, codes: Iterable[str]) -> None:
        self.axis = axis
        self.root = root
        self.codes = list(codes)
        for name in ("out", "sent", "in", "done", "failed", "register"):
            (root / name).mkdir(parents=True, exist_ok=True)

    def pump(self) -> None:
        """Take what was written to ``out/``, read the acknowledgements, fill ``in/``."""
        ready = [(json.loads(p.with_suffix(".json").read_text("utf-8")), p)
                 for p in (self.root / "out").iterdir() if COMPLETE.match(p.name)]
        for meta, path in sorted(ready, key=lambda item: int(item[0]["seq"])):
            self.axis.submit(path.read_bytes(), sender=meta["from"],
                             service_type=meta["servicetype"], message_type=meta["messagetype"],
                             key=meta["id"])
            os.replace(path, self.root / "sent" / path.name)
            os.replace(path.with_suffix(".json"), self.root / "sent" / f"{path.stem}.json")
        for folder in ("done", "failed"):
            for ack in (self.root / folder).glob("*.ack"):
                data = json.loads(ack.read_text("utf-8"))
                held = self.axis.find(data["id"])
                if held is not None and not held.status:
                    self.axis.ack(data["id"], data["status"], data.get("reason", ""))
        for held in self.axis.waiting(self.codes):
            target = self.root / "in" / f"{held.id}.edxml"
            if not target.exists():
                write_atomic(target.with_suffix(".json"), json.dumps(
                    {"from": held.sender, "servicetype": held.service_type,
                     "messagetype": held.message_type, "time": held.time}).encode())
                write_atomic(target, held.body)
                held.fetched += 1


# ---------------------------------------------------------------- messages a ministry sends


def ministry_edoc(*, sender: str = "000.00.00.G22", sender_name: str = "Văn phòng Chính phủ",
                  to: Iterable[str], number: str = "7816", notation: str = "VPCP-TTĐT",
                  subject: str = "Về việc triển khai trục liên thông văn bản quốc gia",
                  files: Iterable[tuple[str, bytes]] = (), zipped: bool = True,
                  message_id: str = "", revoke_of: str = "") -> bytes:
    """An edXML document as an SDK-based system sends it: each attachment in a one-entry zip
    (declared ``application/zip``), no vanban message id unless given."""
    from datetime import date

    from vanban.exchange.core.attachments import Attachment
    from vanban.exchange.core.trace import Business, BusinessType

    issued = date(2026, 11, 30)
    attachments = tuple(
        Attachment(content_id=str(n), name=name, data=data, zipped=zipped,
                   content_type="application/zip" if zipped else
                   ("application/pdf" if name.endswith(".pdf") else "application/msword"))
        for n, (name, data) in enumerate(files, 1))
    business = Business(type=BusinessType.REVOKE, reason="Thu hồi văn bản",
                        document_id=revoke_of) if revoke_of else Business()
    message = edxml.EdocMessage(
        message_id=message_id or str(uuid.uuid4()),
        sender=edxml.Organisation(organ_id=sender, name=sender_name),
        recipients=tuple(edxml.Organisation(organ_id=code, name=code) for code in to),
        code_number=number, code_notation=notation, promulgation_date=issued,
        subject=subject, type_name="Công văn", content=subject, promulgation_place="Hà Nội",
        document_id=edxml.make_document_id(sender, issued, number, notation),
        business=business, attachments=attachments)
    return edxml.build_edoc(message)


def ministry_status(*, document_id: str, issuer: str, reporter: str = "000.00.00.G22",
                    code: str = "03", description: str = "") -> bytes:
    """A status the ministry's system sends about a document we sent it."""
    from vanban.exchange.core.organisation import ResponseFor
    from vanban.exchange.core.status import StatusCode, build_status

    _organ, day, number = document_id.split(",", 2)
    return build_status(StatusMessage(
        message_id=str(uuid.uuid4()),
        response_for=ResponseFor(organ_id=issuer, code=number,
                                 promulgation_date=datetime.strptime(day, "%Y/%m/%d").date(),
                                 document_id=document_id),
        sender=edxml.Organisation(organ_id=reporter, name="Văn phòng Chính phủ"),
        status_code=StatusCode(code), timestamp=datetime.now(UTC), description=description))
