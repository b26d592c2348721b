"""The interactive questions of `scaffold new` and `scaffold recommend` (questionary)."""

from __future__ import annotations

from typing import Any

from scaffold.decision import CRITERIA, Ranking
from scaffold.frameworks import Framework


def _ask(question: Any) -> Any:
    """Ask; Ctrl-C raises KeyboardInterrupt (questionary's `ask` would return None)."""
    return question.unsafe_ask()


def ask_destination() -> str:
    """The folder to create the project in."""
    import questionary

    return str(_ask(questionary.text("Project folder name:", default="myapp"))).strip()


def ask_needs() -> list[str]:
    """Which needs from the decision table apply to this project."""
    import questionary

    choices = [questionary.Choice(c.question, value=c.key) for c in CRITERIA]
    answer = _ask(questionary.checkbox("What does this project need?", choices=choices))
    return list(answer or [])


def ask_known() -> list[Framework]:
    """Which frameworks the team already knows."""
    import questionary

    choices = [questionary.Choice(f.label, value=f) for f in Framework]
    answer = _ask(
        questionary.checkbox("Which of these does your team already know?", choices=choices)
    )
    return list(answer or [])


def choose_framework(ranking: Ranking) -> Framework:
    """Accept the recommendation or pick another framework."""
    import questionary

    choices = [
        questionary.Choice(
            f"{r.framework.label} ({r.score} point{'' if abs(r.score) == 1 else 's'})"
            + ("  <- recommended" if i == 0 else ""),
            value=r.framework,
        )
        for i, r in enumerate(ranking.ranked)
    ]
    answer = _ask(
        questionary.select("Which framework shall we use?", choices=choices, default=choices[0])
    )
    return Framework(answer)
