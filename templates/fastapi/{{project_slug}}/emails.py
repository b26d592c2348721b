"""Building and sending emails (SMTP with the standard library's smtplib).

Without SMTP_HOST nothing is sent: development and tests write the whole email to the log
(logger `<package>.emails`, INFO), production logs one warning. A mail server that is down
or refuses the message is logged as one warning line; it never fails a request.
"""

import html
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from fastapi import BackgroundTasks

from .config import Settings, get_settings

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Email:
    """One message, ready to send: a plain-text part and an HTML part."""

    to: str
    subject: str
    text: str
    html: str


def reset_link(token: str, *, settings: Settings) -> str:
    """The page a reset email points at: `<PUBLIC_URL>/reset-password?token=<TOKEN>`."""
    return f"{settings.public_url}/reset-password?token={token}"


def password_reset_email(*, to: str, token: str, settings: Settings) -> Email:
    """The email that carries a password reset link."""
    link = reset_link(token, settings=settings)
    minutes = settings.password_reset_expire_minutes
    text = (
        "Someone (hopefully you) asked to reset the password of your account.\n\n"
        f"Choose a new password here:\n{link}\n\n"
        f"The link expires in {minutes} minutes and works once. If you did not ask for it, "
        "ignore this email: your password stays as it is.\n"
    )
    safe_link = html.escape(link, quote=True)
    body = (
        "<p>Someone (hopefully you) asked to reset the password of your account.</p>\n"
        f'<p><a href="{safe_link}">Choose a new password</a></p>\n'
        f"<p>Or open this address: {safe_link}</p>\n"
        f"<p>The link expires in {minutes} minutes and works once. If you did not ask for "
        "it, ignore this email: your password stays as it is.</p>\n"
    )
    return Email(to=to, subject="Reset your password", text=text, html=body)


def build_message(email: Email, *, settings: Settings) -> EmailMessage:
    """The MIME message: text/plain with a text/html alternative."""
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = settings.emails_from
    message["To"] = email.to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.emails_from.rpartition("@")[2] or None)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


def _deliver(message: EmailMessage, *, settings: Settings) -> None:
    """Hand the message to the SMTP server; raises OSError or SMTPException on failure."""
    assert settings.smtp_host is not None
    smtp: smtplib.SMTP
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=SMTP_TIMEOUT_SECONDS,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if settings.smtp_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user and settings.smtp_password is not None:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def send_email(*, to: str, subject: str, text: str, html: str) -> bool:
    """Send one email now; True when the server took it. Failures are logged, never raised."""
    settings = get_settings()
    email = Email(to=to, subject=subject, text=text, html=html)
    if settings.smtp_host is None:
        if settings.environment == "production":
            logger.warning("email not sent: SMTP_HOST is not set")
        else:
            logger.info(
                "SMTP_HOST is not set; the email is shown here instead of being sent:\n"
                "To: %s\nSubject: %s\n\n%s",
                to,
                subject,
                text,
            )
        return False
    try:
        _deliver(build_message(email, settings=settings), settings=settings)
    except (OSError, smtplib.SMTPException) as exc:
        # One line, naming the kind of failure only: no address, no token, no password.
        logger.warning("email delivery failed: %s", type(exc).__name__)
        return False
    return True


def send_email_in_background(background: BackgroundTasks, email: Email) -> None:
    """Send after the response has gone out: the request never waits for the mail server."""
    background.add_task(
        send_email, to=email.to, subject=email.subject, text=email.text, html=email.html
    )
