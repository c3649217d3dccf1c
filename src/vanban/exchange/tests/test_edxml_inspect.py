"""``vanban edxml inspect FILE [--json]`` (issue 10): what vanban reads from a message, for
operators tracing an interop problem. Exit 0 readable, 1 refused with the reason, 2 usage."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.exchange.tests.corpus.make_corpus import DOC, PDF

CORPUS = Path(__file__).resolve().parent / "corpus"


def run(*args: str) -> tuple[int, str, str]:
    """``vanban edxml ARGS`` in-process: exit code, standard output, standard error."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("edxml", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_inspect_json_lists_every_attachment_after_unzipping() -> None:
    """R14.1: header fields, each attachment's name, detected type, size, SHA-256 after
    unzipping and zipped flag, and the warnings; exit 0."""
    code, out, _ = run("inspect", str(CORPUS / "ministry_pdf_and_doc.edxml"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["readable"] is True
    assert (report["code"], report["priority"], report["steering_type"]) == (
        "4521/BTTTT-CĐSQG", 5, 0)
    assert [(a["name"], a["detected_type"], a["size"], a["sha256"], a["zipped"])
            for a in report["attachments"]] == [
        ("4521-BTTTT.signed.pdf", "application/pdf", len(PDF),
         hashlib.sha256(PDF).hexdigest(), True),
        ("4521-BTTTT.doc", "application/msword", len(DOC), hashlib.sha256(DOC).hexdigest(),
         True)]
    assert report["attachments"][0]["manifest_type"] == "application/zip"
    assert report["warnings"][0].startswith("receiver_without_organ_id:")


def test_inspect_text_for_a_status() -> None:
    """R14.1: a status message prints its code, reply and staff in text form."""
    code, out, _ = run("inspect", str(CORPUS / "sdk_status_03.edxml"))
    assert code == 0
    assert "status_code: 03" in out
    assert "Lê Văn C" in out
    assert "cảnh báo / warnings: 0" in out


def test_inspect_refused_message_exits_1_with_the_reason() -> None:
    """R14.1: a refused message exits 1 with the typed reason in both languages (JSON too)."""
    code, out, _ = run("inspect", str(CORPUS / "zip_bomb.edxml"), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["readable"] is False
    assert report["error"]["code"] == "edxml_zip_bomb"
    assert "tỉ lệ nén" in report["error"]["vi"]
    assert "compression ratio" in report["error"]["en"]
    code, _, err = run("inspect", str(CORPUS / "refused_no_sender.edxml"))
    assert code == 1
    assert "From/OrganId" in err


def test_inspect_usage_errors_exit_2(tmp_path: Path) -> None:
    """R14.1: a missing file and a bad option are usage errors (exit 2), run as operators do."""
    code, _, err = run("inspect", str(tmp_path / "missing.edxml"))
    assert code == 2
    assert "cannot read the file" in err
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get(
        "DJANGO_SETTINGS_MODULE", "config.settings.test")}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from vanban.cli import main; sys.exit(main())",
         "edxml", "inspect", str(CORPUS / "sdk_status_03.edxml"), "--bogus"],
        capture_output=True, text=True, check=False, timeout=60, env=env)
    assert done.returncode == 2, done.stderr
    assert "--bogus" in done.stderr
