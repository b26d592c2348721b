"""The one error hierarchy of scaffold.

Library code raises these with a message meant for a person; only the CLI prints them and
turns them into exit codes (see `scaffold.cli`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator


class ScaffoldError(Exception):
    """A failure the user can understand and act on (exit code 1)."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class BadInput(ScaffoldError):
    """Bad usage or bad input: an invalid name, a non-empty destination... (exit code 2)."""

    exit_code = 2


# copier's answer errors are plain ValueErrors; these name the question they are about.
_ANSWER_ERRORS = (
    re.compile(r"^Validation error for question '(?P<key>[^']+)': (?P<why>.*)", re.S),
    re.compile(r"^Invalid choice for '(?P<key>[^']+)': (?P<why>.*)", re.S),
    re.compile(r'^Question "(?P<key>[^"]+)" is (?P<why>required)$', re.S),
)


def answer_error(exc: ValueError) -> tuple[str, str] | None:
    """(question, reason) when `exc` is copier refusing an answer, else None."""
    text = str(exc).strip()
    for pattern in _ANSWER_ERRORS:
        if match := pattern.match(text):
            why = " ".join(match["why"].split())  # validators wrap their messages
            return match["key"], why
    return None


@contextlib.contextmanager
def copier_errors(doing: str, *, answer_hint: str, ask_hint: str) -> Iterator[None]:
    """Turn what copier raises while `doing` something into scaffold's errors.

    A refused answer becomes `BadInput` naming the question (with `answer_hint`, where
    `{key}` stands for the question); any other copier or rendering failure is a
    `ScaffoldError` that says what was being done, without the "fix the answer" hint.
    A question that cannot be asked (no terminal) is `BadInput` with `ask_hint`.
    """
    from copier.errors import CopierError, InteractiveSessionError

    try:
        yield
    except KeyboardInterrupt:
        raise KeyboardInterrupt from None  # copier's subclass carries a screenful of repr
    except InteractiveSessionError as exc:
        raise BadInput(f"cannot ask the template's questions here: {exc}", hint=ask_hint) from exc
    except ValueError as exc:  # copier's answer errors, and some of its render errors
        if refused := answer_error(exc):
            key, why = refused
            if why == "required":
                message = f"the template's question {key!r} has no default and no answer"
            else:
                message = f"the answer to {key!r} is refused: {why}"
            raise BadInput(message, hint=answer_hint.format(key=key)) from exc
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScaffoldError(f"{doing}: {first}") from exc
    except CopierError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScaffoldError(f"{doing}: {first}") from exc
