"""The two axis adapters against the stand-in axis, without a database: the spool (atomic
files, complete names only, acks, retries overwrite) and the REST gateway (outage, refusal,
idempotency key)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from vanban.exchange.axis.http import HttpAxis
from vanban.exchange.axis.port import AxisRefused, AxisUnavailable
from vanban.exchange.axis.spool import SpoolAxis
from vanban.exchange.tests.axis_standin import (
    HttpStandin,
    SpoolStandin,
    StandinAxis,
    ministry_edoc,
)

OURS = "000.00.02.H06"
MINISTRY = "000.00.00.G22"


@pytest.fixture
def axis() -> StandinAxis:
    return StandinAxis(agencies=[{"code": MINISTRY, "name": "Văn phòng Chính phủ",
                                  "parent": ""}])


@pytest.fixture
def gateway(axis: StandinAxis) -> Iterator[HttpStandin]:
    server = HttpStandin(axis, [OURS])
    yield server
    server.stop()


def _http(gateway: HttpStandin, token: str = "") -> HttpAxis:
    return HttpAxis(gateway.url, headers={"X-Axis-Token": token or gateway.axis.token},
                    timeout=5)


def test_spool_sends_atomically_and_a_retry_overwrites(tmp_path: Path,
                                                       axis: StandinAxis) -> None:
    """Issue 10: the file appears under its message id only when complete; sending the same
    message again rewrites that file, so the gateway sends it once."""
    spool = SpoolAxis(tmp_path)
    body = ministry_edoc(sender=OURS, to=[MINISTRY], message_id="m-1")
    for _ in range(2):
        assert spool.send_edoc(body, sender_code=OURS, service_type="eDoc",
                               message_type="edoc", message_id="m-1") == "m-1"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["m-1.edxml", "m-1.json"]
    meta = json.loads((tmp_path / "out" / "m-1.json").read_text())
    assert (meta["from"], meta["servicetype"], meta["messagetype"]) == (OURS, "eDoc", "edoc")
    SpoolStandin(axis, tmp_path, [OURS]).pump()
    assert [h.body for h in axis.for_agency(MINISTRY)] == [body]
    assert [i.status for i in spool.sent_list()] == ["sent"]


def test_spool_reads_only_complete_files_and_acknowledges(tmp_path: Path,
                                                          axis: StandinAxis) -> None:
    """A half-written file (temporary name) is never listed; done and fail leave an ack file
    and move the message out of ``in/``."""
    spool = SpoolAxis(tmp_path)
    gate = SpoolStandin(axis, tmp_path, [OURS])
    first = axis.deliver(ministry_edoc(to=[OURS]))
    second = axis.deliver(ministry_edoc(to=[OURS], number="7817"))
    gate.pump()
    (tmp_path / "in" / ".part-x.edxml").write_bytes(b"<half")
    (tmp_path / "in" / "y.edxml.part").write_bytes(b"<half")
    assert [i.id for i in spool.received_list()] == sorted([first, second])
    assert spool.received_list()[0].sender == MINISTRY
    assert spool.get_edoc(first).startswith(b"<?xml")
    spool.update_status(first, "done")
    spool.update_status(second, "fail", "bad_sender: no")
    assert json.loads((tmp_path / "done" / f"{first}.edxml.ack").read_text())["status"] == "done"
    ack = json.loads((tmp_path / "failed" / f"{second}.edxml.ack").read_text())
    assert ack["reason"] == "bad_sender: no"
    assert spool.received_list() == []
    gate.pump()
    assert [h.status for h in axis.held] == ["done", "fail"]
    with pytest.raises(AxisRefused):
        spool.get_edoc("../etc/passwd")


def test_spool_outage_is_retryable(tmp_path: Path) -> None:
    """A spool root that is gone (unmounted share) is an outage, not a refusal."""
    spool = SpoolAxis(tmp_path / "gone")
    with pytest.raises(AxisUnavailable):
        spool.send_edoc(b"<x/>", sender_code=OURS, service_type="eDoc", message_type="edoc")
    with pytest.raises(AxisUnavailable):
        spool.received_list()


def test_spool_agencies_and_registration(tmp_path: Path) -> None:
    (tmp_path / "agencies.csv").write_text("code,name,parent\nG12,Bộ Tài chính,\n")
    spool = SpoolAxis(tmp_path)
    assert [(a.code, a.name) for a in spool.agencies()] == [("G12", "Bộ Tài chính")]
    spool.register_agency(OURS, "Sở Nội vụ", "000.00.00.H06")
    request = json.loads((tmp_path / "register" / f"{OURS}.json").read_text())
    assert request["parent"] == "000.00.00.H06"


def test_http_operations(gateway: HttpStandin, axis: StandinAxis) -> None:
    """Every SDK operation over the REST shape; the idempotency key dedups a repeat."""
    port = _http(gateway)
    body = ministry_edoc(sender=OURS, to=[MINISTRY])
    sent = [port.send_edoc(body, sender_code=OURS, service_type="eDoc", message_type="edoc",
                           message_id="k-1") for _ in range(2)]
    assert sent[0] == sent[1]
    assert len(axis.for_agency(MINISTRY)) == 1
    incoming = axis.deliver(ministry_edoc(to=[OURS]))
    (item,) = port.received_list()
    assert (item.id, item.sender, item.service_type) == (incoming, MINISTRY, "eDoc")
    assert port.get_edoc(incoming) == axis.for_agency(OURS)[0].body
    port.update_status(incoming, "done")
    assert port.received_list() == []
    assert [s.id for s in port.sent_list()] == [sent[0]]
    assert [a.code for a in port.agencies()] == [MINISTRY]
    port.register_agency(OURS, "Sở Nội vụ")
    assert axis.registered == [{"code": OURS, "name": "Sở Nội vụ", "parent": ""}]


def test_http_outage_and_refusals(gateway: HttpStandin, axis: StandinAxis) -> None:
    """503, a closed port and a bad token are outages (retried); a 413 is a refusal."""
    body = ministry_edoc(sender=OURS, to=[MINISTRY])
    axis.outage = "503"
    with pytest.raises(AxisUnavailable):
        _http(gateway).received_list()
    axis.outage = ""
    gateway.refuse()
    with pytest.raises(AxisUnavailable):
        _http(gateway).send_edoc(body, sender_code=OURS, service_type="eDoc",
                                 message_type="edoc")
    gateway.start()
    with pytest.raises(AxisUnavailable):
        _http(gateway, token="wrong").received_list()
    axis.refuse_sends = 413
    with pytest.raises(AxisRefused):
        _http(gateway).send_edoc(body, sender_code=OURS, service_type="eDoc",
                                 message_type="edoc")
    assert _http(gateway).received_list() == []
