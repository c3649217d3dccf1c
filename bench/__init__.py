"""Benchmarks of vanban, each beside a baseline measured in the same run (``python -m bench``).

Each module exposes ``run(args) -> list[Result]``; the runner sets up a throwaway installation
(its own ``VANBAN_HOME`` and database), runs them and prints a Markdown table.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Result:
    """One measured rate beside its baseline (the same work without our logic)."""

    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""

    @property
    def ratio(self) -> float | None:
        """Our rate as a fraction of the baseline rate."""
        return None if not self.baseline else self.value / self.baseline


def markdown(results: list[Result]) -> str:
    """The results as a Markdown table."""
    lines = ["| Benchmark | Result | Baseline (same run) | Ratio | Target |",
             "|---|---:|---|---:|---|"]
    for r in results:
        base = f"{r.baseline_name}: {r.baseline:,.0f} {r.unit}" if r.baseline else ""
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else ""
        lines.append(f"| {r.name} | {r.value:,.0f} {r.unit} | {base} | {ratio} | {r.target} |")
    return "\n".join(lines)


def timings(call: Callable[[], Any], rounds: int, *, warm: int = 1) -> list[float]:
    """Milliseconds of each of ``rounds`` calls, after ``warm`` calls that fill the caches
    (templates, prepared plans) so the first measured call is not an outlier."""
    for _ in range(warm):
        call()
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(values: list[float], pct: int) -> float:
    """The ``pct``-th percentile of ``values`` (p95: ``percentile(values, 95)``)."""
    return statistics.quantiles(values, n=100)[pct - 1]
