"""Where a request to the Flask starter spends its time (in-process, no HTTP server).

    python benchmarks/starter_flask.py PROJECT [--requests 2000]

PROJECT is a generated Flask starter with its virtual environment in PROJECT/.venv (render
it with `scaffold new` or `copier copy templates/flask PROJECT`, then `uv venv` and
`uv pip install -e 'PROJECT[dev]'`). The script re-runs itself with that environment's
Python, builds the app on a throw-away SQLite file, registers a user with one item, and
then, through Flask's test client (no sockets, so the numbers isolate the app itself):

- measures requests per second for `GET /health`, `GET /api/items/{id}` and
  `GET /api/items` (after a warm-up);
- profiles `GET /api/items/{id}` with cProfile and prints the share of time spent in each
  installed package (sqlalchemy, werkzeug, flask, jwt, marshmallow, ...).

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
import collections, cProfile, os, pstats, sys, time
from pathlib import Path

os.environ["ENVIRONMENT"] = "test"
project, requests, database = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
answers = (project / ".copier-answers.yml").read_text().splitlines()
slug = next(line.split(":", 1)[1].strip() for line in answers if line.startswith("project_slug:"))
package = __import__(slug)
from importlib import import_module
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

print(f"{'route':24s} {'req/s':>8s}")
for path in ("/health", item_path, "/api/items"):
    for _ in range(requests // 10):
        client.get(path, headers=headers)
    start = time.perf_counter()
    for _ in range(requests):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
    print(f"GET {path:20s} {requests / (time.perf_counter() - start):8.0f}")

profile = cProfile.Profile()
profile.enable()
for _ in range(requests):
    client.get(item_path, headers=headers)
profile.disable()
shares = collections.Counter()
for (filename, _, _), (_, _, own_time, _, _) in pstats.Stats(profile).stats.items():
    if "site-packages" in filename:
        owner = filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    elif f"/{slug}/" in filename:
        owner = f"{slug} (the starter)"
    else:
        owner = "standard library"
    shares[owner] += own_time
total = sum(shares.values())
print(f"\ntime of GET {item_path} by package (own time, {requests} requests)")
for owner, seconds in shares.most_common(12):
    print(f"  {owner:28s} {100 * seconds / total:5.1f}%")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a generated Flask starter with .venv")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    project = args.project.resolve()
    python = project / ".venv" / "bin" / "python"
    if not (project / ".copier-answers.yml").is_file() or not python.is_file():
        parser.error(f"{project} is not a generated starter with a .venv")
    with tempfile.TemporaryDirectory(prefix="starter-flask-") as tmp:
        database = Path(tmp) / "bench.sqlite3"
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DATABASE_URL", None)
        completed = subprocess.run(
            [str(python), "-c", PROBE, str(project), str(args.requests), str(database)],
            cwd=project,
            env=env,
            check=False,
        )
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
