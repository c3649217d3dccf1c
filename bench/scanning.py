"""Malware scanning throughput (R16.1): our clamd adapter beside ``clamdscan`` on the same files.

* ours: :class:`vanban.security.clamd.ClamdScanner` ``scan(data)`` on each file's bytes, one
  ``zINSTREAM`` connection per file, over clamd's unix socket;
* ours, whole intake: :func:`vanban.security.intake.intake_files` (type sniffing, the PDF rules
  with pikepdf, then the same scan), as a door runs it;
* raw: ClamAV's own client, ``clamdscan --stream`` over the same files in one process (it
  streams each file with ``INSTREAM`` too), and plain ``clamdscan`` (clamd opens the files by
  path itself, no streaming).

The same clamd serves all of them: Debian's daemon with the test database (EICAR only), so the
figures measure the transport and the file walk, not the size of the signature set; with the
official databases every scanner pays the same extra per byte. Rounds alternate (ours, raw, …)
and figures are medians. Run: ``python -m bench --only scanning [--scan-files N]`` or standalone
``python -m bench.scanning``.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import Result

ROUNDS = 5


def _pdf(size: int, seed: int) -> bytes:
    """A real PDF of about ``size`` bytes: one page and an uncompressed stream of noise."""
    import pikepdf

    from vanban.security.tests.fixtures import clean_pdf

    pdf = pikepdf.open(io.BytesIO(clean_pdf(f"Ban quet {seed}")))
    noise = os.urandom(max(size - 2000, 16))
    pdf.Root["/VanbanScan"] = pdf.make_indirect(pikepdf.Stream(pdf, noise))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def _files(count: int) -> list[bytes]:
    """A mix of sizes like real scans: mostly 200 KB, some 2 MB, a few 8 MB."""
    sizes = [200_000] * (count * 7 // 10) + [2_000_000] * (count * 2 // 10)
    sizes += [8_000_000] * (count - len(sizes))
    return [_pdf(size, n) for n, size in enumerate(sizes)]


def _time(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def run(args: argparse.Namespace) -> list[Result]:
    """Start a clamd, scan the same files each way, return files/s beside ``clamdscan``."""
    from django.test import override_settings

    from vanban.security.clamd import ClamdScanner
    from vanban.security.intake import Door, FileGroup, intake_files
    from vanban.security.tests.clamd_server import ClamdServer, clamd_binary

    binary = clamd_binary()
    if binary is None:
        print("scanning: clamd is not installed; skipped")
        return []
    files = _files(int(getattr(args, "scan_files", 40) or 40))
    total_mb = sum(len(f) for f in files) / 1e6
    server = ClamdServer(binary)
    folder = Path(tempfile.mkdtemp(prefix="vanban-bench-scan-"))
    paths = []
    for n, data in enumerate(files):
        path = folder / f"scan-{n:03d}.pdf"
        path.write_bytes(data)
        path.chmod(0o644)  # clamd reads the files itself in the path-based baseline
        paths.append(str(path))
    folder.chmod(0o755)
    try:
        server.wait_ready()
        scanner = ClamdScanner(socket_path=server.socket, timeout=60)
        client = ["clamdscan", "-c", str(server.config), "--no-summary", "--quiet"]

        def ours() -> None:
            if any(scanner.scan(data).infected for data in files):
                raise RuntimeError("a generated file was reported infected")

        def intake() -> None:
            with override_settings(VANBAN_MALWARE_SCANNER="clamd",
                                   VANBAN_CLAMD_SOCKET=server.socket):
                for data in files:
                    intake_files(door=Door.UPLOAD, groups=[
                        FileGroup(parts=[data], what_vi="văn bản", what_en="document")])

        def raw(*extra: str) -> None:
            subprocess.run([*client, *extra, *paths], check=True)

        ours()  # warm clamd's caches and our imports alike
        raw("--stream")
        timings: dict[str, list[float]] = {"ours": [], "intake": [], "stream": [], "path": []}
        for _ in range(ROUNDS):
            timings["ours"].append(_time(ours))
            timings["stream"].append(_time(lambda: raw("--stream")))
            timings["intake"].append(_time(intake))
            timings["path"].append(_time(raw))
    finally:
        server.stop()
        for name in paths:
            Path(name).unlink(missing_ok=True)
        folder.rmdir()
    rate = {name: len(files) / statistics.median(values) for name, values in timings.items()}
    mbps = {name: total_mb / statistics.median(values) for name, values in timings.items()}
    label = f"{len(files)} PDFs, {total_mb:.0f} MB"
    print(f"scanning ({label}): " + ", ".join(
        f"{name} {rate[name]:.1f} files/s {mbps[name]:.0f} MB/s" for name in rate))
    return [
        Result(f"clamd adapter, zINSTREAM ({label})", rate["ours"], "files/s",
               "clamdscan --stream, same files", rate["stream"], "≥ 0.8× clamdscan"),
        Result(f"whole intake: sniff, PDF rules, scan ({label})", rate["intake"], "files/s",
               "clamdscan --stream, same files", rate["stream"], ""),
        Result(f"clamd adapter ({label})", rate["ours"], "files/s",
               "clamdscan by path (clamd reads the files)", rate["path"], ""),
    ]


def main() -> None:
    """Standalone: ``python -m bench.scanning [--scan-files N]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.scanning")
    parser.add_argument("--scan-files", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("VANBAN_HOME", tempfile.mkdtemp(prefix="vanban-bench-"))
    import django

    django.setup()
    from bench import markdown

    print(markdown(run(args)))


if __name__ == "__main__":
    main()
