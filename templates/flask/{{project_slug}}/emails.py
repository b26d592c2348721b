"""Email: building messages and sending them through SMTP, off the request path.

Settings: SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_TLS (STARTTLS), SMTP_SSL,
EMAILS_FROM (see .env.example). Without SMTP_HOST nothing is sent: in development and
test the whole message is written to this module's log instead (reset links included:
fine on a developer's machine); in production one warning says that mail is off.

A mail server that is down or refuses the message is one warning line in the log
("email delivery failed: <exception class>", never the address or the link), and never
an error answer: requests hand their mail to a small thread pool and do not wait.
"""

from __future__ import annotations

import html
import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app

logger = logging.getLogger(__name__)

# Seconds to connect to the mail server (and to wait on each exchange with it).
SMTP_TIMEOUT = 10
# Mail goes out from a few threads per process; more requests queue up behind them.
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="email")
_pending: set[Future[None]] = set()
_pending_lock = threading.Lock()


@dataclass(frozen=True)
class Email:
    """One message: a plain-text part and the same content as HTML."""

    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class MailSettings:
    """Where and how mail is sent (read from the app config, usable outside a request)."""

    host: str
    port: int
    user: str
    password: str
    tls: bool
    ssl: bool
    sender: str
    production: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            user=config["SMTP_USER"],
            password=config["SMTP_PASSWORD"],
            tls=config["SMTP_TLS"],
            ssl=config["SMTP_SSL"],
            sender=config["EMAILS_FROM"],
            production=config["ENVIRONMENT"] == "production",
        )

    def __repr__(self) -> str:
        # Never print the SMTP password (tracebacks, debuggers and logs call repr).
        return f"MailSettings(host={self.host!r}, port={self.port}, user={self.user!r})"


def password_reset_email(*, to: str, link: str, expire_minutes: int) -> Email:
    """The message that carries a password reset link."""
    text = (
        "Someone (hopefully you) asked to reset the password of your account.\n\n"
        f"Choose a new password here:\n{link}\n\n"
        f"The link can be used once and expires in {expire_minutes} minutes. If you did "
        "not ask for it, ignore this email: your password stays as it is.\n"
    )
    safe_link = html.escape(link, quote=True)
    body = (
        "<p>Someone (hopefully you) asked to reset the password of your account.</p>\n"
        f'<p><a href="{safe_link}">Choose a new password</a></p>\n'
        f"<p>Or copy this link into your browser: {safe_link}</p>\n"
        f"<p>The link can be used once and expires in {expire_minutes} minutes. If you "
        "did not ask for it, ignore this email: your password stays as it is.</p>\n"
    )
    return Email(to=to, subject="Reset your password", text=text, html=body)


def build_message(email: Email, *, sender: str) -> EmailMessage:
    """The MIME message: text/plain with a text/html alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    # The sender's domain, not this machine's name (which make_msgid would look up).
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


def send_email(
    *, to: str, subject: str, text: str, html: str, settings: MailSettings | None = None
) -> None:
    """Send one message now (or log it when SMTP_HOST is not set).

    Raises smtplib.SMTPException or OSError when the mail server is down or refuses.
    `settings` defaults to the current app's.
    """
    if settings is None:
        settings = MailSettings.from_config(current_app.config)
    email = Email(to=to, subject=subject, text=text, html=html)
    if not settings.host:
        if settings.production:
            logger.warning("email not sent: SMTP_HOST is not set")
        else:
            logger.info(
                "email not sent (SMTP_HOST is not set); it reads:\nTo: %s\nSubject: %s\n\n%s",
                email.to,
                email.subject,
                email.text,
            )
        return
    message = build_message(email, sender=settings.sender)
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.ssl:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    with smtp:
        if settings.tls:
            smtp.starttls(context=context)
        if settings.user:
            smtp.login(settings.user, settings.password)
        smtp.send_message(message)


def deliver(email: Email, settings: MailSettings) -> None:
    """Send `email`; a failure is one warning line, without the address or the content."""
    try:
        send_email(
            to=email.to,
            subject=email.subject,
            text=email.text,
            html=email.html,
            settings=settings,
        )
    except Exception as error:  # down, refused, TLS, bad address: all the same to the caller
        logger.warning("email delivery failed: %s", type(error).__name__)


def send_email_in_background(*, to: str, subject: str, text: str, html: str) -> None:
    """Hand the message to the mail threads and return at once.

    The request does not wait for the mail server: an answer takes about as long
    whether or not a message went out (no telling which emails have an account).
    """
    email = Email(to=to, subject=subject, text=text, html=html)
    settings = MailSettings.from_config(current_app.config)
    future = _executor.submit(deliver, email, settings)
    with _pending_lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future[None]) -> None:
    with _pending_lock:
        _pending.discard(future)


def wait_for_background_emails(timeout: float = 30.0) -> None:
    """Block until the mail handed over so far is sent or failed (tests, shutdown)."""
    with _pending_lock:
        pending = set(_pending)
    wait(pending, timeout=timeout)
