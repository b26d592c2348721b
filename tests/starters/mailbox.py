"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the tests.

The starters send their emails to it (``SMTP_HOST=127.0.0.1``, ``SMTP_PORT=<port>``,
``SMTP_TLS=false``); tests wait for a message to an address and read it as an
``email.message.EmailMessage``. A recipient whose address starts with ``refuse-`` is
refused with a 550, so a test can see what a starter does when a mail server says no.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from .harness import free_port

REFUSED_PREFIX = "refuse-"
#: The contract's reset link: ``<PUBLIC_URL>/reset-password?token=<TOKEN>``, alone on its
#: line or followed by white space (the token may end with ``.`` or ``~``).
RESET_TOKEN = r"/reset-password\?token=([A-Za-z0-9\-_.~]+)(?=\s|$)"


class _Handler:
    """aiosmtpd hooks: accept every recipient but the ``refuse-`` ones, keep each message."""

    def __init__(self, box: Mailbox) -> None:
        self._box = box

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower().startswith(REFUSED_PREFIX):
            self._box.refused.append(address)
            return "550 5.1.1 Recipient refused by the test sink"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self._box.add(message, list(envelope.rcpt_tos))
        return "250 Message accepted"


class Mailbox:
    """The SMTP sink as a context manager: ``with Mailbox() as box: ... box.port``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.refused: list[str] = []
        self._messages: list[tuple[EmailMessage, list[str]]] = []
        self._changed = threading.Condition()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Mailbox:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._controller.stop()

    def env(self) -> dict[str, str]:
        """The settings that point a starter at this sink (no TLS: it is loopback)."""
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port), "SMTP_TLS": "false"}

    def add(self, message: EmailMessage, recipients: list[str]) -> None:
        with self._changed:
            self._messages.append((message, recipients))
            self._changed.notify_all()

    def messages_to(self, address: str) -> list[EmailMessage]:
        """Every message received so far for ``address`` (case-insensitive)."""
        with self._changed:
            return [
                message
                for message, recipients in self._messages
                if address.lower() in (recipient.lower() for recipient in recipients)
            ]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30) -> list[EmailMessage]:
        """Wait until ``count`` messages for ``address`` arrived; fail after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [
                    message
                    for message, recipients in self._messages
                    if address.lower() in (recipient.lower() for recipient in recipients)
                ]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    break
                self._changed.wait(remaining)
        assert len(found) >= count, (
            f"{len(found)} of {count} message(s) to {address} within {timeout} s"
        )
        return found


def text_part(message: EmailMessage) -> str:
    """The ``text/plain`` body of a message (fails the test when there is none)."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"no text/plain part in {message!r}"
    content: str = part.get_content()
    return content


def html_part(message: EmailMessage) -> str:
    """The ``text/html`` body of a message (fails the test when there is none)."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "no text/html part"
    content: str = part.get_content()
    return content


def reset_token(message: EmailMessage, public_url: str) -> str:
    """The token of the reset link ``<public_url>/reset-password?token=...`` in the text part."""
    text = text_part(message)
    match = re.search(re.escape(public_url) + RESET_TOKEN, text)
    assert match, f"no {public_url}/reset-password?token=... link in:\n{text}"
    return match.group(1)
