"""Rich renderings of rankings, the framework comparison and results."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from scaffold.decision import Ranking
from scaffold.frameworks import COMPARISON, EVERY_STARTER, STARTER_PARTS, Framework


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
