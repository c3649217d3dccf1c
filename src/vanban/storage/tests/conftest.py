"""Every storage test writes into its own empty MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture
def media_root(settings: Settings, tmp_path: Path) -> Path:
    """A fresh local-disk store for the default storage backend."""
    root = tmp_path / "files"
    settings.MEDIA_ROOT = root
    return root
