"""Test harness: the same suite on SQLite (on-prem mode) and PostgreSQL (shared mode).

``MERIDIAN_TEST_DATABASE=postgres`` runs against a fresh database on the local server
(``MERIDIAN_TEST_POSTGRES_URL``, default postgresql://postgres@127.0.0.1:5432/test); when that
server cannot be reached the run fails, it never skips. Tests marked ``postgres`` or ``sqlite``
are deselected (not skipped) on the other backend, and CI runs both.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

BACKEND = os.environ.get("MERIDIAN_TEST_DATABASE", "sqlite")
ADMIN_URL = os.environ.get("MERIDIAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
APP_ROLE = "meridian_app_test"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    other = "sqlite" if BACKEND == "postgres" else "postgres"
    keep = [item for item in items if other not in item.keywords]
    dropped = [item for item in items if other in item.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    # Generated requests create and change things all over tenant A; no other test should see them.
    items.sort(key=lambda item: item.get_closest_marker("generated") is not None)


IDP_ISSUER = "https://idp.example.test/"


def _write_idp_keys(folder: Path) -> str:
    """A corporate identity provider's RS256 and ES256 keys: the JWKS the API trusts, and the
    private keys the tests sign with."""
    import json

    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    keys = {"rsa-1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ec-1": ec.generate_private_key(ec.SECP256R1())}
    jwks = []
    for kid, key in keys.items():
        algorithm = jwt.algorithms.RSAAlgorithm if kid.startswith("rsa") else jwt.algorithms.ECAlgorithm
        public = json.loads(algorithm.to_jwk(key.public_key()))
        jwks.append({**public, "kid": kid, "use": "sig"})
        (folder / f"{kid}.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    path = folder / "idp-jwks.json"
    path.write_text(json.dumps({"keys": jwks}))
    return str(path)


def _with_database(url: str, database: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc if user is None else f"{user}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", "", ""))


async def _create_postgres_database(name: str) -> None:
    import asyncpg

    try:
        connection = await asyncpg.connect(ADMIN_URL, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise RuntimeError(
            f"PostgreSQL suite requested but {ADMIN_URL} is unreachable: {exc}. Start it with "
            "`pg_ctlcluster 15 main start`."
        ) from exc
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _drop_postgres_database(name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL, timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def environment() -> Iterator[dict[str, str]]:
    """Environment variables for the app under test, set before anything builds an engine."""
    data_dir = tempfile.mkdtemp(prefix="meridian-test-")
    env = {
        "MERIDIAN_DATA_DIR": data_dir,
        "MERIDIAN_IDP_ISSUER": IDP_ISSUER,
        "MERIDIAN_IDP_JWKS": _write_idp_keys(Path(data_dir)),
        "MERIDIAN_RATE_LIMIT_PER_MINUTE": "1000000",
        "MERIDIAN_LOG_LEVEL": "WARNING",
        "MERIDIAN_OIDC_ALLOW_LOOPBACK_HTTP": "true",  # the tests' own OpenID provider (tests/oidc_issuer.py)
    }
    database = None
    if BACKEND == "postgres":
        database = f"meridian_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_create_postgres_database(database))
        env.update({
            "MERIDIAN_MODE": "shared",
            "MERIDIAN_MIGRATION_DATABASE_URL": _with_database(ADMIN_URL, database),
            "MERIDIAN_DATABASE_URL": _with_database(ADMIN_URL, database, APP_ROLE),
        })
    else:
        env["MERIDIAN_MODE"] = "onprem"
    previous = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield env
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if database:
            asyncio.run(_drop_postgres_database(database))


@pytest.fixture(scope="session")
def settings(environment: dict[str, str]) -> Any:
    from domain.kernel.db import Database, role_of
    from domain.kernel.migrator import migrate
    from domain.kernel.settings import load_settings

    loaded = load_settings()

    async def apply() -> None:
        owner = Database(loaded.effective_migration_url)
        await owner.start()
        try:
            await migrate(owner, role_of(loaded.effective_database_url))
        finally:
            await owner.stop()

    Path(loaded.data_dir).mkdir(parents=True, exist_ok=True)
    asyncio.run(apply())
    return loaded


@pytest.fixture(scope="session")
async def app(settings: Any) -> AsyncIterator[Any]:
    """The app, started in the tests' own event loop so that domain calls made by the tests share
    its connection pool (Litestar's test client would run it in a thread with another loop)."""
    import httpx

    from api.app import create_app

    application = create_app(settings)
    async with application.lifespan():
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            application.state.test_client = client
            yield application


@pytest.fixture(scope="session")
async def client(app: Any) -> Any:
    return app.state.test_client


@pytest.fixture(scope="session")
def runtime(app: Any) -> Any:
    return app.state.runtime


TokenFactory = Callable[..., Awaitable[str]]


@pytest.fixture(scope="session")
def token_for(runtime: Any) -> TokenFactory:
    """A token for a user holding ``roles`` in ``tenant_id`` (created if needed)."""
    from api.auth import issue_token
    from domain.identity.service import ensure_user
    from domain.kernel.permissions import Role
    from domain.kernel.principal import SystemActor

    async def make(tenant_id: uuid.UUID, *roles: str, subject: str | None = None, **claims: Any) -> str:
        subject = subject or f"user-{'-'.join(roles) or 'none'}"
        await ensure_user(SystemActor(subject="tests"), tenant_id, subject, [Role(r) for r in roles])
        return issue_token(runtime.settings, runtime.secret, tenant_id=tenant_id, subject=subject,
                           roles=list(roles), **claims)

    return make


@pytest.fixture(scope="session")
async def tenant_a(runtime: Any) -> uuid.UUID:
    """The tenant the tests act as: the installation's tenant on-prem, a fresh one in shared mode."""
    from domain.kernel.settings import Mode

    if runtime.settings.mode is Mode.ONPREM:
        return runtime.home_tenant
    return await provision("Tenant A")


@pytest.fixture(scope="session")
async def tenant_b(runtime: Any) -> uuid.UUID:
    """Another tenant whose objects tenant A must never see."""
    return await provision("Tenant B")


async def provision(name: str) -> uuid.UUID:
    from domain.kernel.principal import SystemActor
    from domain.tenancy.model import NewTenant
    from domain.tenancy.service import provision_tenant

    tenant = await provision_tenant(SystemActor(subject="tests"),
                                    NewTenant(name=name, countries=["DE", "CN"], timezone="Europe/Berlin"))
    return tenant.id


@pytest.fixture
def receiver() -> Iterator[Any]:
    """A real local HTTP receiver for webhooks (``tests/webhook_receiver.py``), started, and stopped after the test."""
    from tests.webhook_receiver import Receiver

    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def fast_local_sender(app: Any) -> Iterator[None]:
    """Webhooks sent the way the tests' receivers need: to internal targets (the receiver listens on 127.0.0.1, as
    an on-prem installation may allow by setting) and on a retry schedule of fractions of a second; the previous
    configuration is restored after the test."""
    from domain.webhooks import service as webhooks
    from domain.webhooks.service import WebhookConfig
    from domain.webhooks.ssrf import TargetPolicy

    previous = webhooks.current_config()
    webhooks.configure(WebhookConfig(policy=TargetPolicy(internal=True), retry_base_seconds=0.3,
                                     retry_max_seconds=0.6, give_up_seconds=3600.0, timeout_seconds=5.0,
                                     max_redirects=3))
    yield
    webhooks.configure(previous)


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


async def user_with_subject(client: Any, admin_token: str, subject: str) -> dict[str, Any]:
    """The tenant's user with ``subject``, read page by page: a long test session creates more users than a page."""
    cursor: str | None = ""
    while cursor is not None:
        page = (await client.get(f"/v1/users?limit=200{f'&cursor={cursor}' if cursor else ''}",
                                 headers=bearer(admin_token))).json()
        found = [user for user in page["items"] if user["subject"] == subject]
        if found:
            return found[0]
        cursor = page["next_cursor"]
    raise LookupError(f"no user with subject {subject!r}")
