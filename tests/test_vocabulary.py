"""One vocabulary: the three starters name the same idea the same way.

docs/starters.md has the table (concept -> module, function or class, test file, Makefile
target, README section). These tests read the template files (no rendering, no installs)
and fail when a starter drifts from the table, or the table from the starters.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import FRAMEWORKS, TEMPLATES

DOC = Path(__file__).resolve().parent.parent / "docs" / "starters.md"
SECTION = re.compile(r"^## Vocabulary \(one name per idea\)\n(.*?)(?=^## )", re.S | re.M)
COLUMNS = ("concept", "module", "names", "test file", "target", "readme")
# `{% if tasks %}tasks.py{% endif %}` is rendered as tasks.py when the option is on.
CONDITIONAL = re.compile(r"\{%.*?%\}")


def _rows() -> dict[str, dict[str, str]]:
    match = SECTION.search(DOC.read_text())
    assert match, "docs/starters.md has no vocabulary section"
    rows: dict[str, dict[str, str]] = {}
    for line in match.group(1).splitlines():
        if not line.startswith("| ") or line.startswith(("| concept", "|---")):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == len(COLUMNS), line
        rows[cells[0]] = dict(zip(COLUMNS, cells, strict=True))
    return rows


ROWS = _rows()

# Where each concept lives in each starter (paths under the package, as rendered).
# Frameworks a concept does not apply to are left out.
MODULES: dict[str, dict[str, list[str]]] = {
    "database URL": {
        "django": ["settings/base.py"],
        "flask": ["config.py"],
        "fastapi": ["config.py"],
    },
    "models": {
        "django": ["users/models.py", "items/models.py"],
        "flask": ["models.py"],
        "fastapi": ["models.py"],
    },
    "user creation": {
        "django": ["users/services.py"],
        "flask": ["services.py"],
        "fastapi": ["services.py"],
    },
    "email taken": {
        "django": ["users/services.py"],
        "flask": ["services.py"],
        "fastapi": ["services.py"],
    },
    "email normalization": {
        "django": ["users/models.py"],
        "flask": ["services.py"],
        "fastapi": ["services.py"],
    },
    "item reads": {
        "django": ["items/selectors.py"],
        "flask": ["services.py"],
        "fastapi": ["services.py"],
    },
    "item services": {
        "django": ["items/services.py"],
        "flask": ["services.py"],
        "fastapi": ["services.py"],
    },
    "token helpers": {
        "django": ["api/authentication.py"],
        "flask": ["security.py"],
        "fastapi": ["security.py"],
    },
    "emails": {fw: ["emails.py"] for fw in FRAMEWORKS},
    "login throttle": {fw: ["throttle.py"] for fw in FRAMEWORKS},
    "background jobs (`tasks`)": {fw: ["tasks.py"] for fw in FRAMEWORKS},
    "item events (`realtime`, Django and FastAPI)": {
        "django": ["events.py"],
        "fastapi": ["events.py"],
    },
    "logs": {fw: ["logs.py"] for fw in FRAMEWORKS},
    "request ids": {fw: ["middleware.py"] for fw in FRAMEWORKS},
    "error reporting": {fw: ["reporting.py"] for fw in FRAMEWORKS},
}


def _rendered_name(path: Path) -> str:
    name = CONDITIONAL.sub("", path.name)
    return name.removesuffix(".jinja")


def _find(root: Path, relative: str) -> Path:
    """The template file that renders as `relative` under `root`."""
    *folders, name = relative.split("/")
    for candidate in root.rglob("*"):
        if not candidate.is_file() or _rendered_name(candidate) != name:
            continue
        parts = [CONDITIONAL.sub("", part) for part in candidate.relative_to(root).parts[:-1]]
        if parts == folders:
            return candidate
    raise AssertionError(f"{root.relative_to(TEMPLATES)}: no {relative}")


def _package(framework: str) -> Path:
    return TEMPLATES / framework / "{{project_slug}}"


def _names(cell: str) -> list[str]:
    # The backticked identifiers; a signature note such as `item_update(*, ...)` is not
    # one (test_item_update_takes_data checks it).
    return list(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", cell))


def _defines(text: str, name: str) -> bool:
    pattern = rf"^(?:async def|def|class) {name}\b|^{name}\s*[:=]"
    return re.search(pattern, text, re.M) is not None


def _heading(readme: str, title: str) -> bool:
    # A heading may follow a Jinja tag on its line (`{% if realtime %}## ...`) and go on
    # after the title (`## Accounts: password reset, ...`).
    pattern = rf"^(?:\{{%[^%]*%\}})?## {re.escape(title)}(?!\w)"
    return re.search(pattern, readme, re.M) is not None


def test_the_table_covers_the_shared_ideas() -> None:
    expected = {
        "settings", "database URL", "models", "user creation", "email taken",
        "email normalization",
        "item reads", "item services", "token helpers", "health", "emails", "login throttle",
        "background jobs (`tasks`)", "item events (`realtime`, Django and FastAPI)",
        "logs", "request ids", "error reporting", "superuser", "tests and coverage",
        "lint", "server address and workers", "dependencies",
        "fresh interpreters in the tests",
    }  # fmt: skip
    assert set(ROWS) == expected
    assert set(MODULES) <= set(ROWS)


@pytest.mark.parametrize("concept", sorted(MODULES))
def test_each_starter_defines_the_names_of_the_table(concept: str) -> None:
    names = _names(ROWS[concept]["names"])
    assert names, concept
    for framework, modules in MODULES[concept].items():
        text = "\n".join(_find(_package(framework), module).read_text() for module in modules)
        missing = [name for name in names if not _defines(text, name)]
        assert not missing, f"{framework} {concept}: {missing} not defined in {modules}"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_item_update_takes_data(framework: str) -> None:
    assert "`item_update(*, item, data)`" in ROWS["item services"]["names"]
    module = MODULES["item services"][framework][0]
    text = _find(_package(framework), module).read_text()
    signature = re.search(r"def item_update\((.*?)\)", text, re.S)
    assert signature, framework
    parameters = [part.split(":")[0].strip() for part in signature.group(1).split(",")]
    assert parameters[0] == "*" and "item" in parameters and "data" in parameters, parameters
    assert "changes" not in parameters


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_old_names_are_gone(framework: str) -> None:
    old = re.compile(
        r"\b(EmailAlreadyRegistered(?:Error)?|user_register|normalise_database_url"
        r"|database_from_url|read_access_token|RequestLog)\b"
    )
    root = TEMPLATES / framework
    for path in root.rglob("*"):
        if path.is_file() and "_locks" not in path.parts and path.suffix != ".gz":
            found = old.search(path.read_text(errors="replace"))
            assert found is None, f"{path.relative_to(TEMPLATES)}: {found and found.group()}"


def _test_files(framework: str) -> set[str]:
    return {_rendered_name(path) for path in (TEMPLATES / framework / "tests").iterdir()}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_test_files_follow_the_table(framework: str) -> None:
    files = _test_files(framework)
    for concept, row in ROWS.items():
        if not row["test file"]:
            continue
        if concept in MODULES and framework not in MODULES[concept]:
            continue
        name = row["test file"].strip("`").removeprefix("tests/")
        assert name in files, f"{framework}: no tests/{name} ({concept})"
    assert not {"test_accounts.py", "test_config.py"} & files


def _makefile(framework: str) -> str:
    return (TEMPLATES / framework / "Makefile.jinja").read_text()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_makefile_targets_follow_the_table(framework: str) -> None:
    makefile = _makefile(framework)
    for concept, row in ROWS.items():
        for target in re.findall(r"`([a-z-]+)`", row["target"]):
            assert re.search(rf"^{target}:", makefile, re.M), (
                f"{framework}: no {target} ({concept})"
            )


def test_host_port_and_workers_are_set_the_same_way() -> None:
    lines = {
        framework: [
            line
            for line in _makefile(framework).splitlines()
            if re.match(r"(HOST|PORT|WEB_CONCURRENCY) ", line)
        ]
        for framework in FRAMEWORKS
    }
    assert len(lines["fastapi"]) == 3
    assert lines["django"] == lines["flask"] == lines["fastapi"]
    cell = ROWS["server address and workers"]["module"]
    for line in lines["fastapi"]:
        assert line.split("$(shell")[0] in cell, line


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_coverage_floor_is_in_addopts(framework: str) -> None:
    pyproject = (TEMPLATES / framework / "pyproject.toml.jinja").read_text()
    addopts = re.search(r"^addopts = \"(.*)\"$", pyproject, re.M)
    assert addopts and "--cov-fail-under=90" in addopts.group(1)
    assert "--cov-fail-under=90" in ROWS["tests and coverage"]["module"]
    test_recipe = _makefile(framework).split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "--cov" not in test_recipe, "the floor lives in pyproject.toml only"


def test_fresh_interpreters_start_ahead_the_same_way_in_every_starter() -> None:
    """One `tests/processes.py` (and its test), byte for byte, started by each conftest;
    no other way."""
    for name in ("processes.py", "test_processes.py"):
        same = {(TEMPLATES / fw / "tests" / name).read_bytes() for fw in FRAMEWORKS}
        assert len(same) == 1, f"tests/{name} differs between the starters"
    text = (TEMPLATES / "fastapi" / "tests" / "processes.py").read_text()
    assert "{{" not in text and "{%" not in text  # no Jinja: copied as it is
    for name in _names(ROWS["fresh interpreters in the tests"]["names"]):
        assert _defines(text, name), name
    for framework in FRAMEWORKS:
        tests = TEMPLATES / framework / "tests"
        conftest = _find(tests, "conftest.py").read_text()
        assert "processes.start(" in conftest and "processes.stop()" in conftest, framework
        for path in tests.iterdir():
            found = re.search(r"started_early|early_process", path.read_text())
            assert found is None, f"{framework}: {path.name} uses {found and found.group()}"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_readme_sections_follow_the_table(framework: str) -> None:
    readme = (TEMPLATES / framework / "README.md.jinja").read_text()
    for concept, row in ROWS.items():
        if not row["readme"] or (concept in MODULES and framework not in MODULES[concept]):
            continue
        # "Admin (FastAPI: Run)": FastAPI has the idea under another heading.
        title, _, fastapi_title = row["readme"].partition(" (FastAPI: ")
        if framework == "fastapi" and fastapi_title:
            title = fastapi_title.rstrip(")")
        assert _heading(readme, title), f"{framework} README: no '## {title}' ({concept})"


def test_the_request_id_middleware_is_named_alike_in_the_operations_table() -> None:
    operations = DOC.read_text().split("## Operations (side by side)", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in operations.splitlines() if line.startswith("| request ids"))
    assert row.count("`RequestIdMiddleware`") == 3


# Concepts with a module but no shared function name (the names test skips them).
LOCATIONS: dict[str, dict[str, list[str]]] = {
    **MODULES,
    "health": {fw: ["health.py"] for fw in FRAMEWORKS},
    "superuser": {
        "django": ["users/management/commands/create_superuser.py"],
        "flask": ["cli.py"],
        "fastapi": ["cli.py"],
    },
}


@pytest.mark.parametrize("concept", sorted(LOCATIONS))
def test_each_concept_lives_in_the_module_of_the_table(concept: str) -> None:
    cell = ROWS[concept]["module"]
    for framework, modules in LOCATIONS[concept].items():
        for module in modules:
            _find(_package(framework), module)  # fails when the starter has no such file
            assert f"`{module}`" in cell, f"{concept}: the table does not name {module}"


def _package_files(framework: str) -> dict[str, str]:
    root = _package(framework)
    return {
        "/".join(CONDITIONAL.sub("", part) for part in path.relative_to(root).parts).removesuffix(
            ".jinja"
        ): path.read_text()
        for path in root.rglob("*.py*")
        if path.is_file() and path.suffix in {".py", ".jinja"}
    }


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_health_check_is_in_health_py_only(framework: str) -> None:
    files = _package_files(framework)
    probing = sorted(name for name, text in files.items() if "SELECT 1" in text)
    assert probing == ["health.py"]
    assert "api/health.py" not in files
    assert not any("class HealthApi" in text for name, text in files.items() if name != "health.py")


def _function(text: str, name: str) -> str:
    match = re.search(rf"^def {name}\(.*?(?=^\S|\Z)", text, re.S | re.M)
    assert match, name
    return match.group()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_decode_access_token_returns_claims_or_none(framework: str) -> None:
    """One behaviour: the claims of a good token, None for any other; it never raises."""
    module = MODULES["token helpers"][framework][0]
    decode = _function(_find(_package(framework), module).read_text(), "decode_access_token")
    signature = decode.split(":\n", 1)[0]
    assert signature.endswith("-> AccessClaims | None"), signature
    assert "raise" not in decode
    assert "return None" in decode
    assert "`AccessClaims`" in ROWS["token helpers"]["names"]


SUPERUSER_COMMANDS = {
    "django": "$(MANAGE) create_superuser",
    "flask": "create-superuser",
    "fastapi": "-m {{ project_slug }}.cli create-superuser",
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_make_superuser_promotes_or_creates_alike(framework: str) -> None:
    makefile = _makefile(framework)
    rule = re.search(r"^superuser: +## (.*)\n\t(.*)$", makefile, re.M)
    assert rule, framework
    purpose, recipe = rule.groups()
    assert purpose.lower() == (
        "create the admin account, or promote an existing one (asks for the email)"
    )
    assert SUPERUSER_COMMANDS[framework] in recipe

    [module] = LOCATIONS["superuser"][framework]
    command = _find(_package(framework), module).read_text()
    # An existing account is promoted and keeps its password; a new one is created.
    assert "user_promote(" in command
    assert "is_superuser=True" in command
    assert 'f"Promoted {user.email} to superuser (its password is unchanged)."' in command
    assert 'f"Created superuser {user.email}."' in command
    # A new account's password is asked twice (each starter's test_cli.py checks that
    # promoting asks nothing).
    assert '"Password (8 to 128 characters)' in command
    assert "confirmation_prompt=True" in command or '"Password (again): "' in command

    readme = (TEMPLATES / framework / "README.md.jinja").read_text()
    section = readme.split("\n## Admin\n", 1)[1].split("\n## ", 1)[0]
    assert "`make superuser` asks for an email address." in section
    assert "keeps its password" in section
    assert "its password is asked twice" in section


def test_the_pre_commit_hooks_are_the_same_in_every_starter() -> None:
    """One `.pre-commit-config.yaml`, word for word: mypy takes its files from pyproject."""
    configs = {fw: (TEMPLATES / fw / ".pre-commit-config.yaml").read_text() for fw in FRAMEWORKS}
    assert len(set(configs.values())) == 1, "the starters' pre-commit configs differ"
    for framework in FRAMEWORKS:
        pyproject = (TEMPLATES / framework / "pyproject.toml.jinja").read_text()
        mypy = pyproject.split("[tool.mypy]", 1)[1].split("\n[", 1)[0]
        assert re.search(r"^files = \[", mypy, re.M), f"{framework}: [tool.mypy] has no files"
