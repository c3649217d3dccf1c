"""The browser tests keep their screenshots under one variable, ``VANBAN_SCREENSHOTS``
(scripts/screenshots sets it); ``VANBAN_ARTIFACTS``, read by some tests before, still works."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import screenshots_folder


def test_the_one_name_wins_over_the_alias(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    """``VANBAN_SCREENSHOTS`` is used when both are set; each test gets its subfolder."""
    monkeypatch.setenv("VANBAN_SCREENSHOTS", str(tmp_path / "shots"))
    monkeypatch.setenv("VANBAN_ARTIFACTS", str(tmp_path / "old"))
    assert screenshots_folder(tmp_path / "default", "notices") == tmp_path / "shots" / "notices"
    assert (tmp_path / "shots" / "notices").is_dir()


def test_the_former_name_and_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    """Only ``VANBAN_ARTIFACTS``: it is used; neither: the test's own folder."""
    monkeypatch.delenv("VANBAN_SCREENSHOTS", raising=False)
    monkeypatch.setenv("VANBAN_ARTIFACTS", str(tmp_path / "old"))
    assert screenshots_folder(tmp_path / "default") == tmp_path / "old"
    monkeypatch.delenv("VANBAN_ARTIFACTS")
    assert screenshots_folder(tmp_path / "default", "x") == tmp_path / "default" / "x"
