"""Candidate notifications leave the building: by email to a real SMTP server (aiosmtpd) and by SMS through the
Twilio adapter to a local stand-in for its API, on the candidate's channel, outside their quiet hours, retried with
backoff, suppressed without a channel, and shown on the application, for its own tenant only."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import signal
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from aiosmtpd.controller import Controller

from api.notifications import deliver_periodically, postman_from, start_delivery
from domain.kernel.db import unit_of_work
from domain.kernel.i18n import translate
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.kernel.settings import load_settings
from domain.notifications import service as notifications
from domain.notifications.model import PROBLEM_TEXTS, DeliveryProblem, QuietHours, RetryPolicy
from domain.notifications.tables import OutboxMessage
from domain.recruitment import service as recruitment
from domain.recruitment.service import STAGE_CHANGED_BODY, STAGE_CHANGED_SUBJECT
from tests.conftest import bearer
from tests.integration.test_cli import meridian
from tests.integration.test_recruitment import new_candidate, new_job, unique_email, unique_mobile
from tests.integration.test_serve_process import (
    PATIENCE_SECONDS,
    answers,
    free_port,
    installation,
    serving,
    wait_until,
)

pytestmark = pytest.mark.anyio
SENDER = "Hiring Co Careers <careers@hiring.example>"


# -- a real SMTP server and a stand-in for Twilio's API ------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler keeping what it receives; ``refuse`` answers RCPT with an SMTP reply instead."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.refuse: str | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def letters_to(self, address: str) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.received
                if address in e.rcpt_tos]


@dataclass
class Mailhost:
    inbox: Inbox
    port: int
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mailhost() -> Iterator[Mailhost]:
    host = Mailhost(Inbox(), free_port())
    host.start()
    yield host
    host.stop()


class TwilioStandIn(ThreadingHTTPServer):
    """Answers Twilio's Messages API as Twilio does (201 and the message's sid), or the answers queued for a number."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _TwilioHandler)
        self.requests: list[dict[str, Any]] = []
        self.answers: dict[str, list[tuple[int, dict[str, Any]]]] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _TwilioHandler(BaseHTTPRequestHandler):
    server: TwilioStandIn

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.requests.append({"path": self.path, "authorization": self.headers["Authorization"],
                                     "content_type": self.headers["Content-Type"], "form": parse_qs(body)})
        queued = self.server.answers.get(parse_qs(body)["To"][0])
        status, answer = queued.pop(0) if queued else (201, {"sid": f"SM{uuid.uuid4().hex}", "status": "queued"})
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


def e164(phone: str) -> str:
    return "+" + "".join(c for c in phone if c.isdigit())


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    server = TwilioStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def postman(mail_port: int | None = None, *, sms: Any = None, quiet_hours: QuietHours | None = None,
            retry: RetryPolicy | None = None) -> notifications.Postman:
    sender = notifications.SmtpSender("127.0.0.1", mail_port, SENDER, starttls=False) if mail_port else None
    return notifications.Postman(recipients={"candidate": recruitment.notification_recipient_in}, email=sender,
                                 sms=sms, quiet_hours=quiet_hours, retry=retry or RetryPolicy())


# -- a tenant of its own, a job, and candidates who are told of their progress -------------------------------------


@dataclass
class Office:
    tenant: uuid.UUID
    recruiter: str
    job: dict[str, Any]


@pytest.fixture
async def office(client: Any, tenant_a: Any, token_for: Any) -> Office:
    """Tenant A with a job of its own. Each test runs delivery for the whole tenant, so it asserts on its own
    candidates' messages only."""
    admin = await token_for(tenant_a, "tenant_admin", subject="notify-admin")
    recruiter = await token_for(tenant_a, "recruiter", subject="notify-recruiter")
    entity = await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Hiring Co {uuid.uuid4().hex[:6]}", "country": "CN", "currency": "CNY",
        "timezone": "Asia/Shanghai"})
    assert entity.status_code == 201, entity.text
    return Office(tenant=tenant_a, recruiter=recruiter, job=await new_job(client, recruiter, entity.json()["id"]))


async def candidate_told(client: Any, office: Office, **fields: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A candidate applied to the office's job and moved to the interview stage, which queues their message."""
    created = await new_candidate(client, office.recruiter, national_id=None, national_id_country=None, **fields)
    assert created.status_code == 201, created.text
    candidate = created.json()
    applied = await client.post("/v1/applications", headers=bearer(office.recruiter),
                                json={"candidate_id": candidate["id"], "job_id": office.job["id"]})
    assert applied.status_code == 201, applied.text
    moved = await client.post(f"/v1/applications/{applied.json()['id']}/stage",
                              json={"stage": "interview_passed", "reason": "strong interview"},
                              headers=bearer(office.recruiter, **{"If-Match": applied.headers["etag"]}))
    assert moved.status_code == 200, moved.text
    return candidate, moved.json()


async def deliveries(client: Any, office: Office, application: dict[str, Any], **headers: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/applications/{application['id']}/notifications",
                              headers=bearer(office.recruiter, **headers))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def created_at(tenant: uuid.UUID, application: dict[str, Any], moment: datetime) -> None:
    """Date the application's messages back or forward, as if the stage had changed at ``moment``."""
    async with unit_of_work(tenant) as uow:
        await OutboxMessage.update({OutboxMessage.created_at: moment}).where(
            (OutboxMessage.tenant_id == uow.tenant_id) & (OutboxMessage.about_id == uuid.UUID(application["id"])))


# -- the tests ------------------------------------------------------------------------------------------------------


async def test_a_stage_change_reaches_the_candidate_by_email_in_their_language(
        client: Any, office: Office, mailhost: Mailhost) -> None:
    address = unique_email()
    candidate, application = await candidate_told(client, office, email=address, locale="zh-CN")
    assert candidate["notification_channel"] == "email"

    assert await notifications.deliver_due(office.tenant, postman(mailhost.port)) >= 1

    (letter,) = mailhost.inbox.letters_to(address)
    params = {"job": "后端工程师", "stage": "面试通过"}
    assert letter["Subject"] == translate(STAGE_CHANGED_SUBJECT, "zh_CN", **params)
    assert letter.get_content().strip() == translate(STAGE_CHANGED_BODY, "zh_CN", **params)
    assert letter.get_content_charset() == "utf-8"
    assert letter["Content-Language"] == "zh-CN" and letter["Auto-Submitted"] == "auto-generated"
    assert letter["From"] == SENDER and letter["To"] == address and letter["Date"].datetime.tzinfo is not None
    (shown,) = await deliveries(client, office, application)
    assert letter["Message-ID"] == f"<{shown['id']}@hiring.example>"
    assert (shown["status"], shown["channel"], shown["attempts"], shown["last_error"]) == ("sent", "email", 1, None)
    assert shown["destination"] == f"{address[0]}***@example.com" and address not in json.dumps(shown)
    assert shown["timezone"] == "Asia/Shanghai" and shown["sent_local"].endswith("+08:00")
    assert datetime.fromisoformat(shown["sent_local"]) == datetime.fromisoformat(shown["sent_at"])
    assert shown["locale"] == "zh-CN" and shown["subject"] == letter["Subject"]
    await notifications.deliver_due(office.tenant, postman(mailhost.port))
    assert len(mailhost.inbox.letters_to(address)) == 1  # sent once only


async def test_a_candidate_who_chose_sms_is_texted_through_the_provider_adapter(
        client: Any, office: Office, twilio: TwilioStandIn, token_for: Any) -> None:
    phone = unique_mobile()
    created = await new_candidate(client, office.recruiter, national_id=None, national_id_country=None,
                                  phone=phone, locale="ja", timezone="Asia/Tokyo")
    candidate = created.json()
    url = f"/v1/candidates/{candidate['id']}"
    unconditional = await client.patch(url, headers=bearer(office.recruiter), json={"notification_channel": "sms"})
    assert unconditional.status_code == 428
    chosen = await client.patch(url, json={"notification_channel": "sms"},
                                headers=bearer(office.recruiter, **{"If-Match": created.headers["etag"]}))
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["notification_channel"] == "sms" and chosen.json()["version"] == candidate["version"] + 1
    auditor = await token_for(office.tenant, "auditor", subject="notify-auditor")
    trail = (await client.get(f"/v1/audit/entries?entity_type=candidate&entity_id={candidate['id']}&limit=200",
                              headers=bearer(auditor))).json()["items"]
    (changed,) = [entry for entry in trail if entry["action"] == "candidate.updated"]
    assert (changed["before"], changed["after"]) == ({"notification_channel": "email"}, {"notification_channel": "sms"})
    applied = await client.post("/v1/applications", headers=bearer(office.recruiter),
                                json={"candidate_id": candidate["id"], "job_id": office.job["id"]})
    moved = await client.post(f"/v1/applications/{applied.json()['id']}/stage", json={"stage": "offer", "reason": "x"},
                              headers=bearer(office.recruiter, **{"If-Match": applied.headers["etag"]}))
    assert moved.status_code == 200, moved.text
    provider = notifications.TwilioSms("AC0123456789", "secret-token", "+15005550006", base_url=twilio.base_url)

    await notifications.deliver_due(office.tenant, postman(sms=provider))

    (request,) = [r for r in twilio.requests if r["form"]["To"] == [e164(phone)]]
    assert request["path"] == "/2010-04-01/Accounts/AC0123456789/Messages.json"
    assert request["authorization"] == "Basic QUMwMTIzNDU2Nzg5OnNlY3JldC10b2tlbg=="  # AC0123456789:secret-token
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["form"]["From"] == ["+15005550006"]
    assert request["form"]["Body"] == [translate(STAGE_CHANGED_BODY, "ja", job="Backend engineer", stage="内定")]
    (shown,) = await deliveries(client, office, moved.json())
    assert (shown["status"], shown["channel"], shown["attempts"]) == ("sent", "sms", 1)
    assert shown["destination"].startswith("+86 139") and "****" in shown["destination"]
    assert shown["sent_local"].endswith("+09:00")


async def test_the_providers_refusals_are_retried_or_final_and_keep_no_number(
        client: Any, office: Office, twilio: TwilioStandIn) -> None:
    phone = unique_mobile()
    _, application = await candidate_told(client, office, phone=phone, notification_channel="sms")
    provider = notifications.TwilioSms("AC0123456789", "secret-token", "+15005550006", base_url=twilio.base_url)
    twilio.answers[e164(phone)] = [
        (503, {"code": 20500, "message": "Service unavailable"}),
        (400, {"code": 21211, "message": f"The 'To' number {phone} is not a valid phone number."})]
    start = datetime.now(UTC)

    await notifications.deliver_due(office.tenant, postman(sms=provider), now=start)
    (shown,) = await deliveries(client, office, application)
    assert (shown["status"], shown["attempts"], shown["last_error"]) == ("pending", 1, "temporary_refusal")

    await notifications.deliver_due(office.tenant, postman(sms=provider), now=start + timedelta(minutes=1))
    (shown,) = await deliveries(client, office, application)
    assert (shown["status"], shown["attempts"], shown["last_error"]) == ("failed", 2, "recipient_refused")
    async with unit_of_work(office.tenant, write=False) as uow:
        stored = await OutboxMessage.select(OutboxMessage.last_error_detail).where(
            (OutboxMessage.tenant_id == uow.tenant_id)
            & (OutboxMessage.about_id == uuid.UUID(application["id"]))).first()
    assert stored == {"last_error_detail": "HTTP 400, Twilio error 21211"}


async def test_a_channel_needs_its_address_and_no_channel_suppresses_the_message(
        client: Any, office: Office, mailhost: Mailhost) -> None:
    without_email = await new_candidate(client, office.recruiter, email=None, national_id=None,
                                        national_id_country=None)
    assert without_email.json()["notification_channel"] == "none"
    refused = await client.patch(f"/v1/candidates/{without_email.json()['id']}", json={"notification_channel": "email"},
                                 headers=bearer(office.recruiter, **{"If-Match": without_email.headers["etag"]}))
    assert refused.status_code == 422 and refused.json()["code"] == "notification_address_missing", refused.text
    on_create = await new_candidate(client, office.recruiter, email=None, national_id=None, national_id_country=None,
                                    notification_channel="email")
    assert on_create.status_code == 422 and on_create.json()["code"] == "notification_address_missing"
    _, silent = await candidate_told(client, office, email=None)
    _, declined = await candidate_told(client, office, notification_channel="none")

    await notifications.deliver_due(office.tenant, postman(mailhost.port))

    for application in (silent, declined):
        (shown,) = await deliveries(client, office, application, **{"Accept-Language": "ja"})
        assert (shown["status"], shown["attempts"], shown["last_error"]) == ("suppressed", 0, "no_channel")
        assert shown["last_error_message"] == translate(PROBLEM_TEXTS[DeliveryProblem.NO_CHANNEL], "ja")
        assert shown["last_error_message"] != PROBLEM_TEXTS[DeliveryProblem.NO_CHANNEL]


async def test_quiet_hours_defer_the_message_to_eight_local_across_the_spring_clock_change(
        client: Any, office: Office, mailhost: Mailhost) -> None:
    address = unique_email()
    _, application = await candidate_told(client, office, email=address, timezone="Europe/Berlin", locale="en")
    evening = datetime(2027, 3, 27, 21, 30, tzinfo=UTC)  # 22:30 CET; the clocks go forward at 02:00
    await created_at(office.tenant, application, evening - timedelta(minutes=5))
    nights = postman(mailhost.port, quiet_hours=QuietHours.parse("21:00-08:00"))

    await notifications.deliver_due(office.tenant, nights, now=evening)

    (shown,) = await deliveries(client, office, application)
    assert (shown["status"], shown["attempts"], shown["channel"]) == ("deferred", 0, "email")
    assert shown["next_attempt_local"] == "2027-03-28T08:00:00+02:00"  # not 09:00, as 9.5 hours later would be
    assert datetime.fromisoformat(shown["next_attempt_at"]) == datetime(2027, 3, 28, 6, 0, tzinfo=UTC)
    await notifications.deliver_due(office.tenant, nights, now=datetime(2027, 3, 28, 5, 59, tzinfo=UTC))
    assert mailhost.inbox.letters_to(address) == []

    await notifications.deliver_due(office.tenant, nights, now=datetime(2027, 3, 28, 6, 0, tzinfo=UTC))

    assert len(mailhost.inbox.letters_to(address)) == 1
    (shown,) = await deliveries(client, office, application)
    assert (shown["status"], shown["attempts"], shown["sent_local"]) == ("sent", 1, "2027-03-28T08:00:00+02:00")


async def test_a_failing_mail_server_is_retried_with_growing_waits_until_it_takes_the_message(
        client: Any, office: Office) -> None:
    address = unique_email()
    _, application = await candidate_told(client, office, email=address)
    start = datetime.now(UTC).replace(microsecond=0)
    host = Mailhost(Inbox(), free_port())  # nothing listens on its port yet
    mail = postman(host.port)

    await notifications.deliver_due(office.tenant, mail, now=start)
    (shown,) = await deliveries(client, office, application, **{"Accept-Language": "zh-CN"})
    assert (shown["status"], shown["attempts"], shown["last_error"]) == ("pending", 1, "unreachable")
    assert shown["last_error_message"] == translate(PROBLEM_TEXTS[DeliveryProblem.UNREACHABLE], "zh_CN")
    assert datetime.fromisoformat(shown["next_attempt_at"]) == start + timedelta(minutes=1)
    await notifications.deliver_due(office.tenant, mail, now=start + timedelta(seconds=59))
    assert (await deliveries(client, office, application))[0]["attempts"] == 1

    await notifications.deliver_due(office.tenant, mail, now=start + timedelta(minutes=1))
    (shown,) = await deliveries(client, office, application)
    assert shown["attempts"] == 2
    assert datetime.fromisoformat(shown["next_attempt_at"]) == start + timedelta(minutes=1 + 2)

    host.inbox.refuse = "451 4.3.0 Mailbox temporarily unavailable"
    host.start()
    try:
        await notifications.deliver_due(office.tenant, mail, now=start + timedelta(minutes=3))
        (shown,) = await deliveries(client, office, application)
        assert (shown["attempts"], shown["last_error"]) == (3, "temporary_refusal")
        assert datetime.fromisoformat(shown["next_attempt_at"]) == start + timedelta(minutes=3 + 4)

        host.inbox.refuse = None
        await notifications.deliver_due(office.tenant, mail, now=start + timedelta(minutes=7))
    finally:
        host.stop()
    (shown,) = await deliveries(client, office, application)
    assert (shown["status"], shown["attempts"], shown["last_error"]) == ("sent", 4, None)
    assert len(host.inbox.letters_to(address)) == 1


async def test_a_refused_address_fails_at_once_and_attempts_run_out(
        client: Any, office: Office, mailhost: Mailhost, caplog: pytest.LogCaptureFixture) -> None:
    refused_address, unlucky_address = unique_email(), unique_email()
    _, refused = await candidate_told(client, office, email=refused_address)
    mailhost.inbox.refuse = f"550 5.1.1 <{refused_address}>: Recipient address rejected: User unknown"
    caplog.set_level("INFO", logger="meridian.notifications")

    await notifications.deliver_due(office.tenant, postman(mailhost.port))

    (shown,) = await deliveries(client, office, refused)
    assert (shown["status"], shown["attempts"], shown["last_error"]) == ("failed", 1, "recipient_refused")
    assert shown["next_attempt_at"] is None
    async with unit_of_work(office.tenant, write=False) as uow:
        stored = await OutboxMessage.select(OutboxMessage.last_error_detail).where(
            (OutboxMessage.tenant_id == uow.tenant_id) & (OutboxMessage.about_id == uuid.UUID(refused["id"]))).first()
    assert stored == {"last_error_detail": "SMTP 550"}
    ours = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("meridian"))
    assert "recipient_refused: SMTP 550" in ours and refused_address.split("@")[0] not in ours

    _, unlucky = await candidate_told(client, office, email=unlucky_address)
    closed = postman(free_port(), retry=RetryPolicy(max_attempts=2))
    start = datetime.now(UTC)
    await notifications.deliver_due(office.tenant, closed, now=start)
    await notifications.deliver_due(office.tenant, closed, now=start + timedelta(minutes=1))
    (shown,) = await deliveries(client, office, unlucky)
    assert (shown["status"], shown["attempts"], shown["last_error"]) == ("failed", 2, "unreachable")


async def test_tenant_b_never_sees_nor_sends_tenant_a_messages(
        client: Any, office: Office, tenant_b: Any, mailhost: Mailhost) -> None:
    address = unique_email()
    _, application = await candidate_told(client, office, email=address)
    outsider = Principal(tenant_id=tenant_b, subject="notify-outsider", roles=frozenset({Role.RECRUITER}))
    with pytest.raises(recruitment.ApplicationNotFound):
        await recruitment.list_application_notifications(outsider, uuid.UUID(application["id"]), None, 50, "en")

    await notifications.deliver_due(tenant_b, postman(mailhost.port))

    assert mailhost.inbox.letters_to(address) == []
    (shown,) = await deliveries(client, office, application)
    assert (shown["status"], shown["attempts"]) == ("pending", 0)


async def test_the_server_worker_delivers_by_itself_and_stops_when_told(
        client: Any, office: Office, mailhost: Mailhost) -> None:
    address = unique_email()
    _, application = await candidate_told(client, office, email=address)
    stopping = asyncio.Event()
    worker = asyncio.create_task(deliver_periodically(stopping, postman(mailhost.port), timedelta(seconds=1)))
    try:
        for _ in range(100):
            if mailhost.inbox.letters_to(address):
                break
            await asyncio.sleep(0.1)
    finally:
        stopping.set()
        await asyncio.wait_for(worker, timeout=30)
    assert len(mailhost.inbox.letters_to(address)) == 1
    (shown,) = await deliveries(client, office, application)
    assert shown["status"] == "sent"


async def test_the_settings_choose_the_channels_and_no_channel_starts_no_worker(settings: Any) -> None:
    configured = postman_from(load_settings({
        "MERIDIAN_SMTP_HOST": "mail.example.com", "MERIDIAN_SMTP_FROM": "jobs@example.com",
        "MERIDIAN_SMS_PROVIDER": "twilio", "MERIDIAN_TWILIO_ACCOUNT_SID": "AC1", "MERIDIAN_TWILIO_AUTH_TOKEN": "t",
        "MERIDIAN_TWILIO_FROM": "+15005550006", "MERIDIAN_SMS_BASE_URL": "http://127.0.0.1:9",
        "MERIDIAN_NOTIFICATION_QUIET_HOURS": "off"}))
    assert isinstance(configured.email, notifications.SmtpSender) and configured.email.port == 587
    assert isinstance(configured.sms, notifications.TwilioSms) and configured.sms.base_url == "http://127.0.0.1:9"
    assert configured.quiet_hours is None
    assert start_delivery(settings) is None  # the test server configures no channel


@pytest.mark.sqlite
def test_meridian_serve_emails_with_its_settings_and_stops_its_worker_on_sigterm(
        tmp_path: Path, mailhost: Mailhost) -> None:
    env = {**installation(tmp_path / "install"), "MERIDIAN_SMTP_HOST": "127.0.0.1",
           "MERIDIAN_SMTP_PORT": str(mailhost.port), "MERIDIAN_SMTP_STARTTLS": "false", "MERIDIAN_SMTP_FROM": SENDER,
           "MERIDIAN_NOTIFICATION_QUIET_HOURS": "off", "MERIDIAN_NOTIFICATION_POLL_SECONDS": "1"}
    issued = meridian("tokens", "issue", "--subject", "ops", "--roles", "tenant_admin,recruiter", env=env)
    assert issued.returncode == 0, issued.stderr
    port, address = free_port(), unique_email()
    with serving(env, port, tmp_path / "serve.log") as server:
        wait_until(lambda: answers(port), "the server to answer")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=bearer(issued.stdout.strip())) as http:
            application = _applied_and_moved(http, address)
        wait_until(lambda: mailhost.inbox.letters_to(address), "the worker to send the email")

        server.send_signal(signal.SIGTERM)  # the shutdown waits for the worker; a worker that hung would hang it
        assert server.wait(timeout=PATIENCE_SECONDS) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it ran
    (letter,) = mailhost.inbox.letters_to(address)
    assert letter["Message-ID"].endswith("@hiring.example>") and application["stage"] == "interview"


def _applied_and_moved(http: httpx.Client, address: str) -> dict[str, Any]:
    entity = http.post("/v1/legal-entities", json={"name": "Serve Co", "country": "DE", "currency": "EUR",
                                                   "timezone": "Europe/Berlin"})
    assert entity.status_code == 201, entity.text
    job = http.post("/v1/jobs", json={"legal_entity_id": entity.json()["id"], "location": "Berlin",
                                      "title": {"en": "Engineer"}, "description": {"en": "Python"}})
    candidate = http.post("/v1/candidates", json={"full_name": "Ada", "email": address, "timezone": "Europe/Berlin"})
    applied = http.post("/v1/applications", json={"candidate_id": candidate.json()["id"], "job_id": job.json()["id"]})
    moved = http.post(f"/v1/applications/{applied.json()['id']}/stage", json={"stage": "interview", "reason": "cv"},
                      headers={"If-Match": applied.headers["etag"]})
    assert moved.status_code == 200, moved.text
    return dict(moved.json())
