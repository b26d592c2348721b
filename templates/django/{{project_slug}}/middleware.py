"""Middleware: request ids and access lines, proxy trust, the body size limit and error
answers in the contract's JSON shape."""

import io
import ipaddress
import logging
import time
from collections.abc import Callable
from functools import lru_cache, partial
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.log import log_response

from .api.errors import DATABASE_ERRORS, database_unavailable, json_error
from .logs import ACCESS_LOGGER, REQUEST_ID_HEADER, current_request_id, request_id_from

MAX_BODY_BYTES = 1024 * 1024
BODY_TOO_LARGE = "Request body is too large"


access_logger = logging.getLogger(ACCESS_LOGGER)


class RequestIdMiddleware:
    """First in MIDDLEWARE: the request id of every line, the X-Request-ID header of every
    answer (errors, 404s, 429s and pre-flights too) and one access line per request.

    A sane incoming X-Request-ID (a proxy's) is kept, anything else replaced by a new one. The
    access line names the path only: never the query string, where reset tokens travel.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if response.status_code >= 400:
                # Django's "Not Found: /path" line, written here (it is written once) so that
                # it carries the request id: Django would write it after this middleware.
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
            # Percent-encoded again: a decoded newline or space cannot break the line.
            path = quote(request.path, safe="/:@!$&'()*+,;=-._~")
            access_logger.info(
                "%s %s %d",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


TRUSTED_CACHE_SIZE = 1024


def _is_trusted(address: str, trusted: list[str]) -> bool:
    """Whether ``address`` is one of the peers named in FORWARDED_ALLOW_IPS."""
    if "*" in trusted:
        return True
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if peer in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


class ProxyHeadersMiddleware:
    """Believe ``X-Forwarded-Proto``/``X-Forwarded-For`` only from peers in FORWARDED_ALLOW_IPS.

    From any other peer both headers are dropped, so a client cannot claim HTTPS (and get
    HSTS or secure cookies decided for it) nor pick its own address.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted: list[str] = list(settings.FORWARDED_ALLOW_IPS)
        # The verdict for each address is kept (as the Flask starter's TrustedProxyFix does):
        # parsing it and matching the networks again cost about 1 % of an API request.
        self.is_trusted = lru_cache(maxsize=TRUSTED_CACHE_SIZE)(
            partial(_is_trusted, trusted=self.trusted)
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if not self.is_trusted(str(meta.get("REMOTE_ADDR", ""))):
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
            meta.pop("HTTP_X_FORWARDED_FOR", None)
        elif forwarded_for := str(meta.get("HTTP_X_FORWARDED_FOR", "")):
            # The nearest address that is not one of our proxies is the client.
            hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
            while len(hops) > 1 and self.is_trusted(hops[-1]):
                hops.pop()
            if hops:
                meta["REMOTE_ADDR"] = hops[-1]
        return self.get_response(request)


def _too_large(length: str) -> bool:
    """Whether a Content-Length (decimal digits) is over the limit; no int() of huge strings."""
    return len(length) > 12 or int(length) > MAX_BODY_BYTES


class BodySizeLimitMiddleware:
    """413 for a body over 1 MiB, from its Content-Length, before anything reads it.

    A chunked body (no Content-Length) is read up to one byte over the limit, then either
    refused or handed on as if its length had been announced.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        length = str(meta.get("CONTENT_LENGTH") or "").strip()
        if length.isascii() and length.isdigit():
            if _too_large(length):
                return json_error(BODY_TOO_LARGE, 413)
        elif "chunked" in str(meta.get("HTTP_TRANSFER_ENCODING", "")).lower() and (
            stream := meta.get("wsgi.input")
        ):
            # No length announced: read at most one byte over the limit, then stop.
            body = stream.read(MAX_BODY_BYTES + 1)
            if len(body) > MAX_BODY_BYTES:
                return json_error(BODY_TOO_LARGE, 413)
            meta["CONTENT_LENGTH"] = str(len(body))
            request._stream = io.BytesIO(body)
        return self.get_response(request)


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
            return database_unavailable(exception)
        return None
