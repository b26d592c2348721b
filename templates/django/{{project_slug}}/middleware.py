"""Middleware that keeps error answers in the contract's JSON shape."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from .api.errors import DATABASE_ERRORS, database_unavailable, json_error


class JsonErrorMiddleware:
    """A 503 JSON answer when the database is unreachable, a JSON body on Django's 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            json_response = json_error("Method Not Allowed", 405)
            json_response["Allow"] = response["Allow"]
            return json_response
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable()
        return None
