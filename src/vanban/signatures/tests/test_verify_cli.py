"""``vanban pdf verify FILE --sender CODE [--json]`` (R4.2, R4.3): checks, verdict, exit codes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.signatures import services
from vanban.signatures.tests.conftest import make_pdf


def run(*args: str) -> tuple[int, str]:
    """Run the command; return its exit code and what it printed."""
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_verify_valid_prints_json_and_exits_0(issued, agency, tmp_path):
    """R4.2, R4.3: a valid document: every check in JSON, verdict valid, exit code 0."""
    path = tmp_path / "den.pdf"
    path.write_bytes(services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data)
    code, out = run("pdf", "verify", str(path), "--sender", agency.code, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["verdict"] == "valid"
    assert report["sender"] == agency.code
    assert report["signed_at_source"] == "timestamp"
    assert [c["code"] for c in report["checks"]][:3] == ["well_formed", "signature_present",
                                                         "intact"]
    assert {c["status"] for c in report["checks"]} == {"pass"}


def test_verify_invalid_exits_1_with_reason(issued, agency, make_agency, tmp_path):
    """R4.2: an unsigned PDF: the failed check and its reason printed, exit code 1."""
    path = tmp_path / "khongky.pdf"
    path.write_bytes(make_pdf())
    code, out = run("pdf", "verify", str(path), "--sender", agency.code)
    assert code == 1
    assert "[KHÔNG ĐẠT] signature_present" in out
    assert "KHÔNG HỢP LỆ / INVALID" in out


def test_verify_usage_errors_exit_2(issued, agency, tmp_path):
    """R4.3: an unknown agency or an unreadable file is a usage error (exit code 2)."""
    path = tmp_path / "den.pdf"
    path.write_bytes(make_pdf())
    with pytest.raises(CommandError) as err:
        run("pdf", "verify", str(path), "--sender", "000.99.99.H99")
    assert err.value.returncode == 2
    with pytest.raises(CommandError) as err:
        run("pdf", "verify", str(tmp_path / "missing.pdf"), "--sender", agency.code)
    assert err.value.returncode == 2
