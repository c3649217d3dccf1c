"""Render a page to PNG and extract its text with poppler-utils (``pdftoppm``, ``pdftotext``),
run as subprocesses with a timeout so a hostile or huge file cannot hang a worker. Used to check
what a reader really sees, e.g. the Vietnamese glyphs of the visible signature mark (R15.1).

Pure Python: no Django import.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from vanban.pdfs.errors import RenderFailed

DEFAULT_TIMEOUT = 30.0  # seconds


def first_page_png(data: bytes, dpi: int = 72, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Page 1 of ``data`` as a PNG image at ``dpi`` dots per inch."""
    if not 1 <= dpi <= 1200:
        raise ValueError("dpi must be between 1 and 1200")
    with tempfile.TemporaryDirectory(prefix="vanban-render-") as tmp:
        source = _write(Path(tmp), data)
        _run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
              str(source), str(Path(tmp) / "page")], timeout=timeout)
        return (Path(tmp) / "page.png").read_bytes()


def page_text(data: bytes, page: int = 1, *, layout: bool = False,
              timeout: float = DEFAULT_TIMEOUT) -> str:
    """The text of one page (1-based) as poppler extracts it, UTF-8 decoded."""
    if page < 1:
        raise ValueError("page numbers start at 1")
    with tempfile.TemporaryDirectory(prefix="vanban-render-") as tmp:
        source = _write(Path(tmp), data)
        args = ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page)]
        if layout:
            args.append("-layout")
        return _run([*args, str(source), "-"], timeout=timeout).decode("utf-8", "replace")


def _write(directory: Path, data: bytes) -> Path:
    path = directory / "in.pdf"
    path.write_bytes(data)
    return path


def _run(args: list[str], *, timeout: float) -> bytes:
    """Run one poppler tool; every failure becomes a :class:`RenderFailed` in both languages."""
    tool = args[0]
    executable = shutil.which(tool)
    if executable is None:
        raise RenderFailed(f"Chưa cài công cụ {tool} (gói poppler-utils).",
                           f"{tool} is not installed (package poppler-utils).",
                           code="pdf_renderer_missing")
    try:
        done = subprocess.run(  # noqa: S603 (fixed executable, arguments are ours)
            [executable, *args[1:]], capture_output=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as err:
        raise RenderFailed(f"{tool} chạy quá {timeout:g} giây và đã bị dừng.",
                           f"{tool} ran longer than {timeout:g} s and was stopped.",
                           code="pdf_render_timeout") from err
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        cause = message[-1][:200] if message else f"exit code {done.returncode}"
        raise RenderFailed(f"Không hiển thị được tệp PDF ({tool}: {cause}).",
                           f"The PDF cannot be rendered ({tool}: {cause}).",
                           exit_code=done.returncode)
    return done.stdout
