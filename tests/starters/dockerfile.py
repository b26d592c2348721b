"""Just enough of a Dockerfile reader to run an image's entry command outside Docker.

It follows the Dockerfile reference for what the final stage of a starter's image uses:
line continuations, comment lines (also inside a continued instruction), stages
(``FROM ... AS name``, a stage built ``FROM`` an earlier one inherits its settings),
``ENV`` (both forms, ``$VAR`` / ``${VAR}`` expanded with the environment set so far),
``WORKDIR`` (relative to the previous one), ``USER``, ``CMD`` / ``ENTRYPOINT`` /
``HEALTHCHECK CMD`` (exec form when the text is a JSON array of strings, else shell form,
run by ``/bin/sh -c`` as Docker does) and ``COPY`` sources. Build arguments and the
other instructions are not evaluated: the starters' final stages do not need them.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

#: The environment of the ``python:*-slim`` base images that a starter's commands rely on.
BASE_IMAGE_ENV = {
    "PATH": "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}

_VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    arguments: str


@dataclass
class Stage:
    """What a build stage sets, as its image would carry it."""

    base: str
    name: str | None
    env: dict[str, str] = field(default_factory=lambda: dict(BASE_IMAGE_ENV))
    workdir: str = "/"
    user: str | None = None
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    healthcheck: list[str] | None = None
    #: ``(source, destination, from_stage)`` of each ``COPY`` / ``ADD``.
    copies: list[tuple[list[str], str, str | None]] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)

    def command(self) -> list[str]:
        """The container's command line: ``ENTRYPOINT`` (exec form) followed by ``CMD``."""
        if self.entrypoint is None:
            assert self.cmd, "the final stage has neither CMD nor ENTRYPOINT"
            return list(self.cmd)
        if self.entrypoint[:2] == ["/bin/sh", "-c"]:
            return list(self.entrypoint)  # shell form: CMD is ignored
        return [*self.entrypoint, *(self.cmd or [])]


def instructions(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, continuation lines joined, comments dropped."""
    found: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # a comment or blank line, also inside a continued instruction
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        whole = " ".join(part.strip() for part in pending)
        pending = []
        keyword, _, arguments = whole.partition(" ")
        found.append(Instruction(start, keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return found


def expand(value: str, env: dict[str, str]) -> str:
    """``$VAR`` and ``${VAR}`` replaced by their values in ``env`` (empty when unset)."""
    return _VARIABLE.sub(lambda m: env.get(m.group("braced") or m.group("bare"), ""), value)


def command_form(arguments: str) -> list[str]:
    """A ``CMD``/``ENTRYPOINT`` argument list: a JSON array of strings is the exec form;
    anything else (also a malformed array) is the shell form, run by ``/bin/sh -c``."""
    try:
        parsed = json.loads(arguments)
    except ValueError:
        parsed = None
    if isinstance(parsed, list) and parsed and all(isinstance(a, str) for a in parsed):
        return parsed
    return ["/bin/sh", "-c", arguments]


def _flags(arguments: str) -> tuple[dict[str, str], str]:
    """Leading ``--name=value`` flags of an instruction and the rest of its text."""
    flags: dict[str, str] = {}
    rest = arguments
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        name, _, value = flag[2:].partition("=")
        flags[name] = value
        rest = rest.lstrip()
    return flags, rest


def _set_env(stage: Stage, arguments: str) -> None:
    words = shlex.split(arguments, posix=True)
    if words and "=" not in words[0]:  # legacy form: ENV NAME value with spaces
        name, _, value = arguments.partition(" ")
        stage.env[name] = expand(value.strip(), stage.env)
        return
    for word in words:
        name, _, value = word.partition("=")
        stage.env[name] = expand(value, stage.env)


def stages(text: str) -> list[Stage]:
    """The build stages of a Dockerfile, in order; the last one is the image."""
    built: list[Stage] = []
    for instruction in instructions(text):
        keyword, arguments = instruction.keyword, instruction.arguments
        if keyword == "FROM":
            _, rest = _flags(arguments)
            words = rest.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            parent = next((s for s in built if s.name and s.name == words[0]), None)
            stage = Stage(base=words[0], name=name)
            if parent is not None:
                stage.env = dict(parent.env)
                stage.workdir, stage.user = parent.workdir, parent.user
                stage.entrypoint, stage.cmd = parent.entrypoint, parent.cmd
            built.append(stage)
            continue
        assert built, f"line {instruction.line}: {keyword} before the first FROM"
        stage = built[-1]
        if keyword == "ENV":
            _set_env(stage, arguments)
        elif keyword == "WORKDIR":
            target = expand(arguments, stage.env)
            stage.workdir = (
                target if target.startswith("/") else f"{stage.workdir.rstrip('/')}/{target}"
            )
        elif keyword == "USER":
            stage.user = expand(arguments, stage.env)
        elif keyword == "CMD":
            stage.cmd = command_form(arguments)
        elif keyword == "ENTRYPOINT":
            stage.entrypoint = command_form(arguments)
            stage.cmd = None  # Docker resets an inherited CMD when ENTRYPOINT is set
        elif keyword == "HEALTHCHECK":
            _, rest = _flags(arguments)
            check, _, command = rest.partition(" ")
            stage.healthcheck = None if check.upper() == "NONE" else command_form(command.strip())
        elif keyword in {"COPY", "ADD"}:
            flags, rest = _flags(arguments)
            words = command_form(rest) if rest.startswith("[") else shlex.split(rest)
            stage.copies.append((words[:-1], words[-1], flags.get("from")))
        elif keyword == "RUN":
            stage.runs.append(arguments)
    assert built, "no FROM in the Dockerfile"
    return built
