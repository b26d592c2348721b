"""The one error hierarchy of scaffold.

Library code raises these with a message meant for a person; only the CLI prints them and
turns them into exit codes (see `scaffold.cli`).
"""

from __future__ import annotations


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
