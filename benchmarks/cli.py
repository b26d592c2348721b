"""Wall time of the scaffolder's commands, with copier's own commands measured alongside.

    python benchmarks/cli.py [--runs 9]

Runs each case once per round, for several rounds, in one process, and writes the medians
to docs/performance.md (section `cli`). The template store is warmed first, so `new`
measures what a user sees on every run after the first.

Every case runs under two bytecode conditions, set explicitly so that the caller's
environment (some machines export PYTHONDONTWRITEBYTECODE=1) cannot skew the numbers:

- *cached*: Python reads compiled bytecode, as it does after `pip install` (which compiles
  every module) or after the first run of any installation. The cache lives in a private
  PYTHONPYCACHEPREFIX, warmed before timing, so the environment itself is not touched.
- *no cache*: PYTHONDONTWRITEBYTECODE=1 with an empty cache prefix, so every module, the
  standard library's included, is compiled from source on every run: an upper bound for
  an installation that never compiled its bytecode (`uv pip install` does not by default)
  on a machine that exports PYTHONDONTWRITEBYTECODE=1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _report import interleaved, machine, wall_time, write_section

BIN = Path(sys.executable).parent


def _conditions(work: Path) -> dict[str, dict[str, str]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    (work / "pyc-empty").mkdir()
    return {
        "cached": {**base, "PYTHONPYCACHEPREFIX": str(work / "pyc")},
        "no cache": {
            **base,
            "PYTHONPYCACHEPREFIX": str(work / "pyc-empty"),
            "PYTHONDONTWRITEBYTECODE": "1",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scaffold-bench-"))
    os.environ["SCAFFOLD_HOME"] = str(work / "home")
    scaffold, copier = str(BIN / "scaffold"), str(BIN / "copier")
    store = str(work / "home" / "templates" / "fastapi")
    commands: dict[str, Callable[[str], list[str]]] = {
        "`scaffold --help`": lambda n: [scaffold, "--help"],
        "`copier --help` (for comparison)": lambda n: [copier, "--help"],
        "`scaffold recommend -n ml --json`": lambda n: [
            scaffold, "recommend", "-n", "ml", "--json"
        ],
        "`scaffold new p -f fastapi --defaults`": lambda n: [
            scaffold, "new", n, "-f", "fastapi", "--defaults"
        ],
        "`copier copy --defaults` of the same template (for comparison)": lambda n: [
            copier, "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD", store, n
        ],
    }  # fmt: skip
    try:
        conditions = _conditions(work)
        for command in commands.values():  # warm the store and the bytecode cache
            wall_time(command(str(work / "warmup")), cwd=work, env=conditions["cached"])
            shutil.rmtree(work / "warmup", ignore_errors=True)

        def case(name: str, condition: str) -> Callable[[int], float]:
            def run(i: int) -> float:
                target = str(work / f"{condition.replace(' ', '-')}-{i}")
                return wall_time(commands[name](target), cwd=work, env=conditions[condition])

            return run

        samples = interleaved(
            {(name, cond): case(name, cond) for name in commands for cond in conditions},
            args.runs,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = ["| case | bytecode cached: median (s) | min | max | nothing compiled: median (s) |"]
    rows.append("|---|---|---|---|---|")
    for name in commands:
        cached, cold = samples[(name, "cached")], samples[(name, "no cache")]
        rows.append(
            f"| {name} | **{statistics.median(cached):.3f}** | {min(cached):.3f} "
            f"| {max(cached):.3f} | {statistics.median(cold):.3f} |"
        )
    table = "\n".join(rows)
    print(table)
    write_section(
        "cli",
        "## The scaffolder's commands\n\n"
        f"Measured by `python benchmarks/cli.py --runs {args.runs}` ({machine()}); "
        "wall time of a whole process, every case under both bytecode conditions, "
        "interleaved round by round. *Bytecode cached* is what a user sees: `pip install` "
        "compiles every module it installs, and Python caches the rest on first import. "
        "*Nothing compiled* (PYTHONDONTWRITEBYTECODE=1 and an empty cache, so even the "
        "standard library is compiled on every run) is an upper bound, shown for scale.\n\n"
        + table,
    )


if __name__ == "__main__":
    main()
