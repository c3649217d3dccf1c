"""R7.2, R14.3: ``vanban evidence export|verify|consistency|head|list`` and the stand-alone
verifier run by a third party (no database, no network, no Django)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError

from vanban.audit.tests.conftest import run_command
from vanban.evidence import hubkey, verifier
from vanban.evidence.tests.conftest import R2, SENDER

Exchange = Callable[[int], None]




def test_export_then_verify_round_trip(exchange: Exchange, tmp_path: Path) -> None:
    """R7.2: export writes the bundle; verify exits 0 and lists the records; a tampered copy
    exits 1 naming the reason in Vietnamese and English."""
    exchange(2)
    path = tmp_path / "d1-2.json"
    code, out, _ = run_command("evidence", "export", "d1-2", "-o", str(path))
    assert code == 0
    assert str(path) in out
    fingerprint = hubkey.hub_key().fingerprint
    code, out, _ = run_command("evidence", "verify", str(path), "--hub-fingerprint", fingerprint)
    assert code == 0
    assert "Bằng chứng hợp lệ: 3 bản ghi" in out
    assert "Valid evidence: 3 record(s)" in out
    assert f"{SENDER} → {R2}" in out
    bundle = json.loads(path.read_bytes())
    bundle["records"][2]["record"]["reason"] = "Đồng ý"
    bundle["tree_head"]["size"] += 1
    path.write_text(json.dumps(bundle))
    code, _, err = run_command("evidence", "verify", str(path))
    assert code == 1
    assert "Chữ ký của đầu cây" in err
    assert "The signature of tree head" in err
    assert "các trường hiển thị khác nội dung đã ký" in err
    code, out, _ = run_command("evidence", "verify", str(path), "--json")
    assert code == 1
    assert {p["code"] for p in json.loads(out)["problems"]} == {"head_signature",
                                                                "record_fields"}


def test_export_to_stdout_and_unknown_delivery(exchange: Exchange) -> None:
    """R7.2: export prints the bundle; an unknown delivery is an error in both languages."""
    exchange(1)
    _, out, _ = run_command("evidence", "export", "d0-1")
    assert verifier.verify_bundle(json.loads(out)).ok
    with pytest.raises(CommandError, match=r"Không tìm thấy .* not found"):
        run_command("evidence", "export", "nope")


def test_verify_usage_error_exits_two(tmp_path: Path) -> None:
    """R7.2: a missing file is a usage error (2), not an invalid bundle (1)."""
    with pytest.raises(CommandError) as caught:
        run_command("evidence", "verify", str(tmp_path / "missing.json"))
    assert caught.value.returncode == 2


def test_head_consistency_and_list(exchange: Exchange, tmp_path: Path) -> None:
    """R14.3: heads signed as the log grows; the consistency proof between them verifies with
    ``verify``; ``list --json`` groups the records by delivery."""
    exchange(1)
    code, out, _ = run_command("evidence", "head", "--json")
    first = json.loads(out)
    assert (code, first["size"]) == (0, 6)
    exchange(1)
    _, out, _ = run_command("evidence", "head")
    assert "12 lá / leaves" in out
    proof = tmp_path / "proof.json"
    run_command("evidence", "consistency", "6", "12", "-o", str(proof))
    code, out, _ = run_command("evidence", "verify", str(proof))
    assert code == 0
    assert "nhật ký chỉ được ghi thêm" in out
    with pytest.raises(CommandError, match="6, 12"):
        run_command("evidence", "consistency", "5", "12")
    _, out, _ = run_command("evidence", "list", "--json")
    listed = json.loads(out)
    assert [d["delivery_id"] for d in listed] == ["d1-2", "d1-1", "d0-2", "d0-1"]
    assert listed[0] | {"events": None} == {
        "delivery_id": "d1-2", "transmission_id": "t1", "sender": SENDER, "recipient": R2,
        "records": 3, "events": None}
    assert [e["event"] for e in listed[0]["events"]] == ["sent", "received", "rejected"]
    _, out, _ = run_command("evidence", "list", "--agency", R2)
    assert "2 lần gửi / deliveries" in out


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}


def test_stand_alone_verifier_in_a_subprocess(exchange: Exchange, tmp_path: Path) -> None:
    """R7.2: a third party runs ``python -m vanban.evidence.verifier`` with no Django settings,
    and the file copied alone works too without importing Django: 0 valid, 1 tampered, 2 usage.
    """
    exchange(1)
    path = tmp_path / "bundle.json"
    run_command("evidence", "export", "d0-2", "-o", str(path))
    src = Path(verifier.__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "vanban.evidence.verifier", str(path)],
                          env={**_env(), "PYTHONPATH": str(src)}, capture_output=True,
                          text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Valid evidence" in done.stdout
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(verifier.__file__, alone / "verifier.py")
    probe = ("import runpy, sys\n"
             "sys.argv = ['verifier.py', *sys.argv[1:]]\n"
             "try:\n    runpy.run_path('verifier.py', run_name='__main__')\n"
             "except SystemExit as exit:\n"
             "    print('django loaded:', any(m.split('.')[0] in ('django', 'vanban')"
             " for m in sys.modules))\n    sys.exit(exit.code)\n")
    ok = subprocess.run([sys.executable, "-I", "-c", probe, str(path), "--hub-fingerprint",
                         hubkey.hub_key().fingerprint], cwd=alone, env=_env(),
                        capture_output=True, text=True, check=False, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert "django loaded: False" in ok.stdout
    bundle = json.loads(path.read_bytes())
    bundle["records"][0]["inclusion_proof"].reverse()
    path.write_text(json.dumps(bundle))
    bad = subprocess.run([sys.executable, "-I", "verifier.py", str(path)], cwd=alone,
                         env=_env(), capture_output=True, text=True, check=False, timeout=60)
    assert bad.returncode == 1
    assert "chứng minh thuộc cây không hợp lệ" in bad.stderr
    assert "inclusion proof does not verify" in bad.stderr
    usage = subprocess.run([sys.executable, "-I", "verifier.py"], cwd=alone, env=_env(),
                           capture_output=True, text=True, check=False, timeout=60)
    assert usage.returncode == 2


def test_verifier_runs_as_a_file_where_it_sits(exchange: Exchange, tmp_path: Path) -> None:
    """R7.2: ``python src/vanban/evidence/verifier.py BUNDLE`` works in the source tree, where
    the neighbouring ``selectors.py`` used to shadow the standard library's module (Python puts
    the file's folder first on the path); without ``-I``, as a third party would run it."""
    exchange(1)
    path = tmp_path / "bundle.json"
    run_command("evidence", "export", "d0-1", "-o", str(path))
    here = Path(verifier.__file__).resolve()
    assert (here.parent / "selectors.py").exists()  # the neighbour that shadowed
    done = subprocess.run([sys.executable, str(here), str(path)], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Valid evidence" in done.stdout
