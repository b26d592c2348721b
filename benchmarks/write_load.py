"""Errors of each starter under write load: `POST /api/items` from many connections at once.

    python benchmarks/write_load.py [--connections 64] [--seconds 30]
        [--frameworks fastapi,django,flask] [--database sqlite|postgres] [--keep]

For every framework: render the starter with its defaults, install it in a fresh virtual
environment (uv), migrate a fresh database (an SQLite file, or a new PostgreSQL database
on the server `SCAFFOLD_TEST_POSTGRES_URL` names), register a user and serve the starter
with `make serve` (granian, 2 workers, production settings), as `benchmarks/starters.py`
does. wrk (Debian package `wrk`, 1 thread, its default 2 s timeout) then sends
authenticated `POST /api/items` from every connection for the whole run. The script
prints, per starter: requests per second, answers other than 2xx (`non-2xx`), requests
wrk gave up on after 2 s (`timeouts`) and other socket errors, and the statuses of the
non-2xx answers that the server's access log shows. Any non-2xx or timeout makes it exit 1.

It writes nothing to docs/performance.md unless `--report` is given (section
`write-load`): numbers taken on a busy machine are not worth recording.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _report import machine, write_section

from tests.starters import harness

WORKERS = "2"

_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.body = '{"title": "Load", "description": "written under load", "price": 3.5}'
"""


def wrk_post(url: str, token: str, connections: int, seconds: int, work: Path) -> dict[str, float]:
    """Run wrk against `url` and return its request rate and error counts."""
    script = work / "post.lua"
    script.write_text(_LUA % {"token": token})
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "2s",
         "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result: dict[str, float] = {"non-2xx": 0, "timeouts": 0, "socket errors": 0}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate, out
    result["req/s"] = float(rate.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        result["non-2xx"] = int(non2xx.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if sockets:
        connect, read, write, timeout = (int(n) for n in sockets.groups())
        result["timeouts"] = timeout
        result["socket errors"] = connect + read + write
    return result


def error_statuses(log: str) -> dict[str, int]:
    """How often each status >= 300 appears in the access lines of a server log."""
    counts: collections.Counter[str] = collections.Counter()
    for line in log.splitlines():
        match = re.search(r'"(?:status|status_code)":\s*(\d{3})', line) or re.search(
            r"\b(?:POST|GET) /api/items\S* [^\n]*?\b([1-5]\d\d)\b", line
        )
        if match and int(match.group(1)) >= 300:
            counts[match.group(1)] += 1
    return dict(counts)


def bench(
    framework: str, work: Path, connections: int, seconds: int, database_url: str
) -> dict[str, float]:
    project = harness.render(framework, work / framework)
    harness.build_venv(project)
    server = harness.Server(
        project, database_url, work / f"{framework}.log", overrides={"WEB_CONCURRENCY": WORKERS}
    )
    with server:
        token = harness.register_and_login(server.base_url, "load@example.com", "load-test-pw")
        result = wrk_post(f"{server.base_url}/api/items", token, connections, seconds, work)
        statuses = error_statuses(server.log())
    if statuses:
        print(f"{framework}: statuses >= 300 in the access log: {json.dumps(statuses)}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--frameworks", default="fastapi,django,flask")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--report", action="store_true", help="write docs/performance.md")
    parser.add_argument("--keep", action="store_true", help="keep the rendered projects")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="scaffold-write-load-"))
    rows = [
        "| starter | database | `POST /api/items` (req/s) | non-2xx | timeouts (2 s) "
        "| other socket errors |",
        "|---|---|---|---|---|---|",
    ]
    failed = False
    try:
        for framework in args.frameworks.split(","):
            if args.database == "sqlite":
                result = bench(
                    framework,
                    work,
                    args.connections,
                    args.seconds,
                    harness.sqlite_url(work / f"{framework}.sqlite3"),
                )
            else:
                with harness.fresh_postgres_database(f"load_{framework}") as url:
                    result = bench(framework, work, args.connections, args.seconds, url)
            print(framework, args.database, result, flush=True)
            failed = failed or bool(result["non-2xx"] or result["timeouts"])
            rows.append(
                f"| {framework} | {args.database} | {result['req/s']:.0f} "
                f"| {result['non-2xx']:.0f} | {result['timeouts']:.0f} "
                f"| {result['socket errors']:.0f} |"
            )
    finally:
        if args.keep:
            print(f"projects kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(rows))
    if args.report:
        write_section(
            f"write-load-{args.database}",
            f"## Writes under load ({args.database})\n\n"
            f"Measured by `python benchmarks/write_load.py --connections {args.connections} "
            f"--seconds {args.seconds} --database {args.database}` ({machine()}): `make serve` "
            f"(granian, {WORKERS} workers, production settings), wrk with 1 thread and "
            f"{args.connections} connections sending authenticated `POST /api/items` for "
            f"{args.seconds} s, giving up on a request after 2 s.\n\n" + "\n".join(rows),
        )
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
