"""Runtime configuration: ``MERIDIAN_*`` environment variables, or a TOML file named by ``MERIDIAN_CONFIG``.

Every setting is validated when the process starts; each bad one is reported by name.
"""

from __future__ import annotations

import base64
import os
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytz

ENV_PREFIX = "MERIDIAN_"
#: The OAuth issuer where ``public_url`` is not set: an on-prem installation reached on this machine.
DEFAULT_PUBLIC_URL = "https://localhost"


class Mode(StrEnum):
    """How Meridian is deployed: `onprem`, one organisation's own installation holding exactly one tenant, or `shared`,
    the hosted service holding many tenants."""

    ONPREM = "onprem"
    SHARED = "shared"


class SettingsError(Exception):
    """Raised with every invalid setting listed, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid Meridian settings:\n" + "\n".join(f"  - {p}" for p in problems))


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    mode: Mode = Mode.ONPREM
    data_dir: str = "var"
    #: The app's connection. On PostgreSQL this role must not own the tables nor bypass RLS.
    database_url: str | None = None
    #: The owner's connection, used by ``meridian migrate``. Defaults to ``database_url``.
    migration_database_url: str | None = None
    db_pool_size: int = 10
    #: Requests a server process works on at once; later ones wait their turn in arrival order (api/admission.py).
    max_concurrent_requests: int = 8
    jwt_issuer: str = "meridian"
    jwt_audience: str = "meridian-api"
    #: The deployment's public https base URL (``https://hr.example.com``): the OAuth authorisation server's issuer
    #: (RFC 8414), which its tokens carry as ``iss``, and the base of the endpoints its discovery document names.
    #: Unset: :data:`DEFAULT_PUBLIC_URL` (an on-prem installation reached on this machine).
    public_url: str | None = None
    #: Corporate identity provider: its issuer and a JWKS (file path or https URL). RS256/ES256 only.
    idp_issuer: str | None = None
    idp_jwks: str | None = None
    idp_audience: str | None = None
    #: Let a tenant's OpenID Connect provider for partner-app sign-in be plain http on this machine (127.0.0.1,
    #: localhost): a provider on the same host, and the tests' own issuer. Off: providers must be https.
    oidc_allow_loopback_http: bool = False
    #: Base64 32-byte master key wrapping the per-tenant data keys. Generated into data_dir when absent.
    master_key: str | None = None
    rate_limit_per_minute: int = 600
    #: Bulk imports and exports (``/v1/imports``, ``/v1/exports``) count against this budget per client instead,
    #: so a partner's bulk work never uses up the interactive budget its users need.
    bulk_rate_limit_per_minute: int = 60
    #: Where the rate limit's shared counters live when several processes serve: Redis if set, else PostgreSQL.
    redis_url: str | None = None
    max_body_bytes: int = 1_048_576
    #: How long a report link (``createReportLink``) opens its report, in minutes.
    report_link_minutes: int = 5
    #: Interview recordings and attachments, streamed and encrypted into data_dir/objects.
    max_upload_bytes: int = 536_870_912
    default_locale: str = "en"
    #: The on-prem installation's one tenant, provisioned on first start.
    tenant_name: str = "My Company"
    tenant_countries: str = "DE"
    tenant_timezone: str = "UTC"
    log_level: str = "INFO"
    #: Base64 raw Ed25519 public keys (comma-separated) of the publishers whose signed law bundles
    #: ``meridian packs import`` installs. The signing keys never live on the server.
    law_publisher_keys: str | None = None
    #: Candidate notifications by email: an SMTP relay (STARTTLS on, or implicit TLS on port 465) and the sender.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str | None = None
    #: Candidate notifications by SMS: the provider (``twilio``), its account and sender, and its API's base URL.
    sms_provider: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    sms_base_url: str = "https://api.twilio.com"
    #: Local hours (``HH:MM-HH:MM``, in each recipient's own zone) in which no notification is sent, or ``off``.
    notification_quiet_hours: str = "21:00-08:00"
    notification_poll_seconds: int = 30
    #: Background jobs (pay-run calculations, purges) each process runs at once.
    job_concurrency: int = 4
    #: PostgreSQL: a job whose worker sent no heartbeat for this long stopped with it and runs again elsewhere.
    job_stalled_seconds: int = 30
    #: Webhooks: a failed delivery is tried again after this many seconds, doubling each time (with jitter) up to
    #: the maximum, until it has failed for ``webhook_give_up_seconds`` (3 days); an endpoint whose deliveries have
    #: failed that long is disabled and the tenant admins are told.
    webhook_retry_base_seconds: float = 30.0
    webhook_retry_max_seconds: float = 21_600.0
    webhook_give_up_seconds: float = 259_200.0
    webhook_timeout_seconds: float = 10.0
    webhook_max_redirects: int = 3
    #: On-prem only: let webhook endpoints be http and point at private, loopback or link-local addresses (an
    #: installation's own systems). Shared mode always requires https and public addresses.
    webhook_allow_internal_targets: bool = False

    @property
    def oauth_issuer(self) -> str:
        """The authorisation server's issuer: the public base URL, without a trailing slash."""
        return (self.public_url or DEFAULT_PUBLIC_URL).rstrip("/")

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'meridian.sqlite3'}"

    @property
    def effective_migration_url(self) -> str:
        return self.migration_database_url or self.effective_database_url

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


ED25519_PUBLIC_KEY_BYTES = 32
_SETTING_NAMES = tuple(Settings.__struct_fields__)
_URL_SCHEMES = ("sqlite", "postgresql", "postgres")


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    raw: dict[str, Any] = {}
    config_file = env.get(f"{ENV_PREFIX}CONFIG")
    if config_file:
        raw.update(_read_config_file(Path(config_file)))
    for name in _SETTING_NAMES:
        value = env.get(ENV_PREFIX + name.upper())
        if value not in (None, ""):
            raw[name] = value
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError([_describe(exc)]) from exc
    problems = _validate(settings)
    if problems:
        raise SettingsError(problems)
    return settings


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError([f"MERIDIAN_CONFIG: cannot read {path}: {exc}"]) from exc


def _describe(exc: msgspec.ValidationError) -> str:
    message = str(exc)
    if " - at `$." in message:
        problem, field = message.rsplit(" - at `$.", 1)
        return f"{ENV_PREFIX}{field.rstrip('`').upper()}: {problem}"
    return message


def _validate(s: Settings) -> list[str]:
    problems: list[str] = []
    for name in ("database_url", "migration_database_url"):
        url = getattr(s, name)
        if url and urlsplit(url).scheme not in _URL_SCHEMES:
            problems.append(f"{ENV_PREFIX}{name.upper()}: use sqlite:///path or postgresql://user@host/db, not {url!r}")
    if s.mode is Mode.SHARED and s.is_sqlite:
        problems.append(
            "MERIDIAN_MODE=shared needs PostgreSQL: set MERIDIAN_DATABASE_URL=postgresql://... "
            "(SQLite is for single-tenant on-prem installs only)"
        )
    if s.public_url is not None and not public_url_valid(s.public_url):
        problems.append("MERIDIAN_PUBLIC_URL: the deployment's https base URL (https://hr.example.com), without "
                        "user name, password, query or fragment")
    if not 1 <= s.db_pool_size <= 200:
        problems.append("MERIDIAN_DB_POOL_SIZE: must be between 1 and 200")
    if not 1 <= s.max_concurrent_requests <= 1000:
        problems.append("MERIDIAN_MAX_CONCURRENT_REQUESTS: must be between 1 and 1000")
    if s.webhook_allow_internal_targets and s.mode is Mode.SHARED:
        problems.append("MERIDIAN_WEBHOOK_ALLOW_INTERNAL_TARGETS: only an on-prem installation may send webhooks to "
                        "internal addresses")
    if not 0 < s.webhook_retry_base_seconds <= s.webhook_retry_max_seconds:
        problems.append("MERIDIAN_WEBHOOK_RETRY_BASE_SECONDS: must be above 0 and at most "
                        "MERIDIAN_WEBHOOK_RETRY_MAX_SECONDS")
    if not s.webhook_give_up_seconds > 0 or not 0 < s.webhook_timeout_seconds <= 60:
        problems.append("MERIDIAN_WEBHOOK_GIVE_UP_SECONDS and MERIDIAN_WEBHOOK_TIMEOUT_SECONDS: must be above 0 "
                        "(the timeout at most 60)")
    if not 0 <= s.webhook_max_redirects <= 10:
        problems.append("MERIDIAN_WEBHOOK_MAX_REDIRECTS: must be between 0 and 10")
    if not 1 <= s.rate_limit_per_minute <= 1_000_000:
        problems.append("MERIDIAN_RATE_LIMIT_PER_MINUTE: must be between 1 and 1000000")
    if not 1 <= s.bulk_rate_limit_per_minute <= 1_000_000:
        problems.append("MERIDIAN_BULK_RATE_LIMIT_PER_MINUTE: must be between 1 and 1000000")
    if s.redis_url and urlsplit(s.redis_url).scheme not in ("redis", "rediss"):
        problems.append("MERIDIAN_REDIS_URL: use redis://host:6379/0 or rediss://...")
    if not 1 <= s.report_link_minutes <= 60:
        problems.append("MERIDIAN_REPORT_LINK_MINUTES: must be between 1 and 60")
    if not 1024 <= s.max_body_bytes <= 1_073_741_824:
        problems.append("MERIDIAN_MAX_BODY_BYTES: must be between 1024 and 1073741824")
    if not 1024 <= s.max_upload_bytes <= 17_179_869_184:
        problems.append("MERIDIAN_MAX_UPLOAD_BYTES: must be between 1024 and 17179869184 (16 GiB)")
    if s.default_locale not in ("en", "zh_CN", "ja"):
        problems.append("MERIDIAN_DEFAULT_LOCALE: must be one of en, zh_CN, ja")
    if bool(s.idp_issuer) != bool(s.idp_jwks):
        problems.append("MERIDIAN_IDP_ISSUER and MERIDIAN_IDP_JWKS must be set together")
    if not valid_timezone(s.tenant_timezone):
        problems.append(f"MERIDIAN_TENANT_TIMEZONE: {s.tenant_timezone!r} is not an IANA time zone")
    if s.law_publisher_keys and not all(_is_public_key(k) for k in s.law_publisher_keys.split(",")):
        problems.append("MERIDIAN_LAW_PUBLISHER_KEYS: comma-separated base64 raw Ed25519 public keys (32 bytes)")
    if s.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append("MERIDIAN_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR")
    if not 1 <= s.job_concurrency <= 64:
        problems.append("MERIDIAN_JOB_CONCURRENCY: must be between 1 and 64")
    if not 3 <= s.job_stalled_seconds <= 3600:
        problems.append("MERIDIAN_JOB_STALLED_SECONDS: must be between 3 and 3600")
    return problems + _notification_problems(s)


_QUIET_HOURS = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d-(?:[01]\d|2[0-3]):[0-5]\d$")


def _notification_problems(s: Settings) -> list[str]:
    problems: list[str] = []
    if s.smtp_host and not s.smtp_from:
        problems.append("MERIDIAN_SMTP_FROM: the sender address is needed with MERIDIAN_SMTP_HOST")
    if not 1 <= s.smtp_port <= 65535:
        problems.append("MERIDIAN_SMTP_PORT: must be between 1 and 65535")
    if bool(s.smtp_username) != bool(s.smtp_password):
        problems.append("MERIDIAN_SMTP_USERNAME and MERIDIAN_SMTP_PASSWORD must be set together")
    if s.sms_provider not in (None, "twilio"):
        problems.append("MERIDIAN_SMS_PROVIDER: the supported provider is twilio")
    twilio = (s.twilio_account_sid, s.twilio_auth_token, s.twilio_from)
    if s.sms_provider == "twilio" and not all(twilio):
        problems.append("MERIDIAN_SMS_PROVIDER=twilio needs MERIDIAN_TWILIO_ACCOUNT_SID, MERIDIAN_TWILIO_AUTH_TOKEN "
                        "and MERIDIAN_TWILIO_FROM")
    if urlsplit(s.sms_base_url).scheme not in ("https", "http"):
        problems.append("MERIDIAN_SMS_BASE_URL: an http(s) URL")
    if s.notification_quiet_hours not in ("", "off") and not _QUIET_HOURS.match(s.notification_quiet_hours):
        problems.append("MERIDIAN_NOTIFICATION_QUIET_HOURS: HH:MM-HH:MM (for example 21:00-08:00), or off")
    if not 1 <= s.notification_poll_seconds <= 3600:
        problems.append("MERIDIAN_NOTIFICATION_POLL_SECONDS: must be between 1 and 3600")
    return problems


def public_url_valid(url: str) -> bool:
    """An https URL with a host, and no credentials, query or fragment (RFC 8414 2: the issuer's form)."""
    try:
        parts = urlsplit(url)
        return (parts.scheme == "https" and bool(parts.hostname) and not parts.username and not parts.password
                and not parts.query and not parts.fragment and "#" not in url and "?" not in url)
    except ValueError:
        return False


def valid_timezone(name: str) -> bool:
    return name in pytz.all_timezones_set


def _is_public_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text.strip(), validate=True)) == ED25519_PUBLIC_KEY_BYTES
    except ValueError:
        return False
