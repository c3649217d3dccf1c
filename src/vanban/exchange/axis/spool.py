"""The spool adapter: edXML files out and in through folders, as SDK-based gateways do.

Layout under the spool root (the gateway owns the other side of each folder)::

    out/<key>.edxml       what we send (beside it <key>.json: from, servicetype, messagetype,
                          seq: the gateway sends in seq order, as the outbox sent them)
    sent/                 where the gateway may move what it has sent (listed by sent_list)
    in/<id>.edxml         what the axis delivered (optional <id>.json: from, servicetype, …)
    done/ failed/         fetched messages, each with <name>.ack (status, reason, time)
    agencies.json|.csv    the national agency list the gateway saved (code, name, parent)
    register/<code>.json  agencies we ask the gateway to register

Crash safety: every file is written under a hidden temporary name in its folder and renamed
with :func:`os.replace` (atomic on one file system), so a reader never sees half a file, and
only complete names (``[A-Za-z0-9]…\\.edxml``) are read: a gateway that writes ``.part``,
``.tmp`` or dot-files is never read mid-write. A message's file is named after its message
id, so a retry overwrites the same file and never duplicates it. An acknowledgement writes the
``.ack`` first, then moves the message: a crash between the two leaves the message in ``in/``,
read again next time and deduplicated by the arrival port.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vanban.core.errors import DomainError
from vanban.directory import national
from vanban.exchange.axis.port import (
    AckStatus,
    AxisRefused,
    AxisUnavailable,
    NationalAgency,
    ReceivedItem,
    SentItem,
    ServiceType,
)

COMPLETE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.edxml$", re.ASCII)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]", re.ASCII)
FOLDERS = ("out", "sent", "in", "done", "failed", "register")


def safe_key(text: str, body: bytes = b"") -> str:
    """A file-name key: the message id with anything unsafe replaced (else the body's hash)."""
    key = _UNSAFE.sub("_", text.strip())[:100].lstrip("._-")
    return key or hashlib.sha256(body).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees it half-written."""
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meta(path: Path) -> dict[str, Any]:
    """The sidecar ``<stem>.json`` of a message, or {} (missing or unreadable)."""
    try:
        data = json.loads(path.with_suffix(".json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class SpoolAxis:
    """The :class:`~vanban.exchange.axis.port.AxisPort` over a spool folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _folder(self, name: str) -> Path:
        """The folder, created when missing; a root that is gone is an outage, not an error
        of the message (an unmounted share comes back)."""
        if not self.root.is_dir():
            raise AxisUnavailable(f"spool folder {self.root} is not available")
        folder = self.root / name
        try:
            folder.mkdir(exist_ok=True)
        except OSError as err:
            raise AxisUnavailable(f"spool folder {folder}: {err.strerror}") from err
        return folder

    def send_edoc(self, body: bytes, *, sender_code: str, service_type: ServiceType,
                  message_type: str, message_id: str = "") -> str:
        key = safe_key(message_id, body)
        out = self._folder("out")
        meta = {"id": key, "from": sender_code, "servicetype": service_type,
                "messagetype": message_type, "time": _now(), "seq": time.time_ns(),
                "sha256": hashlib.sha256(body).hexdigest()}
        try:  # the sidecar first: the .edxml is what the gateway waits for
            write_atomic(out / f"{key}.json", json.dumps(meta, ensure_ascii=False).encode())
            write_atomic(out / f"{key}.edxml", body)
        except OSError as err:
            raise AxisUnavailable(f"cannot write to {out}: {err.strerror}") from err
        return key

    def received_list(self) -> list[ReceivedItem]:
        inbox = self._folder("in")
        items = []
        for path in sorted(inbox.iterdir(), key=lambda p: p.name):
            if not COMPLETE.match(path.name) or not path.is_file():
                continue
            meta = _meta(path)
            items.append(ReceivedItem(
                id=path.name[:-len(".edxml")], sender=str(meta.get("from", "")),
                service_type=str(meta.get("servicetype", "")),
                message_type=str(meta.get("messagetype", "")), time=str(meta.get("time", ""))))
        return items

    def _incoming(self, item_id: str) -> Path:
        name = f"{item_id}.edxml"
        if not COMPLETE.match(name):
            raise AxisRefused(f"not a spool message id: {item_id!r}")
        return self._folder("in") / name

    def get_edoc(self, item_id: str) -> bytes:
        path = self._incoming(item_id)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise AxisRefused(f"no message {item_id} in {path.parent}") from None
        except OSError as err:
            raise AxisUnavailable(f"cannot read {path}: {err.strerror}") from err

    def update_status(self, item_id: str, status: AckStatus, reason: str = "") -> None:
        source = self._incoming(item_id)
        target = self._folder("done" if status == "done" else "failed") / source.name
        ack = {"id": item_id, "status": status, "reason": reason, "time": _now()}
        try:
            write_atomic(target.with_name(source.name + ".ack"),
                         json.dumps(ack, ensure_ascii=False).encode())
            if source.exists():
                os.replace(source, target)
            sidecar = source.with_suffix(".json")
            if sidecar.exists():
                os.replace(sidecar, target.with_suffix(".json"))
        except OSError as err:
            raise AxisUnavailable(f"cannot acknowledge {source}: {err.strerror}") from err

    def sent_list(self) -> list[SentItem]:
        items = []
        for folder, status in (("out", "pending"), ("sent", "sent")):
            for path in sorted(self._folder(folder).glob("*.edxml")):
                if COMPLETE.match(path.name):
                    meta = _meta(path)
                    items.append(SentItem(
                        id=path.name[:-len(".edxml")], status=status,
                        service_type=str(meta.get("servicetype", "")),
                        message_type=str(meta.get("messagetype", "")),
                        time=str(meta.get("time", ""))))
        return items

    def agencies(self) -> list[NationalAgency]:
        self._folder("in")
        for name in ("agencies.json", "agencies.csv"):
            path = self.root / name
            if path.is_file():
                try:
                    entries = national.parse_list(path.read_bytes())
                except OSError as err:
                    raise AxisUnavailable(f"cannot read {path}: {err.strerror}") from err
                except DomainError as err:
                    raise AxisRefused(f"{path}: {err.en}") from err
                return [NationalAgency(code=e.code, name=e.name, parent=e.parent)
                        for e in entries]
        raise AxisUnavailable(f"no agencies.json or agencies.csv in {self.root}")

    def register_agency(self, code: str, name: str, parent: str = "") -> None:
        request = {"code": code, "name": name, "parent": parent, "time": _now()}
        folder = self._folder("register")
        try:
            write_atomic(folder / f"{safe_key(code)}.json",
                         json.dumps(request, ensure_ascii=False).encode())
        except OSError as err:
            raise AxisUnavailable(f"cannot write to {folder}: {err.strerror}") from err
