"""WSGI middleware: request ids and the access log, bounded bodies without
Content-Length, and trusted proxy headers."""

from __future__ import annotations

import io
import ipaddress
import logging
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix

from .logs import request_id_from, request_id_var

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Set in the WSGI environ when a body without Content-Length went over the limit.
BODY_TOO_LARGE_KEY = "app.body_too_large"
REQUEST_ID_HEADER = "X-Request-ID"
access_logger = logging.getLogger(f"{__name__.partition('.')[0]}.access")


class RequestIdMiddleware:
    """The outermost layer: a request id for every request, and one access line each.

    The id is the client's X-Request-ID when it is sane (see logs.request_id_from),
    else a new one. It is in the X-Request-ID header of every response (errors and
    preflights too) and on every log line written while the request runs. The access
    line, `<METHOD> <path> <status>` at INFO on `<package>.access`, has the path
    without the query string: reset links carry their token there.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500  # what the server answers when the application raises

        def start(
            status_line: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Any:
            nonlocal status
            status = int(status_line.split(" ", 1)[0])
            headers = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status_line, headers, exc_info)

        try:
            return self.app(environ, start)
        finally:
            method = environ.get("REQUEST_METHOD", "")
            path = _path(environ)
            access_logger.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)


def _path(environ: WSGIEnvironment) -> str:
    """The request's path as the client sent it, decoded; never the query string."""
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    # WSGI hands paths over as latin-1 text holding the request's bytes.
    return str(raw.encode("latin-1", "replace").decode("utf-8", "replace")) or "/"


class BodyLimit:
    """Reads a body sent without Content-Length (chunked) up to `limit` bytes, no further.

    A body within the limit is handed on with its Content-Length, so the application
    reads it like any other; a bigger one is never read past the limit: the request is
    marked with BODY_TOO_LARGE_KEY, which the application answers with a 413. Bodies
    with a Content-Length are checked by the application before anything reads them.
    """

    def __init__(self, app: WSGIApplication, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        # A chunked body's Content-Length, if any, means nothing (RFC 9112 6.3).
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked or (not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated")):
            body = self._read(environ["wsgi.input"])
            if len(body) > self.limit:
                environ[BODY_TOO_LARGE_KEY] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    def _read(self, stream: Any) -> bytes:
        body = bytearray()
        while len(body) <= self.limit:
            chunk = stream.read(min(64 * 1024, self.limit + 1 - len(body)))
            if not chunk:
                break
            body.extend(chunk)
        return bytes(body)


TRUSTED_CACHE_SIZE = 1024


class TrustedProxyFix:
    """Proxy headers, believed only from trusted peers (FORWARDED_ALLOW_IPS).

    Behind a TLS-terminating proxy the app sees plain HTTP from the proxy's address. The
    proxy says what the client used in `X-Forwarded-Proto` and `X-Forwarded-For`; anyone
    else could send the same headers, so they count only when the direct peer is trusted.

    Apply werkzeug's ProxyFix (one proxy hop) to requests from trusted peers only.

    `trusted` holds the networks whose headers are believed; None trusts every peer
    (`FORWARDED_ALLOW_IPS=*`). From other peers the headers are removed, so nothing
    further down can mistake them for the truth.
    """

    FORWARDED_HEADERS = (
        "HTTP_X_FORWARDED_FOR",
        "HTTP_X_FORWARDED_PROTO",
        "HTTP_X_FORWARDED_HOST",
        "HTTP_X_FORWARDED_PORT",
        "HTTP_X_FORWARDED_PREFIX",
    )

    def __init__(self, app: WSGIApplication, trusted: Iterable[Network] | None) -> None:
        self.app = app
        self.trusted = None if trusted is None else tuple(trusted)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)
        # The verdict for each peer address is kept: parsing the address and matching the
        # networks again on every request cost about 4 % of an API request.
        self.is_trusted = lru_cache(maxsize=TRUSTED_CACHE_SIZE)(self._is_trusted)

    def _is_trusted(self, address: str | None) -> bool:
        if self.trusted is None:
            return True
        try:
            peer = ipaddress.ip_address((address or "").split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
            peer = peer.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        return any(peer in network for network in self.trusted)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        if self.is_trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for name in self.FORWARDED_HEADERS:
            environ.pop(name, None)
        return self.app(environ, start_response)
