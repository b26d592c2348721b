"""ASGI middleware: request ids and access lines, proxy headers, security headers, allowed
hosts, body size, CORS, and the request's database session."""

import ipaddress
import json
import logging
import time
from functools import lru_cache

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .db import close_request_session
from .logs import request_id_from, request_id_var

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
MAX_BODY_BYTES = 1024 * 1024  # 1 MiB
TRUSTED_CACHE_SIZE = 1024


async def send_json(send: Send, status: int, detail: str) -> None:
    """Answer `{"detail": ...}` with this status, straight from a middleware."""
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


access_logger = logging.getLogger(f"{__package__}.access")
logger = logging.getLogger(__name__)


class RequestIdMiddleware:
    """Give each request an id, answer it in `X-Request-ID`, write one access line.

    The id comes from the request's own X-Request-ID when it is sane (see
    `logs.request_id_from`), else it is made here; every log line written while the request
    is served carries it. The access line (logger `<package>.access`, INFO) holds the
    method, the path without its query string (links carry tokens there), the status and
    the duration. An error no handler answered is logged with its traceback and answered
    with a JSON 500 (with `debug`, Starlette's traceback page is shown instead).
    """

    def __init__(self, app: ASGIApp, *, debug: bool = False) -> None:
        self.app = app
        self.debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get("x-request-id"))
        token = request_id_var.set(request_id)
        try:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
            else:
                await self._http(scope, receive, send, request_id)
        finally:
            request_id_var.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status = message["status"]
                responded = True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if self.debug or responded:
                raise
            logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            await send_json(send_with_id, 500, "Internal Server Error")
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            access_logger.info(
                "%s %s %d",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )


class ProxyHeadersMiddleware:
    """Believe `X-Forwarded-Proto` and `X-Forwarded-For` from trusted peers only.

    `trusted` holds addresses and networks (FORWARDED_ALLOW_IPS); `*` trusts every peer.
    From any other peer the headers are ignored: the scheme and the client address stay
    those of the connection itself.
    """

    def __init__(self, app: ASGIApp, *, trusted: list[str]) -> None:
        self.app = app
        self.trust_all = "*" in trusted
        self.networks = [
            ipaddress.ip_network(entry, strict=False) for entry in trusted if entry != "*"
        ]
        # The verdict for each address is kept: parsing the peer's address and matching the
        # networks again on every request cost about 2 % of an API request.
        self.is_trusted = lru_cache(maxsize=TRUSTED_CACHE_SIZE)(self._is_trusted)

    def _is_trusted(self, host: str) -> bool:
        """True when `host` (an address) may set the forwarding headers."""
        if self.trust_all:
            return True
        try:
            address = ipaddress.ip_address(host.strip())
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def forwarded_client(self, forwarded_for: str) -> str | None:
        """The nearest address in X-Forwarded-For that is not a trusted proxy."""
        hosts = [host.strip() for host in forwarded_for.split(",") if host.strip()]
        if not hosts:
            return None
        for host in reversed(hosts):
            if not self.is_trusted(host):
                return host
        return hosts[0]  # every hop is trusted: the first one is the client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in {"http", "websocket"} and client and self.is_trusted(client[0]):
            headers = Headers(scope=scope)
            proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
            if proto in {"http", "https"}:
                if scope["type"] == "websocket":
                    proto = "wss" if proto == "https" else "ws"
                scope = {**scope, "scheme": proto}
            forwarded_client = self.forwarded_client(headers.get("x-forwarded-for", ""))
            if forwarded_client is not None:
                scope = {**scope, "client": (forwarded_client, 0)}
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Add the security headers to every response; refuse unknown hosts when asked to.

    `allowed_hosts=None` accepts any Host header (development and tests); otherwise a
    request for another host gets a JSON 400, like every other error. `hsts` adds
    Strict-Transport-Security to responses to HTTPS requests (production only). Every
    response varies with `Origin`, because CORS answers depend on it.
    """

    def __init__(
        self, app: ASGIApp, *, allowed_hosts: list[str] | None = None, hsts: bool = False
    ) -> None:
        self.app = app
        if allowed_hosts is not None and "*" in allowed_hosts:
            allowed_hosts = None
        self.allowed_hosts = allowed_hosts
        self.hsts = hsts

    def _host_allowed(self, scope: Scope) -> bool:
        if self.allowed_hosts is None:
            return True
        host = Headers(scope=scope).get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return any(
            name == allowed or (allowed.startswith(".") and name.endswith(allowed))
            for allowed in self.allowed_hosts
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.hsts and scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                vary = [part.strip().lower() for part in headers.get("vary", "").split(",")]
                if "origin" not in vary and "*" not in vary:
                    headers.add_vary_header("Origin")
            await send(message)

        if not self._host_allowed(scope):
            await send_json(send_with_headers, 400, "Invalid Host header")
            return
        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    """The request body went over the limit while it was being read."""


class BodySizeLimitMiddleware:
    """Refuse request bodies over `max_bytes` with a JSON 413, before anything parses them.

    A `Content-Length` over the limit is refused at once, unread. Otherwise the body is
    read here as it streams in (chunked bodies have no length), counting bytes and
    stopping at the limit, then handed to the application whole. So no route, JSON or
    form, ever holds more than `max_bytes` of a body.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _declared_too_large(self, scope: Scope) -> bool:
        length = Headers(scope=scope).get("content-length")
        if length is None:
            return False
        length = length.strip()
        # An unreadable length is the server's problem (it frames the body), not ours.
        return length.isdigit() and int(length) > self.max_bytes

    async def _read_body(self, receive: Receive) -> tuple[bytes, Message | None]:
        """The whole body, or BodyTooLarge; plus a disconnect message if one came."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), message  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._declared_too_large(scope):
            await send_json(send, 413, "Request body is too large")
            return
        try:
            body, early_message = await self._read_body(receive)
        except BodyTooLarge:
            await send_json(send, 413, "Request body is too large")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                if early_message is not None:
                    return early_message
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class RequestSessionMiddleware:
    """Close the database session a request opened (`db.get_session`) once it is answered.

    The innermost middleware: the session closes after the response has gone out, also
    when the route raised, so its connection always goes back to the pool.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            await close_request_session(scope)


class StrictCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, but a preflight from an unlisted origin goes to the app untouched.

    Starlette answers it with a plain-text 400; passing it through gives the usual JSON
    answer (405 for OPTIONS) and no CORS headers at all.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin is not None and not self.is_allowed_origin(origin):
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
