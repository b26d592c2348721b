"""jinja2's compiled templates, memoised within a run and kept on disk across runs.

copier sends every path part and every file of a template through jinja2, which parses
each source and compiles it to Python bytecode before rendering it. A render asks for the
same short strings hundreds of times, and every `scaffold new` asks for the same few
hundred sources as the last one: compiling them was a sixth of the command's time.

Compiled code is a function of the jinja2 and Python versions, of the environment (its
class, syntax, options, extensions, filters and tests), of the template's name and of
its source; all of them make up the key. Code objects are stored with `marshal`, the
format of `.pyc` files, one file per key, written atomically so that parallel runs can
share the folder. A file that cannot be read is compiled again; the folder can be
deleted at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment


def cache_dir() -> Path:
    """Where compiled templates are kept."""
    if home := os.environ.get("SCAFFOLD_HOME"):
        return Path(home).expanduser() / "cache" / "jinja"
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache).expanduser() / "scaffold" / "jinja"


def _qualified(value: Any) -> str:
    kind = value if isinstance(value, type) else type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def environment_key(env: Environment) -> bytes:
    """Everything about `env` that the code jinja2 compiles for it depends on."""
    import jinja2

    def flag(value: Any) -> str:  # a callable option counts by its identity, not its id
        return repr(value) if value is None or isinstance(value, bool) else _qualified(value)

    parts = [
        jinja2.__version__,
        importlib.util.MAGIC_NUMBER.hex(),
        _qualified(env),
        _qualified(env.code_generator_class),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        repr(env.line_statement_prefix),
        repr(env.line_comment_prefix),
        repr((env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline)),
        repr(env.newline_sequence),
        repr((env.optimized, env.is_async)),
        flag(env.autoescape),
        flag(env.finalize),
        ",".join(sorted(_qualified(ext) for ext in env.extensions.values())),
        ",".join(sorted(env.filters)),
        ",".join(sorted(env.tests)),
    ]
    return "\0".join(parts).encode()


def _with_filename(code: CodeType, filename: str) -> CodeType:
    """`code` and the code objects nested in it, as if compiled from `filename`."""
    consts = tuple(
        _with_filename(const, filename) if isinstance(const, CodeType) else const
        for const in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)


def _load(path: Path) -> CodeType | None:
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _store(path: Path, code: CodeType) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        scratch.write_bytes(marshal.dumps(code))
        scratch.replace(path)
    except OSError:
        pass  # a read-only or full disk only costs the next run a compile


@contextlib.contextmanager
def compiled_templates(folder: Path | None = None) -> Iterator[None]:
    """Route every jinja2 compile in the block through the memo and the disk cache."""
    from jinja2 import Environment

    folder = folder or cache_dir()
    original: Callable[..., Any] = Environment.compile
    memo: dict[tuple[Any, ...], Any] = {}
    env_keys: dict[int, tuple[Environment, bytes]] = {}

    def compile_cached(
        self: Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if not isinstance(source, str):
            return original(self, source, name, filename, raw, defer_init)
        key = (id(self), source, name, filename, raw, defer_init)
        if key in memo:
            return memo[key]
        if id(self) not in env_keys:  # the env is kept alive so its id is not reused
            env_keys[id(self)] = (self, environment_key(self))
        result: Any
        if raw:
            result = original(self, source, name, filename, raw, defer_init)
        else:
            digest = hashlib.sha256(env_keys[id(self)][1])
            digest.update(repr((name, defer_init)).encode() + b"\0" + source.encode())
            path = folder / f"{digest.hexdigest()}.code"
            cached = _load(path)
            if cached is not None:
                result = _with_filename(cached, filename or "<template>")
            else:
                result = original(self, source, name, filename, raw, defer_init)
                if isinstance(result, CodeType):
                    _store(path, result)
        memo[key] = result
        return result

    Environment.compile = compile_cached  # type: ignore[method-assign]
    try:
        yield
    finally:
        Environment.compile = original  # type: ignore[method-assign]
