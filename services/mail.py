"""Sending one e-mail over SMTP (smtplib), with settings from `get_settings()`.

Errors come back as `MailError(code, detail)`: the code picks a clear Danish/English message in the
console, the detail keeps the server's own words for whoever fixes the mail setup.
The Message-ID is derived from the referral's idempotency key, so even a resend after an unclear
failure carries the same id and mail systems that de-duplicate by Message-ID show it once.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from email_validator import EmailNotValidError, validate_email

from db.models import utcnow
from db.repositories.referrals import ERROR_CODES  # noqa: F401  (the codes a MailError carries)
from settings import Settings, get_settings


class MailError(Exception):
    """`permanent`: trying again cannot help (the server refused this address or this message for
    good, with a 5xx reply), so the outbox leaves it to a person at once instead of retrying."""

    def __init__(self, code: str, detail: str = "", *, permanent: bool = False):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.permanent = permanent


class InvalidAddress(ValueError):
    """The address cannot receive mail as written; `reason` is email-validator's explanation."""

    def __init__(self, address: str, reason: str):
        super().__init__(f"{address!r}: {reason}")
        self.address = address
        self.reason = reason


def unavailable_reason(settings: Settings | None = None) -> str | None:
    """Why e-mail cannot be sent (the missing settings), or None when it can."""
    settings = settings or get_settings()
    missing = [name for name in ("SMTP_HOST", "SMTP_FROM") if not getattr(settings, name).strip()]
    return ", ".join(missing) or None


def normalise_address(address: str) -> str:
    """A syntactically valid address in normal form; raise InvalidAddress otherwise.

    No DNS lookup: the console may run without internet access to resolve the member's domain.
    """
    try:
        result = validate_email((address or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(address, str(exc)) from exc
    return result.normalized


def message_id(idempotency_key: str, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{idempotency_key}@{domain}>"


def build_message(*, sender: str, to: str, subject: str, body: str, idempotency_key: str) -> EmailMessage:
    """A plain-text UTF-8 message; the body is exactly what staff saw in the editor."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id(idempotency_key, sender)
    message.set_content(body, subtype="plain", charset="utf-8")
    return message


def send(message: EmailMessage, *, settings: Settings | None = None) -> None:
    """Hand the message to the SMTP server; return once the server has accepted it.

    A failure while saying goodbye (QUIT) after the server accepted the message is ignored: the
    message is on its way, and reporting a failure would invite a second copy.
    """
    settings = settings or get_settings()
    if reason := unavailable_reason(settings):
        raise MailError("not_configured", reason)
    try:
        smtp = _connect(settings)
    except Exception as exc:
        raise _classify(exc) from exc
    try:
        if settings.SMTP_SECURITY == "starttls":
            _step("tls", smtp.starttls, context=ssl.create_default_context())
            smtp.ehlo()
        if settings.SMTP_USER:
            _step("auth", smtp.login, settings.SMTP_USER,
                  settings.SMTP_PASSWORD.get_secret_value())
        _step(None, smtp.send_message, message)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _step(code: str | None, action, *args, **kwargs) -> None:
    """Run one SMTP step; a protocol refusal gets the step's code, a network failure its own."""
    try:
        action(*args, **kwargs)
    except (TimeoutError, ConnectionError, smtplib.SMTPServerDisconnected) as exc:
        raise _classify(exc) from exc
    except Exception as exc:
        raise (MailError(code, _detail(exc)) if code else _classify(exc)) from exc


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = settings.SMTP_HOST, settings.SMTP_PORT, settings.SMTP_TIMEOUT_SECONDS
    if settings.SMTP_SECURITY == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        smtp.ehlo()
    except Exception:
        smtp.close()
        raise
    return smtp


def _classify(exc: BaseException) -> MailError:
    detail = _detail(exc)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailError("auth", detail)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # 4xx (greylisting, a full mailbox) may pass later; 5xx for every recipient will not.
        permanent = all(code >= 500 for code, _ in exc.recipients.values())
        return MailError("recipient_refused", detail, permanent=permanent)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return MailError("sender_refused", detail)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # Sending a non-ASCII address needs SMTPUTF8, which the server does not offer (and will not later).
        if "SMTPUTF8" in detail:
            return MailError("smtputf8", detail, permanent=True)
        return MailError("smtp", detail)
    if isinstance(exc, smtplib.SMTPDataError):
        # The server refused the message itself; 5xx is final (e.g. rejected as spam), 4xx is not.
        return MailError("smtp", detail, permanent=exc.smtp_code >= 500)
    if isinstance(exc, ssl.SSLError):
        return MailError("tls", detail)
    # smtplib reports a reply that never came as "Connection unexpectedly closed: timed out".
    if isinstance(exc, TimeoutError) or (isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in detail):
        return MailError("timeout", detail)
    if isinstance(exc, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, ConnectionError,
                        socket.gaierror)):
        return MailError("connect", detail)
    if isinstance(exc, smtplib.SMTPException):
        return MailError("smtp", detail)
    if isinstance(exc, OSError):
        return MailError("connect", detail)
    return MailError("smtp", detail)


def _detail(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {_text(msg)}" for to, (code, msg) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
