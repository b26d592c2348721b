"""Wall time of the scaffolder's commands, with `copier --help` measured alongside.

    python benchmarks/cli.py [--runs 9]

Runs each case once per round, for several rounds, in one process, and writes the medians
to docs/performance.md (section `cli`). The template store is warmed first, so `new`
measures what a user sees on every run after the first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from _report import interleaved, machine, summary_table, wall_time, write_section

BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scaffold-bench-"))
    os.environ["SCAFFOLD_HOME"] = str(work / "home")
    scaffold, copier = str(BIN / "scaffold"), str(BIN / "copier")
    try:
        wall_time([scaffold, "new", "warmup", "-f", "fastapi", "--defaults"], cwd=work)
        cases = {
            "`scaffold --help`": lambda i: wall_time([scaffold, "--help"]),
            "`copier --help` (for comparison)": lambda i: wall_time([copier, "--help"]),
            "`scaffold recommend -n ml --json`": lambda i: wall_time(
                [scaffold, "recommend", "-n", "ml", "--json"]
            ),
            "`scaffold new p -f fastapi --defaults`": lambda i: wall_time(
                [scaffold, "new", f"p{i}", "-f", "fastapi", "--defaults"], cwd=work
            ),
            "`copier copy --defaults` of the same template (for comparison)": lambda i: wall_time(
                [copier, "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD",
                 str(work / "home" / "templates" / "fastapi"), str(work / f"c{i}")]
            ),
        }  # fmt: skip
        samples = interleaved(cases, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = summary_table(samples)
    print(table)
    write_section(
        "cli",
        "## The scaffolder's commands\n\n"
        f"Measured by `python benchmarks/cli.py --runs {args.runs}` ({machine()}); "
        "wall time of a whole process, cases interleaved round by round.\n\n" + table,
    )


if __name__ == "__main__":
    main()
