"""The ways out of the building: email over SMTP, and SMS through a provider behind :class:`SmsProvider` (Twilio's
Messages API today).

A failure is raised as :class:`DeliveryFailed` with a :class:`DeliveryProblem` and a detail made only of status
codes and exception class names: servers quote the recipient's address in their answers, and neither the outbox
nor the logs may keep it.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol
from uuid import UUID

import httpx
import msgspec

from domain.kernel.i18n import locale_tag
from domain.kernel.time import utc_now
from domain.notifications.model import DeliveryProblem

SMTP_TIMEOUT_SECONDS = 30
SMS_TIMEOUT_SECONDS = 30
IMPLICIT_TLS_PORT = 465
#: Twilio's error codes that refuse the recipient itself (invalid, unreachable or opted-out numbers).
TWILIO_RECIPIENT_ERRORS = frozenset({21211, 21214, 21217, 21610, 21612, 21614})


class DeliveryFailed(Exception):
    """An attempt that did not send: ``permanent`` when trying again cannot help (a refused recipient)."""

    def __init__(self, problem: DeliveryProblem, detail: str, *, permanent: bool = False) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail
        self.permanent = permanent


class Letter(msgspec.Struct, frozen=True, kw_only=True):
    """One queued message on its way to one address, in the recipient's language."""

    message_id: UUID
    to: str
    subject: str
    body: str
    locale: str


class EmailSender(Protocol):
    async def send(self, letter: Letter) -> str:
        """Send ``letter``; the Message-ID it went with."""
        ...


class SmsProvider(Protocol):
    async def send(self, to_e164: str, text: str) -> str:
        """Send ``text`` to a number in E.164; the provider's id of the message."""
        ...


class SmtpSender:
    """Email through an SMTP relay with the standard library, in a worker thread. STARTTLS unless told otherwise,
    implicit TLS on port 465, login when credentials are configured."""

    def __init__(self, host: str, port: int, sender: str, *, username: str | None = None,
                 password: str | None = None, starttls: bool = True) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls = username, password, starttls
        #: The bare address of ``sender``, which may carry a display name ("Acme Careers <jobs@acme.example>").
        self.address = parseaddr(sender)[1] or sender

    async def send(self, letter: Letter) -> str:
        email = self.compose(letter)
        await asyncio.to_thread(self._transmit, email, letter.to)
        return str(email["Message-ID"])

    def compose(self, letter: Letter) -> EmailMessage:
        """Plain UTF-8 text with the headers a receiving system reads: one Message-ID per queued message (a retry
        that did arrive the first time is recognised as the same message), the date, the language, and the mark of
        an automatic message, so that no auto-responder answers it."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = letter.to
        email["Subject"] = letter.subject
        email["Date"] = format_datetime(utc_now())
        email["Message-ID"] = f"<{letter.message_id}@{self.address.rpartition('@')[2] or 'meridian'}>"
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(letter.body, charset="utf-8")
        email["Content-Language"] = locale_tag(letter.locale)  # after the content, which resets Content-* headers
        return email

    def _transmit(self, email: EmailMessage, to: str) -> None:
        try:
            with self._connect() as smtp:
                if self.starttls and self.port != IMPLICIT_TLS_PORT:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username and self.password:
                    smtp.login(self.username, self.password)
                smtp.send_message(email, from_addr=self.address, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
            if code >= 500:
                raise DeliveryFailed(DeliveryProblem.RECIPIENT_REFUSED, f"SMTP {code}", permanent=True) from None
            raise DeliveryFailed(DeliveryProblem.TEMPORARY_REFUSAL, f"SMTP {code}") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(DeliveryProblem.CREDENTIALS_REFUSED, f"SMTP {exc.smtp_code}") from None
        except smtplib.SMTPResponseException as exc:
            raise _refusal("SMTP", exc.smtp_code) from None
        except (OSError, smtplib.SMTPException) as exc:  # refused, reset, timed out, TLS, unexpected replies
            raise DeliveryFailed(DeliveryProblem.UNREACHABLE, type(exc).__name__) from None

    def _connect(self) -> smtplib.SMTP:
        if self.port == IMPLICIT_TLS_PORT:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)


def _refusal(protocol: str, code: int, extra: str = "") -> DeliveryFailed:
    """A server's answer refusing the message: for good on a 5xx (4xx on HTTP), for now otherwise."""
    permanent = 500 <= code < 600 if protocol == "SMTP" else 400 <= code < 500
    problem = DeliveryProblem.REJECTED if permanent else DeliveryProblem.TEMPORARY_REFUSAL
    return DeliveryFailed(problem, f"{protocol} {code}{extra}", permanent=permanent)


class TwilioSms:
    """Twilio's Messages API: a form POST to ``/2010-04-01/Accounts/{sid}/Messages.json`` with the account's basic
    auth; the answer's ``sid`` is the message's id at Twilio."""

    def __init__(self, account_sid: str, auth_token: str, sender: str,
                 base_url: str = "https://api.twilio.com") -> None:
        self.account_sid, self.auth_token, self.sender = account_sid, auth_token, sender
        self.base_url = base_url.rstrip("/")

    async def send(self, to_e164: str, text: str) -> str:
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        try:
            async with httpx.AsyncClient(timeout=SMS_TIMEOUT_SECONDS) as client:
                answer = await client.post(url, data={"To": to_e164, "From": self.sender, "Body": text},
                                           auth=(self.account_sid, self.auth_token))
        except httpx.HTTPError as exc:
            raise DeliveryFailed(DeliveryProblem.UNREACHABLE, type(exc).__name__) from None
        if answer.status_code in (200, 201):
            return str(_json(answer).get("sid", ""))
        raise _twilio_refusal(answer)


def _twilio_refusal(answer: httpx.Response) -> DeliveryFailed:
    # Twilio's message text may quote the number; only its numeric code is kept.
    code = _json(answer).get("code")
    extra = f", Twilio error {code}" if isinstance(code, int) else ""
    if answer.status_code in (401, 403):
        return DeliveryFailed(DeliveryProblem.CREDENTIALS_REFUSED, f"HTTP {answer.status_code}{extra}")
    if answer.status_code == 400 and code in TWILIO_RECIPIENT_ERRORS:
        return DeliveryFailed(DeliveryProblem.RECIPIENT_REFUSED, f"HTTP 400{extra}", permanent=True)
    if answer.status_code == 429:
        return DeliveryFailed(DeliveryProblem.TEMPORARY_REFUSAL, f"HTTP 429{extra}")
    return _refusal("HTTP", answer.status_code, extra)


def _json(answer: httpx.Response) -> dict[str, object]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
