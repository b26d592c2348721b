"""Shared helpers of the benchmark scripts: timing and writing docs/performance.md."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
K = TypeVar("K")


def wall_time(
    command: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> float:
    """Seconds one run of `command` takes, failing if it fails."""
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def interleaved(cases: dict[K, Callable[[int], float]], runs: int) -> dict[K, list[float]]:
    """Run every case once per round, round after round, so noise hits all cases alike."""
    samples: dict[K, list[float]] = {name: [] for name in cases}
    for round_ in range(runs):
        for name, case in cases.items():
            samples[name].append(case(round_))
    return samples


def summary_table(samples: dict[str, list[float]], unit: str = "s") -> str:
    """A markdown table of median, min and max per case."""
    rows = [f"| case | median ({unit}) | min | max | runs |", "|---|---|---|---|---|"]
    for name, values in samples.items():
        rows.append(
            f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} "
            f"| {max(values):.3f} | {len(values)} |"
        )
    return "\n".join(rows)


def machine() -> str:
    """One line describing where the numbers were taken."""
    cores = len(os.sched_getaffinity(0))
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{python}, {cores} cores, {platform.machine()}, {time.strftime('%Y-%m-%d')}"


def write_section(name: str, markdown: str) -> None:
    """Replace the section between `<!-- bench:NAME -->` markers in docs/performance.md."""
    text = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = f"{text.rstrip()}\n\n{block}\n"
    REPORT.write_text(text)
