"""The command line: option parsing and printing only; the work is in the library modules.

Heavy modules (copier, questionary) are imported inside the commands that need them, so
`scaffold --help` stays fast.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from scaffold import __version__
from scaffold.errors import BadInput, ScaffoldError
from scaffold.frameworks import Framework

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    name="scaffold",
    help="Choose Django, Flask or FastAPI for the right reasons, then generate a "
    "production-ready starter that stays updatable with copier.",
    no_args_is_help=True,
    # Plain click help: typer's rich help panels import rich.markdown and friends, which
    # doubled the time of `scaffold --help` (benchmarks/cli.py, docs/performance.md).
    rich_markup_mode=None,
)
_state = {"debug": bool(os.environ.get("SCAFFOLD_DEBUG"))}

F = TypeVar("F", bound=Callable[..., Any])


class ConflictMode(StrEnum):
    """How `scaffold update` shows a clash between your change and the template's."""

    inline = "inline"
    rej = "rej"


@functools.cache
def out() -> Console:
    """The console for results (created on first use: importing rich costs start-up time)."""
    from rich.console import Console

    return Console()


@functools.cache
def err() -> Console:
    """The console for errors and hints, on stderr."""
    from rich.console import Console

    return Console(stderr=True)


def _handles_errors(command: F) -> F:
    """Turn library errors into one readable line and an exit code (1, or 2 for bad input)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ScaffoldError as exc:
            if _state["debug"]:
                raise
            err().print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
            if exc.hint:
                err().print(f"[dim]hint: {exc.hint}[/]", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err().print("aborted: nothing was written")
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if _state["debug"]:
                raise
            err().print(
                f"[bold red]unexpected error:[/] {type(exc).__name__}: {exc}",
                highlight=False,
                soft_wrap=True,
            )
            err().print("[dim]hint: run again with --debug for the traceback[/]")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        out().print(f"scaffold {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
) -> None:
    """Choose a Python web framework for the right reasons and generate its starter."""
    if debug:
        _state["debug"] = True


NeedOption = Annotated[
    list[str] | None,
    typer.Option(
        "--need",
        "-n",
        help="A need of the project (repeatable): html, admin, auth, cms, stability, "
        "frontend-and-api, flexible, prototype, serverless, beginner, api-first, "
        "concurrency, websockets, api-docs, ml, typing.",
    ),
]
KnowOption = Annotated[
    list[str] | None,
    typer.Option(
        "--know",
        "-k",
        help="A framework the team already knows (repeatable).",
    ),
]


def _decide(needs: list[str], known_names: list[str], ask: bool) -> Any:
    from scaffold import decision

    known = [decision.parse_framework(name) for name in known_names]
    if ask:
        from scaffold import prompts

        needs = needs or prompts.ask_needs()
        known = known or prompts.ask_known()
    return decision.recommend(needs, known)


def _parse_data(items: list[str]) -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise BadInput(f"--data expects KEY=VALUE, got {item!r}")
        # YAML parsing turns true/false and numbers into what copier's questions expect.
        parsed = yaml.safe_load(value) if value.strip() else value
        data[key.strip()] = parsed if isinstance(parsed, bool | int | float) else value
    return data


def _load_answers_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise BadInput(f"cannot read answers file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise BadInput(f"answers file {path} is not valid YAML: {exc}".splitlines()[0]) from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise BadInput(f"answers file {path} must hold a mapping of question: answer")
    return {str(k): v for k, v in loaded.items() if not str(k).startswith("_")}


DataOption = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        "-d",
        help="A template answer KEY=VALUE (repeatable), e.g. -d database=postgresql.",
    ),
]
AnswersFileOption = Annotated[
    Path | None,
    typer.Option(
        "--answers-file",
        help="A YAML file of template answers (--data wins over it).",
    ),
]
DefaultsOption = Annotated[
    bool,
    typer.Option(
        "--defaults",
        help="Accept every default and never prompt.",
    ),
]
SourceOption = Annotated[
    str | None,
    typer.Option(
        "--template-source",
        help="Render from this copier template (git URL or path) instead of the bundled one.",
    ),
]


def _suggestions(framework: Framework, needs: list[str]) -> dict[str, Any]:
    """Template answers implied by the needs: admin panel, server-rendered pages."""
    suggested: dict[str, Any] = {}
    if "admin" in needs or "cms" in needs:
        suggested["admin"] = True
    if framework is Framework.fastapi and ("html" in needs or "frontend-and-api" in needs):
        suggested["html"] = True
    return suggested


@app.command()
@_handles_errors
def new(
    dest: Annotated[
        Path | None, typer.Argument(help="Folder to create; its name is the project name.")
    ] = None,
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework",
            "-f",
            help="django, flask or fastapi: skip the decision questions.",
        ),
    ] = None,
    need: NeedOption = None,
    know: KnowOption = None,
    data: DataOption = None,
    answers_file: AnswersFileOption = None,
    defaults: DefaultsOption = False,
    template_source: SourceOption = None,
) -> None:
    """Create a project: decide the framework, answer its template, render, git init.

    On a terminal it asks what the project needs, recommends a framework with its
    reasons, lets you confirm or pick another, then asks the template's questions.
    Non-interactive: pass --framework or --need, and --defaults or --data answers.
    """
    from scaffold import decision
    from scaffold.display import show_ranking
    from scaffold.generate import NewProject, create, stdin_is_interactive
    from scaffold.names import check_destination

    interactive = stdin_is_interactive() and not defaults
    if dest is None:
        if not interactive:
            raise BadInput("missing DEST, the folder to create", hint="scaffold new myapp")
        from scaffold.prompts import ask_destination

        dest = Path(ask_destination())
    destination = check_destination(dest)
    answers = {**_load_answers_file(answers_file), **_parse_data(data or [])}
    needs = list(need or [])

    if framework is not None:
        chosen = decision.parse_framework(framework)
        decision.recommend(needs, [decision.parse_framework(k) for k in know or []])  # validates
    else:
        ranking = _decide(needs, know or [], ask=interactive and not needs and not know)
        needs = ranking.needs
        show_ranking(out(), ranking)
        if interactive:
            from scaffold.prompts import choose_framework

            chosen = choose_framework(ranking)
        else:
            chosen = ranking.best
            out().print(f"Using {chosen.label} (pass --framework to choose another).")

    plan = NewProject(
        destination=destination,
        framework=chosen,
        answers=answers,
        suggestions=_suggestions(chosen, needs),
        use_defaults=defaults,
        interactive=interactive,
        template_source=template_source,
    )
    created = create(plan)
    from scaffold.display import next_steps

    shown = os.path.relpath(created.path)
    out().print(
        f"\n[bold green]Created[/] {'this folder' if shown == '.' else shown}: "
        f"a {chosen.label} starter "
        f"(template {created.version or 'unversioned'}), committed with git.\n"
        + next_steps(shown, created.answers, active_venv=os.environ.get("VIRTUAL_ENV")),
        highlight=False,
    )


@app.command()
@_handles_errors
def update(
    path: Annotated[
        Path, typer.Argument(help="The generated project (default: the current folder).")
    ] = Path(),
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show what would change; change nothing.")
    ] = False,
    data: DataOption = None,
    ask: Annotated[bool, typer.Option("--ask", help="Ask the template's questions again.")] = False,
    template_source: SourceOption = None,
    conflict: Annotated[
        ConflictMode,
        typer.Option(
            "--conflict", help="inline: conflict markers in the files; rej: .rej files beside them."
        ),
    ] = ConflictMode.inline,
) -> None:
    """Bring a generated project up to the installed template version.

    Wraps `copier update`: the project must be a clean git work tree; your changes are
    kept, and where they clash with the template's, conflict markers show both sides.
    """
    from scaffold.update import update as run_update

    if ask and not sys.stdin.isatty():
        raise BadInput("--ask needs a terminal", hint="pass answers with --data KEY=VALUE")
    result = run_update(
        path,
        pretend=pretend,
        answers=_parse_data(data or []),
        use_defaults=not ask,
        template_source=template_source,
        conflict="rej" if conflict is ConflictMode.rej else "inline",
        quiet=not ask,
    )
    if result.moved_from:
        note = "pretending: not recorded" if pretend else "recorded in a commit of its own"
        out().print(f"Template source {result.moved_from} -> {result.source} ({note}).")
    versions = f"{result.old_version} -> {result.new_version}"
    files = f"{len(result.changes)} file{'' if len(result.changes) == 1 else 's'}"
    if not result.changes:
        out().print(f"Already up to date ({result.new_version}).")
    elif pretend:
        print(result.diff)
        out().print(f"Pretend update {versions}: {files} would change.")
    else:
        out().print(f"Updated {versions}: {files} changed.")
    for version, notes in result.notes:
        from rich.markdown import Markdown  # only here: it costs start-up time

        out().print(f"\n[bold]What template {version} changes[/]", highlight=False)
        out().print(Markdown(notes))
    if result.conflicts:
        out().print(
            "[bold yellow]Conflicts[/] (your version and the template's are both kept "
            "between markers): " + ", ".join(result.conflicts)
        )
    from rich.markup import escape

    for outcome in result.migrations:
        label = "[bold]Migrations[/]" if outcome.done else "[bold yellow]Migrations[/]"
        out().print(f"{label}: {escape(outcome.message)}", highlight=False)
    if not pretend and result.changes:
        out().print("Review with `git diff`, resolve any conflicts, then commit.")


@app.command()
@_handles_errors
def recommend(
    need: NeedOption = None,
    know: KnowOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the ranking as JSON for scripts.")
    ] = False,
) -> None:
    """Recommend a framework for the project's needs, with the reasons, ranked.

    Without --need on a terminal, asks about the needs in plain words.
    """
    from scaffold.generate import stdin_is_interactive

    ask = not need and not know and not as_json and stdin_is_interactive()
    ranking = _decide(need or [], know or [], ask)
    if as_json:
        print(json.dumps(ranking.as_dict(), indent=2))
    else:
        from scaffold.display import show_ranking

        show_ranking(out(), ranking)
        flags = "".join(f" --need {n}" for n in ranking.needs)
        out().print(
            f"\nTo create it: scaffold new DEST --framework {ranking.best.value}{flags}",
            highlight=False,
        )


@app.command()
@_handles_errors
def frameworks() -> None:
    """Compare Django, Flask and FastAPI, and list what each starter ships."""
    from scaffold.display import show_frameworks

    show_frameworks(out())


def main() -> None:
    """Console-script entry point."""
    app()
