"""WSGI middleware: bounded bodies without Content-Length, and trusted proxy headers."""

from __future__ import annotations

import io
import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Set in the WSGI environ when a body without Content-Length went over the limit.
BODY_TOO_LARGE_KEY = "app.body_too_large"


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

    def is_trusted(self, address: str | None) -> bool:
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
