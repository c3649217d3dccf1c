"""edXML codec benchmark (R14.1, issue 10): a ~10 MB message with 5 attachments, each zipped
as the SDK does, parsed and built by our codec beside plain ``lxml.etree.fromstring`` (and
``etree.tostring`` for building) of the same bytes in the same run; peak memory as a multiple
of the message size.

Peak memory is measured two ways: ``tracemalloc`` (Python's heap: the decoded attachments and
every copy our code makes) and, in a fresh process each, the growth of the resident set (which
also counts libxml2's tree, invisible to ``tracemalloc``), for our parse and for plain lxml.
Target: peak below 3× the message size.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from bench import Result

ATTACHMENTS = 5
ATTACHMENT_BYTES = 1_500_000  # 5 × 1.5 MB → about 10 MB of base64
ROOT = Path(__file__).resolve().parent.parent


def message_bytes() -> bytes:
    """The benchmark message: SDK layout, 5 zipped attachments of incompressible content."""
    from vanban.exchange.core.edxml import (
        Attachment,
        EdocMessage,
        Organisation,
        TraceHop,
        build_edoc,
    )
    from vanban.exchange.core.xmlsafe import VN_TZ

    files = tuple(Attachment(content_id=str(n), name=f"tep-{n}.pdf",
                             content_type="application/zip", manifest_type="application/pdf",
                             data=b"%PDF-1.7\n" + os.urandom(ATTACHMENT_BYTES), zipped=True)
                  for n in range(1, ATTACHMENTS + 1))
    message = EdocMessage(
        message_id="bench-1", sender=Organisation(organ_id="000.00.00.G22", name="VPCP"),
        recipients=(Organisation(organ_id="000.00.01.H06", name="Sở TT&TT"),),
        code_number="1234", code_notation="VPCP-TTĐT", promulgation_date=date(2025, 10, 20),
        subject="Văn bản đo hiệu năng", trace=(TraceHop("000.00.00.G22", datetime(
            2025, 10, 20, 9, 0, tzinfo=VN_TZ)),), attachments=files)
    return build_edoc(message)


def _rates(ours: Callable[[], object], base: Callable[[], object],
           rounds: int) -> tuple[float, float]:
    """Calls per second of each, interleaved call by call so that load affects both alike."""
    spent = [0.0, 0.0]
    for _ in range(rounds):
        for n, work in enumerate((ours, base)):
            started = time.perf_counter()
            work()
            spent[n] += time.perf_counter() - started
    return rounds / spent[0], rounds / spent[1]


def _traced_peak(work: Callable[[], object]) -> int:
    """Peak Python-heap bytes allocated while ``work`` runs (its result kept until the end)."""
    gc.collect()
    tracemalloc.start()
    try:
        kept = work()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del kept
    return peak


def _status(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0


def rss_growth(path: str, mode: str) -> int:
    """In this (fresh) process: peak resident-set growth in bytes while parsing the file (the
    peak is reset first through ``/proc/self/clear_refs``, so reading the file is not counted).
    """
    from lxml import etree

    from vanban.exchange.core.edxml import parse_edoc

    data = Path(path).read_bytes()
    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")
    before = _status("VmRSS")
    if mode == "ours":
        kept: object = parse_edoc(data)
    else:
        kept = etree.fromstring(data, etree.XMLParser(huge_tree=True))
    peak = _status("VmHWM")
    del kept
    return peak - before


def _rss_in_child(path: str, mode: str) -> int:
    code = ("import sys; from bench.edxml import rss_growth; "
            "print(rss_growth(sys.argv[1], sys.argv[2]))")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"}
    done = subprocess.run([sys.executable, "-c", code, path, mode], capture_output=True,
                          text=True, check=True, timeout=300, env=env)
    return int(done.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> list[Result]:
    """Parse and build rates beside plain lxml; peak memory against the message size."""
    from lxml import etree

    from vanban.exchange.core.edxml import build_edoc, parse_edoc

    rounds = int(getattr(args, "edxml_rounds", 10) or 10)
    data = message_bytes()
    size_mb = len(data) / 1e6
    parsed = parse_edoc(data)
    huge = etree.XMLParser(huge_tree=True)
    tree = etree.fromstring(data, huge)
    parse, plain = _rates(lambda: parse_edoc(data), lambda: etree.fromstring(data, huge),
                          rounds)
    build, plain_out = _rates(lambda: build_edoc(parsed),
                              lambda: etree.tostring(tree, encoding="UTF-8"), rounds)
    unzipped = replace(parsed, attachments=tuple(replace(a, zipped=False)
                                                 for a in parsed.attachments))
    build_plain, plain_out2 = _rates(lambda: build_edoc(unzipped),
                                     lambda: etree.tostring(tree, encoding="UTF-8"), rounds)
    peak_parse = _traced_peak(lambda: parse_edoc(data)) / 1e6
    peak_build = _traced_peak(lambda: build_edoc(parsed)) / 1e6
    with tempfile.NamedTemporaryFile(suffix=".edxml", delete=False) as handle:
        handle.write(data)
    try:
        rss_ours = _rss_in_child(handle.name, "ours") / 1e6
        rss_lxml = _rss_in_child(handle.name, "lxml") / 1e6
    finally:
        os.unlink(handle.name)
    label = f"{size_mb:.1f} MB, {ATTACHMENTS} zipped attachments"
    return [
        Result(f"edXML parse ({label})", parse * size_mb, "MB/s",
               "lxml.etree.fromstring, same bytes", plain * size_mb),
        Result(f"edXML build ({label})", build * size_mb, "MB/s",
               "lxml.etree.tostring of the parsed tree", plain_out * size_mb),
        Result("edXML build, same attachments not zipped", build_plain * size_mb, "MB/s",
               "lxml.etree.tostring of the parsed tree", plain_out2 * size_mb),
        Result("edXML parse peak, tracemalloc (Python heap)", peak_parse, "MB",
               "message size", size_mb, "< 3× message"),
        Result("edXML build peak, tracemalloc (Python heap)", peak_build, "MB",
               "message size", size_mb, "< 3× message"),
        Result("edXML parse, resident-set growth (fresh process)", rss_ours, "MB",
               "message size", size_mb, "< 3× message"),
        Result("plain lxml parse, resident-set growth (fresh process)", rss_lxml, "MB",
               "message size", size_mb),
    ]
