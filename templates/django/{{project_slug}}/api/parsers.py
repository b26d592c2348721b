"""Request body parsers."""

import codecs
from collections.abc import Mapping
from typing import IO, Any

from django.utils.http import parse_header_parameters
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def is_utf8(charset: str) -> bool:
    """Whether ``charset`` names UTF-8 (``utf-8``, ``UTF8``...)."""
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


class SafeJSONParser(JSONParser):
    """DRF's JSON parser for UTF-8 bodies only, and a 422 (not a 500) for absurd nesting.

    JSON is UTF-8 (RFC 8259): a body declared in another charset (``charset=utf-16``) is
    refused rather than decoded, as is one that is not valid UTF-8.
    """

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        _, params = parse_header_parameters(media_type or "")
        charset = params.get("charset")
        if charset is not None and not is_utf8(charset):
            raise ParseError("JSON bodies must be UTF-8")
        context = {**(parser_context or {}), "encoding": "utf-8"}
        try:
            return super().parse(stream, media_type, context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deeply") from exc
