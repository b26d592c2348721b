"""The command line: option parsing and printing only; the work is in the library modules.

Heavy modules (copier, questionary) are imported inside the commands that need them, so
`scaffold --help` stays fast.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from scaffold import __version__
from scaffold.decision import need_help
from scaffold.errors import BadInput, ScaffoldError

if TYPE_CHECKING:
    from rich.console import Console

    from scaffold.decision import Ranking

app = typer.Typer(
    name="scaffold",
    help="Choose Django, Flask or FastAPI for the right reasons, then generate a "
    "production-ready starter that stays updatable with copier.",
    # A bare `scaffold` prints the help and exits 0 (see main_callback), as typer users
    # expect; click's no_args_is_help would exit 2, as for a usage error.
    invoke_without_command=True,
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
    ctx: typer.Context,
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
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


NeedOption = Annotated[
    list[str] | None,
    typer.Option(
        "--need",
        "-n",
        metavar="NEED[,NEED...]",
        help=need_help(),
    ),
]
KnowOption = Annotated[
    list[str] | None,
    typer.Option(
        "--know",
        "-k",
        metavar="FRAMEWORK[,FRAMEWORK...]",
        help="A framework the team already knows; repeat it or give a comma list (django,flask).",
    ),
]


def _decide(needs: list[str], known_names: list[str], ask: bool) -> Ranking:
    """The ranking for the given needs and known frameworks, asking for both when `ask`."""
    from scaffold import decision

    chosen = decision.parse_needs(needs)
    known = decision.parse_frameworks(known_names)
    if ask:
        from scaffold import prompts

        chosen = chosen or prompts.ask_needs()
        known = known or prompts.ask_known()
    return decision.recommend(chosen, known)


def _parse_data(items: list[str]) -> dict[str, Any]:
    """--data as text answers; `new` converts them by its template's question types, and
    copier converts them by the same types for `update`."""
    from scaffold.answers import parse_pairs

    return dict(parse_pairs(items))


def _nothing_asked(then: str) -> None:
    """Say that no need was given, so no framework is recommended, and what to do."""
    out().print(
        "Nothing was asked for: no need was picked, so every framework scores 0 and there "
        f"is no recommendation.\n{then}",
        highlight=False,
    )


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


@app.command(short_help="Create a project: choose the framework, render its starter.")
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
    from scaffold import answers as answer_types
    from scaffold import decision
    from scaffold.display import show_ranking
    from scaffold.generate import NewProject, create, stdin_is_interactive
    from scaffold.names import check_destination, check_folder

    interactive = stdin_is_interactive() and not defaults
    fixed = {**answer_types.load_file(answers_file), **_parse_data(data or [])}
    # The package name comes from the folder's name unless an answer names it.
    check = check_destination if {"project_slug", "project_name"} & set(fixed) else check_folder
    if dest is None:
        if not interactive:
            raise BadInput("missing DEST, the folder to create", hint="scaffold new myapp")
        from scaffold.prompts import ask_destination

        dest = Path(ask_destination(lambda text: check(Path(text))))
    destination = check(dest)
    needs = decision.parse_needs(need or [])
    known = decision.parse_frameworks(know or [])

    if framework is not None:
        chosen = decision.parse_framework(framework)
    elif not interactive and not needs and not known:
        raise BadInput(
            "nothing to choose the framework by: no --framework and no --need",
            hint="pass --framework django|flask|fastapi, or --need html,admin "
            "(scaffold recommend --help lists the needs)",
        )
    else:
        ranking = _decide(needs, [k.value for k in known], ask=interactive and not needs)
        needs = ranking.needs
        if ranking.needs or ranking.known:
            show_ranking(out(), ranking)
        else:
            _nothing_asked("Choose the framework yourself; `scaffold frameworks` compares them.")
        if interactive:
            from scaffold.prompts import choose_framework

            chosen = choose_framework(ranking)
        else:
            chosen = ranking.best
            out().print(f"Using {chosen.label} (pass --framework to choose another).")

    questions = answer_types.questions_for(chosen, template_source)
    fixed_answers = answer_types.convert(fixed, questions)
    decision.check_options(chosen, fixed_answers)
    for sentence in decision.unserved(chosen, needs):
        out().print(f"Not in the {chosen.label} starter: {sentence}", highlight=False)
    plan = NewProject(
        destination=destination,
        framework=chosen,
        answers=fixed_answers,
        suggestions=decision.suggestions(chosen, needs),
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


@app.command(short_help="Bring a generated project up to the installed template version.")
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
    kept (a file you changed is never deleted), and where they clash with the template's,
    the output says where each side is.
    """
    from scaffold.display import show_update
    from scaffold.generate import stdin_is_interactive
    from scaffold.update import update as run_update

    if ask and not stdin_is_interactive():
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
    show_update(out(), result, pretend=pretend)


@app.command(short_help="Rank the three frameworks for the project's needs, with reasons.")
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
    elif not ranking.needs and not ranking.known:
        _nothing_asked(
            "Pick the needs that apply (scaffold recommend --help lists them), for example:\n"
            "  scaffold recommend --need html,admin\n"
            "or compare the three frameworks: scaffold frameworks"
        )
    else:
        from scaffold.display import show_ranking

        show_ranking(out(), ranking)
        flags = f" --need {','.join(ranking.needs)}" if ranking.needs else ""
        out().print(
            f"\nTo create it: scaffold new DEST --framework {ranking.best.value}{flags}",
            highlight=False,
        )


@app.command(short_help="Compare Django, Flask and FastAPI and what each starter ships.")
@_handles_errors
def frameworks() -> None:
    """Compare Django, Flask and FastAPI, and list what each starter ships."""
    from scaffold.display import show_frameworks

    show_frameworks(out())


def main() -> None:
    """Console-script entry point."""
    app()
