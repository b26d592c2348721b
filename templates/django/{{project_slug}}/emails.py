"""Building and sending email through Django's email backend.

``settings.EMAIL_BACKEND`` is Django's SMTP backend when ``SMTP_HOST`` is set; without it,
``LogEmailBackend`` writes each message to this module's logger instead (the whole text in
development and test, one warning in production, where nobody should read tokens in logs).

Requests call ``send_email_in_background``: the message goes to a small thread pool, so the
answer never waits for the mail server, and a server that is down or refuses the message is
one warning line in the log, never an error page.
"""

import html
import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)

# Two threads per process: mail is rare, and a slow server must not pile up threads.
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="email")


@dataclass(frozen=True)
class Email:
    """A message ready to send: one recipient, a text part and an HTML part."""

    to: str
    subject: str
    text: str
    html: str


def send_email(*, to: str, subject: str, text: str, html: str) -> None:
    """Send one message now through the configured backend (raises on delivery errors)."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)


def _deliver(email: Email) -> None:
    """Send ``email``; a failure is one warning naming the error class (no address, no token)."""
    try:
        send_email(to=email.to, subject=email.subject, text=email.text, html=email.html)
    except Exception as exc:  # any failure of the mail server or the network
        logger.warning("email delivery failed: %s", type(exc).__name__)


def send_email_in_background(email: Email) -> "Future[None] | None":
    """Send ``email`` off the request path (inline when EMAILS_IN_BACKGROUND is off).

    Returns the pending delivery, or None when it already ran.
    """
    if settings.EMAILS_IN_BACKGROUND:
        return _executor.submit(_deliver, email)
    _deliver(email)
    return None


def password_reset_email(*, to: str, token: str, expire_minutes: int) -> Email:
    """The reset message: the link ``<PUBLIC_URL>/reset-password?token=<token>`` in both parts."""
    link = f"{settings.PUBLIC_URL}/reset-password?token={token}"
    text = (
        "Someone asked to reset the password of your account.\n\n"
        f"Choose a new password here:\n{link}\n\n"
        f"The link expires in {expire_minutes} minutes and works once. If you did not ask "
        "for it, ignore this email: your password stays as it is.\n"
    )
    safe_link = html.escape(link)
    body = (
        "<p>Someone asked to reset the password of your account.</p>"
        f'<p><a href="{safe_link}">Choose a new password</a></p>'
        f"<p>Or paste this link into your browser: {safe_link}</p>"
        f"<p>The link expires in {expire_minutes} minutes and works once. If you did not ask "
        "for it, ignore this email: your password stays as it is.</p>"
    )
    return Email(to=to, subject="Reset your password", text=text, html=body)


class LogEmailBackend(BaseEmailBackend):
    """The backend without ``SMTP_HOST``: messages go to the log instead of a mail server."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            if settings.ENVIRONMENT == "production":
                logger.warning("email not sent: SMTP_HOST is not set")
                continue
            logger.info(
                "email not sent (SMTP_HOST is not set):\nTo: %s\nSubject: %s\n\n%s",
                ", ".join(message.to),
                message.subject,
                message.body,
            )
        return len(email_messages)
