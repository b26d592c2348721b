"""Content negotiation that always answers JSON, whatever the client's Accept header says."""

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class JsonOnlyContentNegotiation(BaseContentNegotiation):
    """Pick the view's first renderer: no 406, no browsable API."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer: Any = next(iter(renderers))
        return renderer, renderer.media_type
