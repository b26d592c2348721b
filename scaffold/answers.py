"""Template answers given on the command line, typed by the template's own questions.

`--data KEY=VALUE` arrives as text. Each value is converted by the type its question
declares in the template's `copier.yml` (as copier does), never by guessing: `1.10`, `On`
and `012` stay text for a `str` question, and a `bool` question takes exactly yes, no,
true, false, 1 or 0. A value outside a question's choices is refused here, with the
choices in words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scaffold.errors import BadInput
from scaffold.frameworks import Framework

Questions = dict[str, dict[str, Any]]

_TRUE = frozenset({"yes", "true", "1"})
_FALSE = frozenset({"no", "false", "0"})
# copier infers a question's type from its default's when `type` is not given.
_INFERRED = {bool: "bool", int: "int", float: "float", str: "str"}


def parse_pairs(items: list[str]) -> dict[str, str]:
    """`KEY=VALUE` items as a mapping of text values; `BadInput` for anything else."""
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise BadInput(
                f"--data expects KEY=VALUE, got {item!r}", hint="e.g. --data database=postgresql"
            )
        pairs[key.strip()] = value
    return pairs


def load_file(path: Path | None) -> dict[str, Any]:
    """The answers in a YAML file of `question: answer` (keys starting with `_` dropped)."""
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


def read_questions(template: Path) -> Questions:
    """The questions of the copier template in `template` (a bare value is its default)."""
    import yaml

    config = yaml.safe_load((template / "copier.yml").read_text()) or {}
    return {
        str(key): spec if isinstance(spec, dict) else {"default": spec}
        for key, spec in config.items()
        if not str(key).startswith("_")
    }


def questions_for(framework: Framework, template_source: str | None) -> Questions | None:
    """The questions of the template `scaffold new` will render, when they can be read.

    The bundled templates and a local template folder can; for a git URL there is nothing
    to read before the clone, so copier converts the answers by itself.
    """
    if template_source is None:
        from scaffold.store import package_templates

        return read_questions(package_templates() / framework.value)
    local = Path(template_source).expanduser()
    if (local / "copier.yml").is_file():
        return read_questions(local)
    return None


def _type_of(spec: dict[str, Any]) -> str:
    declared = spec.get("type")
    if isinstance(declared, str) and declared:
        return declared
    return _INFERRED.get(type(spec.get("default")), "yaml")


def _convert(key: str, text: str, type_name: str) -> Any:
    """One text answer as the declared type, or `BadInput` saying what is expected."""
    if type_name == "bool":
        lowered = text.strip().lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise BadInput(
            f"{key} is a yes/no question: answer yes, no, true, false, 1 or 0, not {text!r}",
            hint=f"--data {key}=yes or --data {key}=no",
        )
    try:
        if type_name == "int":
            return int(text)
        if type_name == "float":
            return float(text)
        if type_name == "json":
            return json.loads(text)
    except ValueError:
        raise BadInput(f"{key} expects a {type_name} value, not {text!r}") from None
    if type_name == "yaml":
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError:
            raise BadInput(f"{key} expects a YAML value, not {text!r}") from None
    return text  # str, and any type copier may add: copier checks it


def _choices(spec: dict[str, Any]) -> list[Any] | None:
    """A question's choice values, or None when it has none or they are templated."""
    choices = spec.get("choices")
    if isinstance(choices, dict):
        values = list(choices.values())
    elif isinstance(choices, list):
        values = list(choices)
    else:
        return None
    if any(isinstance(v, str) and ("{{" in v or "{%" in v) for v in values):
        return None
    return values


def convert(answers: dict[str, Any], questions: Questions | None) -> dict[str, Any]:
    """`answers` with every text value converted by its question's declared type.

    Values already typed (from an answers file) are kept, a number for a `str` question
    becoming its text. A value outside the question's choices is `BadInput` listing them.
    Keys the template does not ask, and every value when `questions` is None, pass through
    unchanged for the caller (and copier) to judge.
    """
    converted: dict[str, Any] = {}
    for key, value in answers.items():
        spec = (questions or {}).get(key)
        if spec is None:
            converted[key] = value
            continue
        type_name = _type_of(spec)
        if isinstance(value, str):
            typed = _convert(key, value, type_name)
        elif type_name == "str" and isinstance(value, int | float) and not isinstance(value, bool):
            typed = str(value)
        else:
            typed = value
        choices = _choices(spec)
        if choices is not None and typed not in choices:
            raise BadInput(
                f"{key} must be one of {', '.join(str(c) for c in choices)}, not {value!r}",
                hint=f"--data {key}={choices[0]}",
            )
        converted[key] = typed
    return converted
