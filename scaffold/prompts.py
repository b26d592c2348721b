"""The interactive questions of `scaffold new` and `scaffold recommend` (questionary).

Every prompt says which keys answer it, shows a default as a default (never as text the
user would type after), and checks an answer when it is typed, asking again if it is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from scaffold.decision import CRITERIA, Ranking
from scaffold.errors import BadInput
from scaffold.frameworks import Framework

DEFAULT_FOLDER = "myapp"
CHECKBOX_HINT = "(space to select, enter when done)"
SELECT_HINT = "(arrows to move, enter to choose)"


def _ask(question: Any) -> Any:
    """Ask; Ctrl-C raises KeyboardInterrupt (questionary's `ask` would return None)."""
    return question.unsafe_ask()


def _echo(message: str, answer: str) -> None:
    """The line a finished prompt leaves behind: the question and the answer in words."""
    from rich.console import Console

    Console(highlight=False).print(f"[bold green]?[/] [bold]{message}[/] [cyan]{answer}[/]")


def ask_destination(check: Callable[[str], object]) -> str:
    """The folder to create the project in; Enter alone takes `DEFAULT_FOLDER`.

    `check` raises `BadInput` for a folder that cannot be used; its message is shown under
    the prompt and the question stays open until the answer is usable.
    """
    import questionary

    def validate(text: str) -> bool | str:
        try:
            check(text.strip() or DEFAULT_FOLDER)
        except BadInput as exc:
            return exc.message
        return True

    answer = _ask(
        questionary.text(
            "Project folder name:",
            instruction=f"(Enter for {DEFAULT_FOLDER})",
            validate=validate,
        )
    )
    return str(answer).strip() or DEFAULT_FOLDER


def _checkbox(message: str, choices: Sequence[tuple[str, Any]], none: str) -> list[Any]:
    """Tick any of `choices` ((title, value) pairs); the echo names what was ticked."""
    import questionary

    answer = _ask(
        questionary.checkbox(
            message,
            choices=[questionary.Choice(title, value=value) for title, value in choices],
            instruction=CHECKBOX_HINT,
            erase_when_done=True,  # questionary's echo only counts the ticks: ours names them
        )
    )
    picked = list(answer or [])
    titles = [title for title, value in choices if value in picked]
    _echo(message, ", ".join(titles) if titles else none)
    return picked


def ask_needs() -> list[str]:
    """Which needs from the decision table apply to this project."""
    return _checkbox(
        "What does this project need?",
        [(c.question, c.key) for c in CRITERIA],
        none="nothing picked",
    )


def ask_known() -> list[Framework]:
    """Which frameworks the team already knows."""
    return _checkbox(
        "Which of these does your team already know?",
        [(f.label, f) for f in Framework],
        none="none of them",
    )


def choose_framework(ranking: Ranking) -> Framework:
    """Accept the recommendation or pick another framework.

    With no need and no known framework there is nothing to recommend: the three are
    offered plainly, without points.
    """
    import questionary

    scored = bool(ranking.needs or ranking.known)
    choices = [
        questionary.Choice(
            f"{r.framework.label} ({r.score} point{'' if abs(r.score) == 1 else 's'})"
            + ("  <- recommended" if i == 0 else "")
            if scored
            else r.framework.label,
            value=r.framework,
        )
        for i, r in enumerate(ranking.ranked)
    ]
    answer = _ask(
        questionary.select(
            "Which framework shall we use?",
            choices=choices,
            default=choices[0],
            instruction=SELECT_HINT,
        )
    )
    return Framework(answer)
