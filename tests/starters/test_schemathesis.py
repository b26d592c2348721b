"""schemathesis against each served starter: its /openapi.json must tell the truth.

Every check on (``--checks all``), positive and negative data (``--mode all``), every phase
(examples, coverage, fuzzing, stateful), authenticated with a real token of a registered
user (a second one for DELETE /api/users/me, which deletes its caller). Zero failures
allowed: a request the document calls valid must be accepted, one it calls invalid must be
rejected, every status, header and body the server answers must be documented, and
nothing may be a 500.

Once per framework, on ONE database (a covering subset, not framework x database): on
PostgreSQL when ``SCAFFOLD_TEST_POSTGRES_URL`` is set (CI: ``SCAFFOLD_REQUIRE_POSTGRES=1``),
else on SQLite. What schemathesis checks is the document against the app: validation,
statuses, headers, schemas, authentication, all done in the app's own code before or
around the database. The one place a database shows through is a value the app lets reach
it: PostgreSQL is the stricter there (typed integer columns, ``varchar`` lengths, no NUL in
text, no huge ids), so a bound missing from the document or the app fails there, where it
would pass on SQLite's loose typing. The database-specific edges themselves are proven on
BOTH databases, case by case, by ``test_contract.py`` (huge and non-integer ids, NUL in
text, lengths, non-finite numbers, the "no 500" sweep) and ``test_accounts.py``.

The run is bounded by ``--max-examples`` per operation (``SCAFFOLD_SCHEMATHESIS_EXAMPLES``
overrides it) so that one framework takes well under two minutes. The seed is
fixed (``DEFAULT_SEED``) so every run sends the same data; ``SCAFFOLD_SCHEMATHESIS_SEED``
explores other data, and a failure prints the seed that replays it. No check is disabled
(see docs/contract.md, "schemathesis").
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from . import harness
from .conftest import Project
from .harness import Server

pytestmark = pytest.mark.slow

#: Test cases per API operation and phase; enough to hit every documented bound.
MAX_EXAMPLES = int(os.environ.get("SCAFFOLD_SCHEMATHESIS_EXAMPLES", "30"))
#: A hang guard for the whole run, not a timing assertion.
RUN_TIMEOUT = 900.0
PASSWORD = "schemathesis password"
#: Warnings that are failures too: each means the document and the server disagree (most
#: generated valid data rejected, the token not accepted, a documented method answered 405).
#: The same data on every run, so CI is repeatable; SCAFFOLD_SCHEMATHESIS_SEED explores others
#: (any integer), and a failing run prints the seed that replays it.
DEFAULT_SEED = 20261130
#: An interpreter bug schemathesis can crash on (see ``test_schemathesis_finds_nothing``).
INTERPRETER_BUG = "SystemError: AST constructor recursion depth mismatch"

CONFIG = """\
headers = {{ Authorization = "Bearer {token}" }}

[warnings]
fail-on = ["validation_mismatch", "missing_auth", "method_not_allowed"]

# DELETE /api/users/me deletes the caller: it runs as a second user, so that the first
# one stays for every other operation (its later calls are 401s, documented).
[[operations]]
include-name = "DELETE /api/users/me"
headers = {{ Authorization = "Bearer {leaving_token}" }}

# Well-formed and yet refused by the contract with a 400: a wrong current password, a
# reset token that is unknown, used or expired. Generated data can hardly be the right
# password or a live token, so these answer 400 to most of it, as they must: no
# "validation mismatch" warning for them (422s are still checked against the document).
[[operations]]
include-name = ["POST /api/users/me/password", "POST /api/auth/password-reset/confirm"]
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"
]
warnings.display = ["missing_auth", "method_not_allowed"]
"""


def schemathesis_executable() -> str:
    """The ``schemathesis`` next to the running interpreter (a dev dependency)."""
    return harness.dev_executable(
        "schemathesis", "schemathesis is a dev dependency: pip install -e '.[dev]'"
    )


def run_schemathesis(
    server: Server, token: str, leaving_token: str, workdir: Path
) -> tuple[int, str, int]:
    """Run the schemathesis CLI against ``server``; return (exit code, output, seed)."""
    seed = int(os.environ.get("SCAFFOLD_SCHEMATHESIS_SEED") or DEFAULT_SEED)
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG.format(token=token, leaving_token=leaving_token), "utf-8")
    command = [
        schemathesis_executable(),
        "--no-color",
        "--config-file",
        str(config),
        "run",
        f"{server.base_url}/openapi.json",
        "--checks",
        "all",
        # Response times are not asserted (these machines are shared and noisy): the limit
        # is above the request timeout, so only a hung request fails, as a timeout.
        "--max-response-time",
        "600",
        "--mode",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(seed),
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--output-truncate",
        "false",
    ]
    # A fresh working directory: no schemathesis.toml of the repository applies, and
    # schemathesis writes nothing into the repository.
    env = {**harness.clean_environ(), "NO_COLOR": "1"}
    env.pop("SCHEMATHESIS_HOOKS", None)
    try:
        result = subprocess.run(
            command,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout if isinstance(exc.stdout, str) else ""
        pytest.fail(f"schemathesis (seed {seed}) did not finish in {RUN_TIMEOUT} s\n{output}")
    return result.returncode, result.stdout, seed


@pytest.fixture(scope="module")
def database() -> str:
    """PostgreSQL when the run has one, else SQLite: see the module's docstring."""
    if os.environ.get(harness.POSTGRES_URL_VARIABLE, "").strip():
        return "postgresql"
    if os.environ.get(harness.REQUIRE_POSTGRES_VARIABLE) == "1":
        pytest.fail(f"{harness.POSTGRES_URL_VARIABLE} is not set but PostgreSQL is required")
    return "sqlite"


def test_schemathesis_finds_nothing(
    project: Project, database: str, server: Server, tmp_path: Path
) -> None:
    def attempt() -> tuple[int, str, int, str]:
        email = f"schemathesis-{uuid.uuid4().hex[:12]}@example.com"
        token = harness.register_and_login(server.base_url, email, PASSWORD)
        leaving = harness.register_and_login(server.base_url, f"leaving-{email}", PASSWORD)
        return (*run_schemathesis(server, token, leaving, tmp_path), token)

    code, output, seed, token = attempt()
    if code != 0 and INTERPRETER_BUG in output:
        # Not the app: CPython 3.11's AST constructor keeps one recursion count for every
        # thread (python/cpython#106905), and hypothesis parses lambdas' source while
        # schemathesis's two worker threads run. One more run, same seed, fresh users,
        # says whether the app has anything to answer for.
        code, output, seed, token = attempt()
    where = f"{project.framework} on {database}, seed {seed} (SCAFFOLD_SCHEMATHESIS_SEED)"
    assert code == 0, f"schemathesis failed against {where}:\n{output[-20000:]}"
    # The run really exercised the API: every operation of the document was tested.
    selected = re.search(r"Selected: (\d+)/(\d+)", output)
    tested = re.search(r"Tested: (\d+)", output)
    assert selected, f"no summary from schemathesis ({where}):\n{output[-5000:]}"
    assert tested, f"no summary from schemathesis ({where}):\n{output[-5000:]}"
    total = int(selected.group(2))
    assert total >= 8, f"only {total} operations in /openapi.json ({where})"
    assert int(selected.group(1)) == int(tested.group(1)) == total, output[-5000:]
    leaks = harness.log_leaks(server.log(), PASSWORD, token)
    assert not leaks, f"the server log carries secrets after schemathesis ({where}):\n" + (
        "\n".join(leaks[:50])
    )
