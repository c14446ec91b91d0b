"""Starting Meridian: settings, keys, the database, and the checks that must pass before serving."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from api.auth import load_or_create_secret
from domain.kernel import db, storage
from domain.kernel.crypto import MasterKey
from domain.kernel.db import Database, connected_role_powers
from domain.kernel.migrator import pending
from domain.kernel.principal import SystemActor
from domain.kernel.settings import Mode, Settings
from domain.kernel.storage import LocalEncryptedStore
from domain.keys import service as keys
from domain.tenancy import service as tenancy
from domain.tenancy.model import NewTenant, TenantKind
from domain.webhooks import service as webhooks


class StartupError(Exception):
    """Something an operator must fix before the API can serve; the message says what."""


@dataclass
class Runtime:
    settings: Settings
    database: Database
    secret: bytes
    #: The installation's one tenant (on-prem), or the operators' tenant (shared).
    home_tenant: UUID | None = None

    def tenant(self) -> UUID:
        """The home tenant, which ``ensure_home_tenant`` settles before any command or request runs."""
        if self.home_tenant is None:
            raise StartupError("the installation's tenant is not provisioned yet")
        return self.home_tenant


async def open_runtime(settings: Settings) -> Runtime:
    settings.data_path.mkdir(parents=True, exist_ok=True)
    database = Database(settings.effective_database_url, pool_size=settings.db_pool_size)
    try:
        await database.start()
    except (OSError, Exception) as exc:  # asyncpg raises many types for an unreachable server
        raise StartupError(f"cannot connect to the database: {type(exc).__name__}: {exc}") from exc
    missing = await pending(database)
    if missing:
        await database.stop()
        raise StartupError(f"the database schema is behind ({', '.join(missing)} not applied): run `meridian migrate`")
    db.configure(database)
    keys.configure(MasterKey.from_settings(settings.master_key, settings.data_path))
    storage.configure(LocalEncryptedStore(settings.data_path / "objects"))
    webhooks.configure(webhooks.WebhookConfig.from_settings(settings))
    return Runtime(settings=settings, database=database, secret=load_or_create_secret(settings.data_path))


async def check_app_role(database: Database) -> None:
    """Row-level security only protects tenants from a role that cannot bypass it."""
    if database.is_sqlite:
        return
    if (await connected_role_powers(database)).defeats_row_security:
        raise StartupError(
            "MERIDIAN_DATABASE_URL must use the app role: not a superuser, without BYPASSRLS, owning no tables. "
            "Run `meridian migrate` with MERIDIAN_MIGRATION_DATABASE_URL set to the owner role, and connect "
            "the app as the role it creates."
        )


async def ensure_home_tenant(runtime: Runtime) -> UUID:
    """On-prem: the one tenant, provisioned on first start. Shared: the platform operators' tenant."""
    settings = runtime.settings
    if settings.mode is Mode.ONPREM:
        tenants = await tenancy.customer_tenants()
        if len(tenants) > 1:
            raise StartupError("an on-prem installation holds exactly one tenant, but the database has several")
        tenant = tenants[0] if tenants else await tenancy.provision_tenant(SystemActor(), NewTenant(
            name=settings.tenant_name, countries=settings.tenant_countries.split(","),
            timezone=settings.tenant_timezone, default_locale=settings.default_locale))
    else:
        found = await tenancy.platform_tenant(TenantKind.PLATFORM)
        tenant = found or await tenancy.provision_tenant(
            SystemActor(), NewTenant(name="Platform operators", countries=["US"], timezone="UTC"), TenantKind.PLATFORM
        )
    runtime.home_tenant = tenant.id
    return tenant.id
