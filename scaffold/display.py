"""Rich renderings of rankings, the framework comparison and results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from scaffold.decision import Ranking
from scaffold.frameworks import COMPARISON, EVERY_STARTER, STARTER_PARTS, Framework

if TYPE_CHECKING:
    from scaffold.update import UpdateResult


def show_ranking(console: Console, ranking: Ranking) -> None:
    """The three frameworks, best first, with the reasons behind each score."""
    if not ranking.needs and not ranking.known:
        console.print(
            "No needs given, so every framework scores 0; the order below is only a "
            "tie-break. Pass --need KEY (see `scaffold recommend --help`) for a real choice."
        )
    for place, ranked in enumerate(ranking.ranked, start=1):
        mark = "  [bold green]recommended[/]" if place == 1 else ""
        points = "point" if abs(ranked.score) == 1 else "points"
        console.print(f"[bold]{place}. {ranked.framework.label}[/]  {ranked.score} {points}{mark}")
        for reason in ranked.reasons:
            console.print(f"     {reason}", highlight=False)
    best = ranking.ranked[0].score
    tied = [r.framework.label for r in ranking.ranked if r.score == best]
    if len(tied) > 1 and (ranking.needs or ranking.known):
        console.print(
            f"{' and '.join(tied)} tie at {best} points: the first is recommended only by "
            "scaffold's fixed tie-break order (Django, FastAPI, Flask). Their reasons "
            "differ; pick the one that fits, or add a need that tells them apart."
        )


def show_frameworks(console: Console) -> None:
    """The comparison table of the three frameworks and what each starter ships."""
    for title, rows in (("The frameworks", COMPARISON), ("What each starter ships", STARTER_PARTS)):
        table = Table(title=title, title_justify="left", show_lines=False)
        table.add_column("")
        for framework in Framework:
            table.add_column(framework.label, overflow="fold")  # long words wrap, not cut
        for row in rows:
            table.add_row(*row)
        console.print(table)
    console.print(EVERY_STARTER)


def next_steps(shown: str, answers: dict[str, Any], active_venv: str | None) -> str:
    """What to type after `scaffold new`, for the answers the project was made with."""
    steps = [] if shown == "." else [f"cd {shown}"]
    if active_venv:  # the Makefile installs into an active virtual environment
        steps.append(f"deactivate      # or make install puts the project into {active_venv}")
    steps.append("make install    # a virtual environment with the project and its dev tools")
    if answers.get("database") == "postgresql" and answers.get("docker"):
        steps.append("docker compose up -d db   # the PostgreSQL that DATABASE_URL in .env names")
    elif answers.get("database") == "postgresql":
        steps.append("# create the PostgreSQL user and database in .env's DATABASE_URL (README)")
    steps += [
        "make migrate    # create the database tables",
        "make dev        # http://127.0.0.1:8000/docs",
        "make test       # the project's own test suite",
    ]
    lines = "".join(f"  {step}\n" for step in steps)
    return f"Next steps:\n{lines}Later, `scaffold update` brings in new template versions."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def conflict_lines(result: UpdateResult) -> list[str]:
    """Where each side of every conflict this update made is, for its --conflict mode."""
    if not result.conflicts:
        return []
    if result.conflict_mode == "rej":
        lines = [
            f"Conflicts in {_plural(len(result.conflicts), 'file')} (--conflict rej): each "
            "file now holds the template's version; your change that clashed with it is "
            "only in FILE.rej beside it (a diff hunk git does not track):"
        ]
        lines += [f"  {name}  <- yours: {name}.rej" for name in result.conflicts]
        lines.append("Apply each .rej by hand where it still fits, then delete the .rej files.")
        return lines
    lines = [
        f"Conflicts in {_plural(len(result.conflicts), 'file')}: each holds both sides, "
        "yours between `<<<<<<< before updating` and `=======`, the template's between "
        "`=======` and `>>>>>>> after updating`:"
    ]
    lines += [f"  {name}" for name in result.conflicts]
    lines.append("Keep what you want, remove the marker lines, then `git add` the file.")
    return lines


def show_update(console: Console, result: UpdateResult, *, pretend: bool) -> None:
    """What `scaffold update` did (or, pretending, would do), and what is left to do."""
    if result.dirty:
        console.print(
            f"Note: the tree has uncommitted changes ({_plural(len(result.dirty), 'file')}); "
            "this preview updates the last commit without them. A real update needs them "
            "committed or stashed.",
            highlight=False,
        )
    if result.moved_from:
        note = "pretending: not recorded" if pretend else "recorded in a commit of its own"
        # soft_wrap: long paths stay whole on one line, to be copied.
        console.print(
            f"Template source {result.moved_from} -> {result.source} ({note}).",
            highlight=False,
            soft_wrap=True,
        )
    if result.old_version == result.new_version:
        versions = f"with template {result.new_version} (same version, new answers)"
    else:
        versions = f"{result.old_version} -> {result.new_version}"
    files = _plural(len(result.changes), "file")
    if not result.changes:
        console.print(f"Already up to date ({result.new_version}).", highlight=False)
    elif pretend:
        console.out(result.diff, highlight=False)
        console.print(f"Pretend update {versions}: {files} would change.", highlight=False)
    else:
        console.print(f"Updated {versions}: {files} changed.", highlight=False)
    for version, notes in result.notes:
        from rich.markdown import Markdown  # only here: it costs start-up time

        console.print(f"\n[bold]What template {version} changes[/]", highlight=False)
        console.print(Markdown(notes))
    for name in result.kept:
        console.print(
            f"kept: {name} - you changed it; the template no longer produces it",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    record = "would no longer record" if pretend else "no longer records"
    for key in result.dropped_answers:
        console.print(
            f"dropped answer: {key} - the template has no such question; "
            f".copier-answers.yml {record} it",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    for line in result.report:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    for line in conflict_lines(result):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if not pretend and result.changes:
        console.print("Review with `git diff`, resolve any conflicts, then commit.")
