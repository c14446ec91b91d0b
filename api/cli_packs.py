"""``meridian packs``: what law this installation knows, and signed law bundles in and out."""

from __future__ import annotations

import base64
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.table import Table

from api.cli_support import EXIT_FAILED, err, out, run_or_exit, settings_or_exit
from api.runtime import Runtime
from compliance.coverage import WARNING_DAYS, CoverageRow
from domain.kernel.errors import DomainError
from domain.kernel.principal import Principal, SystemActor
from domain.payroll.service import LawChange, ReachedGroup, reach_of
from domain.regulation import bundles
from domain.regulation.service import (
    BundleEffect,
    bundle_effect,
    coverage_for,
    install_bundle,
    record_bundle_import,
    use_law_directory,
)
from domain.tenancy.service import countries_in_use

PACKS_DIR = Path(__file__).resolve().parents[1] / "compliance" / "packs"
LABOUR_PACKS_DIR = PACKS_DIR.with_name("labour_packs")


@click.group(help="Statutory rule packs: coverage, and signed law bundles.")
def packs() -> None:
    """Law data this installation runs on."""


@packs.command("status", help=f"Every series with its level; warns {WARNING_DAYS} days before a series in use ends.")
@click.option("--tenant", "tenant_id", type=click.UUID, help="Tenant id (defaults to this installation's tenant)")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date (default: today, UTC)")
def packs_status(tenant_id: UUID | None, on: datetime | None) -> None:
    today = on.date() if on else datetime.now(UTC).date()

    async def work(runtime: Runtime) -> tuple[list[CoverageRow], set[str]]:
        tenant = tenant_id or runtime.tenant()
        reader = Principal(tenant_id=tenant, subject="cli", roles=frozenset())
        return await coverage_for(reader, today), set(await countries_in_use(tenant))

    _use_law_directory()
    rows, in_use = run_or_exit(work)
    out.print(_coverage_table(rows, in_use, today))
    warnings = [r for r in rows if r.country in in_use and r.needs_attention]
    for row in warnings:
        err.print(f"[yellow]warning: {row.country} {row.series} {row.region or ''} is {row.status}"
                  f"{f' (known until {row.known_until})' if row.known_until else ''}[/yellow]")


@packs.command("export", help="Build a signed law bundle from this repository's pack data.")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The publisher's Ed25519 private key (base64 of its 32 raw bytes); never kept in the repository")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--publisher", default="Meridian project", show_default=True)
@click.option("--country", "countries", multiple=True, help="Only these countries (repeat); default every pack")
@click.option("--source", type=click.Path(exists=True, file_okay=False, path_type=Path), default=PACKS_DIR,
              help="A folder laid out like compliance/packs (<cc>_<country>/data/<series>/*.toml)")
@click.option("--labour-source", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=LABOUR_PACKS_DIR, help="A folder laid out like compliance/labour_packs (<cc>_<name>/<series>/)")
def packs_export(key_file: Path, output: Path, publisher: str, countries: tuple[str, ...], source: Path,
                 labour_source: Path) -> None:
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key_file.read_text().strip()))
    bundle_id = f"law-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    output.write_bytes(bundles.build_bundle(source, key, publisher, bundle_id, countries or None, labour_source))
    out.print(f"Wrote {output} ({bundle_id}, signed by {publisher})")


@packs.command("keygen", help="Make a publisher key pair: the private key to a file, the public key printed.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def packs_keygen(output: Path) -> None:
    key = Ed25519PrivateKey.generate()
    output.write_text(base64.b64encode(key.private_bytes_raw()).decode())
    output.chmod(0o600)
    public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    out.print(f"Private key written to {output}. Configure servers with MERIDIAN_LAW_PUBLISHER_KEYS={public}")


@packs.command("import", help="Verify a signed law bundle and install it (or, with --dry-run, show its effect).")
@click.argument("bundle_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change and which tenants it touches; install nothing")
def packs_import(bundle_file: Path, dry_run: bool) -> None:
    settings = settings_or_exit()
    _use_law_directory()
    try:
        bundle = bundles.read_bundle(bundle_file, bundles.public_keys(settings.law_publisher_keys))
    except DomainError as exc:
        err.print(f"[red]{exc}[/red]")
        sys.exit(EXIT_FAILED)
    effect = bundle_effect(bundle)
    _print_effect(effect)

    async def reach(runtime: Runtime) -> list[ReachedGroup]:
        changes = [LawChange(country=c, series=s, region=r, effective_from=f) for c, s, r, f in effect.covers]
        return await reach_of(runtime.tenant(), changes)

    _print_reach(run_or_exit(reach))
    if dry_run:
        out.print("Dry run: nothing was installed.")
        return

    async def work(runtime: Runtime) -> None:
        install_bundle(bundle)
        await record_bundle_import(SystemActor(subject="cli"), runtime.tenant(), effect)

    run_or_exit(work)
    out.print(f"Installed {effect.bundle_id}: {len(effect.changes)} parameter changes.")


def _use_law_directory() -> None:
    use_law_directory(settings_or_exit().data_path / "law")


def _coverage_table(rows: list[CoverageRow], in_use: set[str], today: date) -> Table:
    table = Table(title=f"Law coverage on {today.isoformat()}")
    for column in ("country", "series", "region", "status", "version", "known until", "level", "next change"):
        table.add_column(column)
    for row in rows:
        style = "yellow" if row.country in in_use and row.needs_attention else None
        table.add_row(row.country, row.series, row.region or "", row.status.value, row.version or "-",
                      str(row.known_until or ""), row.verification.value if row.verification else "-",
                      row.next_expected_change.isoformat(), style=style)
    return table


def _print_reach(groups: list[ReachedGroup]) -> None:
    if not groups:
        out.print("No pay group of this installation's tenant is in a country and region the bundle changes.")
    for group in groups:
        out.print(f"Pay group {group.name} ({group.country}{' ' + group.region if group.region else ''}): "
                  f"{len(group.finalised_periods)} finalised periods on or after the changes")
        for period in group.finalised_periods:
            settle = "; a settlement will be proposed" if period.settlement_expected else ""
            out.print(f"  {period.period_start} to {period.period_end}, paid {period.pay_date} ({period.kind}){settle}")


def _print_effect(effect: BundleEffect) -> None:
    table = Table(title=f"Bundle {effect.bundle_id} from {effect.publisher}")
    for column in ("series", "region", "version", "from", "parameter", "before", "after", "level"):
        table.add_column(column)
    for change in effect.changes:
        table.add_row(change.series, change.region or "", change.version, change.effective_from.isoformat(),
                      change.parameter,
                      str(change.before), str(change.after),
                      change.verification.value if change.verification else "-")
    out.print(table)
