"""The English catalogue is complete and its compiled file matches the source (.po)."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "src" / "vanban" / "locale" / "en" / "LC_MESSAGES"


def _entries(po_text: str) -> list[dict[str, str]]:
    """Parse the .po entries into {keyword: text} (continuation lines joined, flags kept)."""
    entries: list[dict[str, str]] = []
    for block in po_text.strip().split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += line[1:-1]
            else:
                key, _, value = line.partition(" ")
                entry[key] = value[1:-1]
        entries.append(entry)
    return entries


def _untranslated(po_text: str) -> list[str]:
    """msgids whose translation is empty or fuzzy (the header entry excepted)."""
    missing = []
    for entry in _entries(po_text):
        if entry.get("msgid", "") == "":
            continue
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        if "fuzzy" in entry["flags"] or not translations or not all(translations):
            missing.append(entry["msgid"])
    return missing


def test_every_interface_string_has_an_english_translation():
    """Vietnamese is the source language; every string must also exist in English."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert _untranslated(text) == []


def test_compiled_catalogue_matches_the_po_file(tmp_path):
    """The committed .mo is the compiled .po (nobody forgot `compilemessages`)."""
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt missing: ./scripts/setup installs gettext")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(LOCALE / "django.po")],
                   check=True)
    with (LOCALE / "django.mo").open("rb") as committed, fresh.open("rb") as compiled:
        ours, theirs = gettext.GNUTranslations(committed), gettext.GNUTranslations(compiled)
    assert ours._catalog == theirs._catalog  # type: ignore[attr-defined]
