"""ASGI middleware: security headers, allowed hosts and CORS."""

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class SecurityHeadersMiddleware:
    """Add the security headers to every response; refuse unknown hosts when asked to.

    `allowed_hosts=None` accepts any Host header (development and tests); otherwise a
    request for another host gets a JSON 400, like every other error.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: list[str] | None = None) -> None:
        self.app = app
        if allowed_hosts is not None and "*" in allowed_hosts:
            allowed_hosts = None
        self.allowed_hosts = allowed_hosts

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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        if not self._host_allowed(scope):
            body = json.dumps({"detail": "Invalid host header"}).encode()
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send_with_headers)


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
