"""R14.3: ``vanban blobs verify`` re-hashes every file and names the altered ones."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from vanban.storage.services import blob_put


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("blobs", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_verify_passes_on_an_intact_store(media_root: Path) -> None:
    """R14.3: an untouched store verifies with exit code 0."""
    for i in range(3):
        blob_put(data=f"tệp {i}".encode(), content_type="text/plain")
    code, out, _ = _run("verify")
    assert code == 0
    assert "Đã kiểm tra 3 tệp" in out
    assert "Checked 3 files" in out
    assert (media_root / "blobs").is_dir()


@pytest.mark.django_db
def test_verify_names_altered_and_missing_blobs(media_root: Path) -> None:
    """R14.3: verify exits 1 and names exactly the altered and the missing blob."""
    kept = blob_put(data=b"intact", content_type="text/plain")
    altered = blob_put(data=b"altered", content_type="text/plain")
    lost = blob_put(data=b"lost", content_type="text/plain")
    path = media_root / altered.path
    os.chmod(path, 0o644)
    path.write_bytes(b"Altered")
    (media_root / lost.path).unlink()

    code, _, err = _run("verify")
    assert code == 1
    assert altered.sha256 in err
    assert lost.sha256 in err
    assert kept.sha256 not in err
    assert "bị thay đổi" in err
    assert "altered" in err
    assert "missing" in err
    assert "2/3 tệp lỗi" in err

    code, out, _ = _run("verify", "--json")
    body = json.loads(out)
    assert code == 1
    assert body["ok"] is False
    assert body["checked"] == 3
    assert {(p["sha256"], p["code"]) for p in body["problems"]} == {
        (altered.sha256, "blob_corrupted"), (lost.sha256, "blob_missing")}
