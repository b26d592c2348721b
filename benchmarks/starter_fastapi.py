"""Where a request to the FastAPI starter spends its time (in-process, no HTTP server).

    python benchmarks/starter_fastapi.py PROJECT [--requests 2000]

PROJECT is a generated FastAPI starter with its virtual environment in PROJECT/.venv (render
it with `scaffold new` or `copier copy templates/fastapi PROJECT`, then `uv venv` and
`uv pip install -e 'PROJECT[dev]'`). The script re-runs itself with that environment's
Python, points the app at a throw-away SQLite file, registers a user with one item, and
then drives the ASGI app directly through httpx's ASGITransport (no sockets, so the
numbers isolate the app itself):

- measures requests per second for `GET /health`, `GET /api/items/{id}` and
  `GET /api/items` (after a warm-up);
- profiles `GET /api/items/{id}` with cProfile and prints the share of time spent in each
  installed package (sqlalchemy, starlette, fastapi, pydantic, jwt, ...).

It prints its findings and writes nothing else: the end-to-end numbers under granian are
`benchmarks/starters.py`'s job (docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Runs inside the project's interpreter: measures, then prints.
PROBE = r"""
import asyncio, collections, cProfile, os, pstats, sys, time
from importlib import import_module
from pathlib import Path

project, requests, database = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.environ.update(ENVIRONMENT="test", DATABASE_URL=f"sqlite:///{database}", CORS_ORIGINS="")
os.environ.setdefault("SECRET_KEY", "b" * 64)
answers = (project / ".copier-answers.yml").read_text().splitlines()
slug = next(line.split(":", 1)[1].strip() for line in answers if line.startswith("project_slug:"))
db = import_module(f"{slug}.db")
app = import_module(f"{slug}.main").app
import httpx


async def main() -> None:
    async with db.engine.begin() as connection:
        await connection.run_sync(db.Base.metadata.create_all)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        credentials = {"email": "bench@example.com", "password": "benchmark"}
        await client.post("/api/auth/register", json=credentials)
        login = await client.post(
            "/api/auth/token", data={"username": credentials["email"], "password": "benchmark"}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        lamp = {"title": "Lamp", "price": 1}
        item = (await client.post("/api/items", json=lamp, headers=headers)).json()
        item_path = f"/api/items/{item['id']}"

        print(f"{'route':24s} {'req/s':>8s}")
        for path in ("/health", item_path, "/api/items"):
            for _ in range(requests // 10):
                await client.get(path, headers=headers)
            start = time.perf_counter()
            for _ in range(requests):
                response = await client.get(path, headers=headers)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.text
            print(f"{path:24s} {requests / elapsed:8.0f}")

        async def item_requests() -> None:
            for _ in range(requests):
                await client.get(item_path, headers=headers)

        profiler = cProfile.Profile()
        profiler.enable()
        await item_requests()
        profiler.disable()
    await db.engine.dispose()

    stats = pstats.Stats(profiler)
    shares: collections.Counter[str] = collections.Counter()
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, self_time, _ct, _callers) in stats.stats.items():
        total += self_time
        if "site-packages/" in filename:
            package = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        elif f"/{slug}/" in filename:
            package = f"{slug} (the starter)"
        else:
            package = "python (stdlib, builtins)"
        shares[package.removesuffix(".py")] += self_time
    print(f"\nself time of GET /api/items/{{id}} by package ({requests} requests):")
    for package, seconds in shares.most_common(12):
        print(f"  {package:32s} {100 * seconds / total:5.1f} %")


asyncio.run(main())
"""


def main() -> int:
    """Re-run the probe inside the project's virtual environment."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a generated FastAPI starter with .venv")
    parser.add_argument("--requests", type=int, default=2000, help="requests per route")
    args = parser.parse_args()
    project = args.project.resolve()
    python = project / ".venv" / "bin" / "python"
    if not python.exists():
        print(f"error: {python} not found; create the project's .venv first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="starter-fastapi-bench-") as folder:
        database = Path(folder) / "bench.sqlite3"
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        result = subprocess.run(
            [str(python), "-c", PROBE, str(project), str(args.requests), str(database)],
            cwd=folder,
            env=env,
            check=False,
        )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
