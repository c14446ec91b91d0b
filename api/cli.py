"""``meridian``: the operator's command line. Exit codes: 0 done, 1 the operation failed,
2 wrong usage, 3 configuration or database problem."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import click
import msgspec
from rich.progress import Progress

from api.auth import issue_token
from api.cli_contract import changes
from api.cli_packs import packs
from api.cli_privacy import privacy
from api.cli_support import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_USAGE,
    err,
    operator_locale,
    out,
    run_or_exit,
    settings_or_exit,
    use_debug,
)
from api.logs import configure_logging
from api.runtime import Runtime, StartupError, check_app_role
from domain.audit.service import verify_chain
from domain.identity.service import ensure_user
from domain.kernel.db import Database, role_of
from domain.kernel.errors import DomainError
from domain.kernel.i18n import translate
from domain.kernel.migrator import migrate as apply_migrations
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal, SystemActor
from domain.kernel.settings import Mode
from domain.tenancy import service as tenancy
from domain.tenancy.model import NewTenant, TenantStatus


def _roles(value: str) -> list[Role]:
    try:
        return [Role(r.strip()) for r in value.split(",") if r.strip()]
    except ValueError as exc:
        raise click.BadParameter(f"{exc}; roles are {', '.join(r.value for r in Role)}") from exc


@click.group(help="Meridian HR platform: serve the API and operate it.")
@click.option("--debug", is_flag=True, help="Show the server's logs, and a traceback with any failure.")
def main(debug: bool) -> None:
    use_debug(debug)


@main.command(help="Serve the API: several worker processes on PostgreSQL (default one per core in shared mode), "
                   "one on SQLite, which allows one writer process.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(1, 256),
              help="Worker processes sharing the port [default: one per core in shared mode on PostgreSQL, else 1]")
def serve(host: str, port: int, workers: int | None) -> None:
    from api.app import create_app
    from api.serving import CannotListen, check_workers, default_workers, listening_socket, serve_on, serve_workers

    try:
        listener = listening_socket(host, port)  # first: a busy port is the one thing the operator reads
    except CannotListen as exc:
        err.print(translate(exc.template, operator_locale(), **exc.params), style="red", markup=False,
                  highlight=False)
        sys.exit(EXIT_FAILED)
    settings = settings_or_exit()
    workers = workers or default_workers(settings)
    try:
        check_workers(settings, workers)
    except CannotListen as exc:
        err.print(translate(exc.template, operator_locale(), **exc.params), style="red", markup=False,
                  highlight=False)
        sys.exit(EXIT_USAGE)
    out.print(f"[bold green]Meridian[/bold green] ({settings.mode.value}, "
              f"{'SQLite' if settings.is_sqlite else 'PostgreSQL'}) on [bold]http://{host}:{port}[/bold]")
    out.print(f"  API docs: http://{host}:{port}/schema/docs   health: http://{host}:{port}/v1/health")
    out.print("  Get a token: meridian tokens issue --subject alice --roles tenant_admin,hr_admin")
    if workers == 1:
        serve_on(create_app(settings), listener)
        return
    out.print(f"  {workers} worker processes")
    try:
        serve_workers(settings, listener, workers)
    except StartupError as exc:
        err.print(f"[red]Cannot start: {exc}[/red]")
        sys.exit(EXIT_CONFIG)


@main.command(help="Run background jobs only (pay-run calculations, purges), without serving HTTP. On PostgreSQL run "
                   "as many as you like beside the servers; on SQLite run it instead of `serve`, never beside it.")
@click.option("--jobs-from", "modules", multiple=True, metavar="MODULE",
              help="Also run the job kinds this Python module registers (an extension's); repeatable")
def worker(modules: tuple[str, ...]) -> None:
    from api.jobs import run_worker_until_stopped

    configure_logging(settings_or_exit().log_level)
    run_or_exit(lambda runtime: run_worker_until_stopped(runtime, modules))


@main.command(help="Apply database migrations (as the owner role) and secure the app role.")
def migrate() -> None:
    settings = settings_or_exit()

    async def work() -> list[str]:
        settings.data_path.mkdir(parents=True, exist_ok=True)
        owner = Database(settings.effective_migration_url)
        try:
            await owner.start()
        except Exception as exc:
            raise StartupError(f"cannot connect to the database: {type(exc).__name__}: {exc}") from exc
        try:
            app_role = role_of(settings.effective_database_url)
            with Progress(console=out, transient=True) as progress:
                task = progress.add_task("Migrating", total=None)
                return await apply_migrations(owner, app_role, lambda m: progress.update(task, description=m))
        finally:
            await owner.stop()

    try:
        applied = asyncio.run(work())
    except StartupError as exc:
        err.print(f"[red]Cannot migrate: {exc}[/red]")
        sys.exit(EXIT_CONFIG)
    out.print(f"Applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")

    async def home(runtime: Runtime) -> UUID:
        await check_app_role(runtime.database)
        return runtime.tenant()

    tenant = run_or_exit(home)
    label = "Tenant" if settings.mode is Mode.ONPREM else "Platform operators' tenant"
    out.print(f"{label}: {tenant}")


@main.group(help="Provision and manage tenants (shared mode).")
def tenants() -> None:
    pass


@tenants.command("create", help="Provision a tenant and print its id.")
@click.argument("name")
@click.option("--country", "countries", required=True, multiple=True, help="ISO 3166-1 code; repeat for more")
@click.option("--timezone", required=True, help="IANA zone, e.g. Asia/Shanghai")
@click.option("--locale", default="en", show_default=True, type=click.Choice(["en", "zh-CN", "zh_CN", "ja"]))
def tenants_create(name: str, countries: tuple[str, ...], timezone: str, locale: str) -> None:
    settings = settings_or_exit()
    if settings.mode is Mode.ONPREM:
        err.print("[red]This on-prem installation has exactly one tenant, created on first start.[/red]")
        sys.exit(EXIT_FAILED)
    try:
        request = msgspec.convert({"name": name, "countries": [c.upper() for c in countries], "timezone": timezone,
                                   "default_locale": locale}, NewTenant)
    except (msgspec.ValidationError, DomainError) as exc:
        err.print(f"[red]{exc}[/red]")
        sys.exit(EXIT_FAILED)

    async def work(runtime: Runtime) -> UUID:
        return (await tenancy.provision_tenant(SystemActor(subject="cli"), request)).id

    click.echo(run_or_exit(work))


@tenants.command("list", help="List tenants.")
def tenants_list() -> None:
    async def work(runtime: Runtime) -> list[Any]:
        return (await tenancy.list_tenants(None, 200)).items

    for tenant in run_or_exit(work):
        click.echo(f"{tenant.id}\t{tenant.kind}\t{tenant.status}\t{tenant.name}")


@tenants.command("suspend", help="Suspend a tenant: its tokens stop working at once.")
@click.argument("tenant_id", type=click.UUID)
def tenants_suspend(tenant_id: UUID) -> None:
    _set_status(tenant_id, TenantStatus.SUSPENDED)


@tenants.command("reactivate", help="Reactivate a suspended tenant.")
@click.argument("tenant_id", type=click.UUID)
def tenants_reactivate(tenant_id: UUID) -> None:
    _set_status(tenant_id, TenantStatus.ACTIVE)


def _set_status(tenant_id: UUID, status: TenantStatus) -> None:
    async def work(runtime: Runtime) -> None:
        await tenancy.set_tenant_status(SystemActor(subject="cli"), tenant_id, status)

    run_or_exit(work)
    click.echo(f"{tenant_id} {status.value}")


@main.group(help="Bearer tokens.")
def tokens() -> None:
    pass


@tokens.command("issue", help="Print a bearer token; the user is created (or given the roles) if needed.")
@click.option("--tenant", "tenant_id", type=click.UUID, help="Tenant id (defaults to this installation's tenant)")
@click.option("--subject", required=True, help="The user's subject (login name)")
@click.option("--roles", required=True, help="Comma-separated roles, e.g. tenant_admin,hr_admin")
@click.option("--ttl", default=3600, show_default=True, type=click.IntRange(60, 31_536_000), help="Seconds")
def tokens_issue(tenant_id: UUID | None, subject: str, roles: str, ttl: int) -> None:
    wanted = _roles(roles)
    settings = settings_or_exit()
    if tenant_id is None and settings.mode is Mode.SHARED and Role.PLATFORM_OPERATOR not in wanted:
        raise click.UsageError("--tenant is required in shared mode (except for platform_operator tokens)")

    async def work(runtime: Runtime) -> str:
        tenant = tenant_id or runtime.tenant()
        await ensure_user(SystemActor(subject="cli"), tenant, subject, wanted)
        return issue_token(settings, runtime.secret, tenant_id=tenant, subject=subject,
                           roles=[r.value for r in wanted], ttl_seconds=ttl)

    click.echo(run_or_exit(work))


@main.group(help="The audit trail.")
def audit() -> None:
    pass


@audit.command("verify", help="Check every link of the audit chain; exit 1 at the first broken one.")
@click.option("--tenant", "tenant_id", type=click.UUID, help="One tenant (default: every tenant)")
def audit_verify(tenant_id: UUID | None) -> None:
    async def work(runtime: Runtime) -> bool:
        ids = [tenant_id] if tenant_id else [t.id for t in (await tenancy.list_tenants(None, 200)).items]
        intact = True
        with Progress(console=out) as progress:
            task = progress.add_task("Verifying audit chains", total=len(ids))
            for tid in ids:
                report = await verify_chain(tid, operator_locale())
                if report.first_broken:
                    intact = False
                    out.print(f"[red]{tid}: broken at seq {report.first_broken.seq}: "
                              f"{report.first_broken.reason}[/red]")
                else:
                    out.print(f"{tid}: intact, {report.entries_checked} entries")
                progress.advance(task)
        return intact

    if not run_or_exit(work):
        sys.exit(EXIT_FAILED)


@main.group(help="Data keys.")
def keys() -> None:
    pass


@keys.command("reseal", help="Move personal data sealed under a tenant's key to each person's own key (candidates, "
                             "employees, bank accounts, recordings), so erasing a person shreds it too. Resumable.")
@click.option("--tenant", "tenant_id", type=click.UUID, help="One tenant (default: every tenant)")
def keys_reseal(tenant_id: UUID | None) -> None:
    from domain.keys.service import reseal_tenant

    async def work(runtime: Runtime) -> None:
        ids = [tenant_id] if tenant_id else [t.id for t in (await tenancy.list_tenants(None, 200)).items]
        for tid in ids:
            report = await reseal_tenant(tid)
            out.print(f"{tid}: {report.candidates} candidates, {report.employees} employees, "
                      f"{report.bank_accounts} bank accounts, {report.interview_results} interview results, "
                      f"{report.recordings} recordings moved to person keys")

    run_or_exit(work)


@privacy.command("erase", help="Erase a candidate or an employee by crypto-shredding: their key is destroyed, their "
                               "blind indexes and recordings removed, their name replaced by a pseudonym. Audited.")
@click.option("--tenant", "tenant_id", type=click.UUID, help="Tenant id (defaults to this installation's tenant)")
@click.option("--candidate", "candidate_id", type=click.UUID, help="The candidate's id")
@click.option("--employee", "employee_id", type=click.UUID, help="The employee's id")
@click.option("--reason", required=True, help="Why (recorded as given: no personal values)")
def privacy_erase(tenant_id: UUID | None, candidate_id: UUID | None, employee_id: UUID | None, reason: str) -> None:
    from domain.kernel.db import unit_of_work
    from domain.privacy.erasure import checkpoint_after_erasure, erase_person

    if (candidate_id is None) == (employee_id is None):
        raise click.UsageError("name exactly one of --candidate and --employee")

    async def work(runtime: Runtime) -> Any:
        tenant = tenant_id or runtime.home_tenant
        if tenant is None:
            raise click.UsageError("--tenant is required in shared mode")
        async with unit_of_work(tenant) as uow:
            outcome = await (erase_person(uow, "candidate", candidate_id, reason=reason) if candidate_id else
                             erase_person(uow, "employee", employee_id, reason=reason))  # type: ignore[arg-type]
        await checkpoint_after_erasure()
        return outcome

    outcome = run_or_exit(work)
    out.print(f"Erased: now {outcome.pseudonym}; key destroyed {outcome.key_destroyed}, "
              f"{outcome.recordings_deleted} recording(s) deleted, audit entry {outcome.audit_seq}")


@main.group(help="Payroll.")
def payroll() -> None:
    pass


@payroll.command("calculate", help="Calculate a pay run here, with a progress bar, as the named preparer.")
@click.option("--tenant", "tenant_id", type=click.UUID, help="Tenant id (defaults to this installation's tenant)")
@click.option("--run", "run_id", required=True, type=click.UUID, help="The pay run's id")
@click.option("--subject", required=True, help="The preparer the calculation is recorded under")
def payroll_calculate(tenant_id: UUID | None, run_id: UUID, subject: str) -> None:
    from domain.payroll.service import calculate_in_foreground, get_run

    async def work(runtime: Runtime) -> Any:
        tenant = tenant_id or runtime.home_tenant
        if tenant is None:
            raise click.UsageError("--tenant is required in shared mode")
        preparer = Principal(tenant_id=tenant, subject=subject, roles=frozenset({Role.PAYROLL_PREPARER}),
                             locale=operator_locale())
        await get_run(preparer, run_id)  # an unknown run is reported before a progress bar is drawn
        with Progress(console=out) as progress:
            task = progress.add_task("Calculating payslips", total=None)
            return await calculate_in_foreground(
                preparer, run_id, lambda done, total: progress.update(task, completed=done, total=total))

    run = run_or_exit(work)
    if run.job_status != "done":
        err.print(f"Calculation {run.job_status}: {run.job_error or 'the run changed meanwhile'}", style="red",
                  markup=False, highlight=False)
        sys.exit(EXIT_FAILED)
    out.print(f"{run.employees_done} payslips; results hash {run.results_hash}; state {run.state.value}")


@main.group(help="Housekeeping the server also does by itself.")
def maintenance() -> None:
    pass


@maintenance.command("purge", help="Delete what has outlived its keeping, for every tenant, now: idempotency "
                                   "answers past their 24-hour replay window (the server does this every few "
                                   "minutes).")
def maintenance_purge() -> None:
    from api.maintenance import purge_expired

    async def work(runtime: Runtime) -> int:
        return await purge_expired()

    out.print(f"Purged {run_or_exit(work)} expired idempotency answer(s).")


@main.group(help="Demo data.")
def demo() -> None:
    pass


@demo.command("seed", help="Fill the tenant with a demo company on today's date (jobs, candidates, interviews, "
                           "employees, reviews, pay runs) and print each role's token and first link; safe to run "
                           "again: a tenant holding the demo gets fresh tokens only.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The host the links name (serve's --host)")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="The port the links name (serve's --port)")
def demo_seed(host: str, port: int) -> None:
    from api.demo import TOKEN_HOURS, DemoSeedFailed, link_base, report, seed

    async def work(runtime: Runtime) -> list[str]:
        try:
            demo = await seed(runtime)
        except DemoSeedFailed as exc:
            raise click.ClickException(str(exc)) from exc

        def issue(subject: str, roles: list[str]) -> str:
            return issue_token(runtime.settings, runtime.secret, tenant_id=demo.tenant_id, subject=subject,
                               roles=roles, ttl_seconds=TOKEN_HOURS * 3600)

        return report(demo, issue, link_base(host, port))

    for line in run_or_exit(work):
        click.echo(line)


@main.group(invoke_without_command=True, help="Write the OpenAPI document (the committed snapshot is openapi.json); "
                                              "`openapi changes` lists what it breaks since the last release.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("openapi.json"))
@click.pass_context
def openapi(context: click.Context, output: Path) -> None:
    if context.invoked_subcommand is not None:
        return
    from api.app import create_app

    document = create_app(settings_or_exit()).openapi_schema.to_schema()
    output.write_bytes(msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n")
    out.print(f"Wrote {output}")


main.add_command(packs)
main.add_command(privacy)
openapi.add_command(changes)

if __name__ == "__main__":
    main()
