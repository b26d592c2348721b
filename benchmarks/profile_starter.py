"""Where a request to a FastAPI or Flask starter spends its time (in-process, no server).

    python benchmarks/profile_starter.py PROJECT [--requests 2000]

PROJECT is a generated FastAPI or Flask starter with its virtual environment in
PROJECT/.venv (`scaffold new`, then `make install` with no other virtual environment
active). The script re-runs itself with that environment's Python, builds the app on a
throw-away SQLite file, registers a user with one item, and drives the app without
sockets (httpx's ASGITransport for FastAPI, Flask's test client for Flask), so the numbers
isolate the app itself:

- requests per second for `GET /health`, `GET /api/items/{id}` and `GET /api/items`
  (after a warm-up);
- a cProfile of `GET /api/items/{id}`, as the share of own time spent in each installed
  package (sqlalchemy, starlette, werkzeug, jwt, ...).

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

# Shared by both probes: the project's package, and the profile summed up by package.
_COMMON = r"""
import asyncio, collections, cProfile, os, pstats, sys, time
from importlib import import_module
from pathlib import Path

project, requests, database = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
answers = (project / ".copier-answers.yml").read_text().splitlines()
slug = next(line.split(":", 1)[1].strip() for line in answers if line.startswith("project_slug:"))


def report_rate(path, seconds):
    print(f"GET {path:20s} {requests / seconds:8.0f}")


def report_profile(profile, item_path):
    shares = collections.Counter()
    for (filename, _, _), (_, _, own_time, _, _) in pstats.Stats(profile).stats.items():
        if "site-packages/" in filename:
            owner = filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
        elif f"/{slug}/" in filename:
            owner = f"{slug} (the starter)"
        else:
            owner = "standard library, builtins"
        shares[owner] += own_time
    total = sum(shares.values())
    print(f"\nown time of GET {item_path} by package ({requests} requests)")
    for owner, seconds in shares.most_common(12):
        print(f"  {owner:32s} {100 * seconds / total:5.1f} %")


print(f"{'route':24s} {'req/s':>8s}")
"""

_FASTAPI = r"""
os.environ.update(
    ENVIRONMENT="test", DATABASE_URL=f"sqlite:///{database}", CORS_ORIGINS="", LOG_LEVEL="WARNING"
)
os.environ.setdefault("SECRET_KEY", "b" * 64)
db = import_module(f"{slug}.db")
config = import_module(f"{slug}.config")
# The app's own database (create_app makes it from the settings, app.state.database).
app = import_module(f"{slug}.main").create_app(config.Settings(database_url=f"sqlite:///{database}"))
engine = app.state.database.engine
import httpx


async def main():
    async with engine.begin() as connection:
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
        for path in ("/health", item_path, "/api/items"):
            for _ in range(requests // 10):
                await client.get(path, headers=headers)
            start = time.perf_counter()
            for _ in range(requests):
                response = await client.get(path, headers=headers)
            assert response.status_code == 200, response.text
            report_rate(path, time.perf_counter() - start)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(requests):
            await client.get(item_path, headers=headers)
        profile.disable()
    await engine.dispose()
    report_profile(profile, item_path)


asyncio.run(main())
"""

_FLASK = r"""
os.environ["ENVIRONMENT"] = "test"
package = import_module(slug)
db = import_module(f"{slug}.extensions").db
app = package.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
with app.app_context():
    db.create_all()
client = app.test_client()
client.post("/api/auth/register", json={"email": "bench@example.com", "password": "benchmark"})
token = client.post(
    "/api/auth/token", data={"username": "bench@example.com", "password": "benchmark"}
).get_json()["access_token"]
headers = {"Authorization": f"Bearer {token}"}
item = client.post("/api/items", json={"title": "Lamp", "price": 1}, headers=headers).get_json()
item_path = f"/api/items/{item['id']}"
for path in ("/health", item_path, "/api/items"):
    for _ in range(requests // 10):
        client.get(path, headers=headers)
    start = time.perf_counter()
    for _ in range(requests):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
    report_rate(path, time.perf_counter() - start)
profile = cProfile.Profile()
profile.enable()
for _ in range(requests):
    client.get(item_path, headers=headers)
profile.disable()
report_profile(profile, item_path)
"""

PROBES = {"fastapi": _FASTAPI, "flask": _FLASK}


def framework_of(project: Path) -> str | None:
    """The framework whose template rendered `project`, from its recorded template source."""
    for line in (project / ".copier-answers.yml").read_text().splitlines():
        if line.startswith("_src_path:"):
            return line.split(":", 1)[1].strip().strip("'\"").rstrip("/").rsplit("/", 1)[-1]
    return None


def main() -> int:
    """Re-run the probe for PROJECT's framework inside PROJECT's virtual environment."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a generated FastAPI or Flask starter")
    parser.add_argument("--requests", type=int, default=2000, help="requests per route")
    args = parser.parse_args()
    project = args.project.resolve()
    python = project / ".venv" / "bin" / "python"
    if not (project / ".copier-answers.yml").is_file() or not python.is_file():
        parser.error(f"{project} is not a generated starter with a .venv")
    framework = framework_of(project)
    if framework not in PROBES:
        parser.error(f"no in-process probe for {framework} starters (only {', '.join(PROBES)})")
    with tempfile.TemporaryDirectory(prefix="profile-starter-") as folder:
        database = Path(folder) / "bench.sqlite3"
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        completed = subprocess.run(
            [str(python), "-c", _COMMON + PROBES[framework], str(project),
             str(args.requests), str(database)],
            cwd=folder,
            env=env,
            check=False,
        )  # fmt: skip
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
