"""``meridian privacy``: the retention purge on demand (the server also runs it daily)."""

from __future__ import annotations

from uuid import UUID

import click
from rich.table import Table

from api.cli_support import operator_locale, out, run_or_exit
from api.runtime import Runtime
from domain.kernel.i18n import translate
from domain.kernel.pagination import MAX_LIMIT
from domain.privacy.certificates import action_label, class_label, trigger_label
from domain.privacy.purge import PurgeOutcome, purge_tenant
from domain.tenancy import service as tenancy

_TENANT = "Tenant {tenant}"
_DRY = ("Dry run: nothing was erased or deleted. {purged} items are past their period and would be, {held} more are "
        "under legal holds.")
_DONE = ("Purge {id}: {purged} items erased or deleted, {held} kept under legal holds; recorded in the audit chain "
         "at entry {seq}.")
_NO_LAW = "No legal entity, so no retention policy applies: nothing to purge."
_NO_TENANT = "There is no tenant {tenant}."
PURGE_CLI_MESSAGES = (_TENANT, _DRY, _DONE, _NO_LAW, _NO_TENANT)
#: The certificate's own column names (translated there).
_COLUMNS = ("Country", "Data class", "After", "Action", "Erased or deleted", "Held", "Period (months)")


@click.group(help="Privacy: the retention purge.")
def privacy() -> None:
    """Personal data past its retention period."""


@privacy.command("purge", help="Erase what has passed its retention period now, per tenant (the server does this "
                               "daily), and record each purge in the audit chain with a certificate.")
@click.option("--tenant", "tenant_id", type=click.UUID, help="One tenant (default: every tenant)")
@click.option("--dry-run", is_flag=True, help="Count what would be erased or deleted; change nothing")
def privacy_purge(tenant_id: UUID | None, dry_run: bool) -> None:
    locale = operator_locale()

    async def work(runtime: Runtime) -> list[tuple[UUID, PurgeOutcome]]:
        tenants = await _tenant_ids()
        if tenant_id is not None and tenant_id not in tenants:
            raise click.ClickException(translate(_NO_TENANT, locale, tenant=tenant_id))
        done = []
        for tenant in [tenant_id] if tenant_id else tenants:
            done.append((tenant, await purge_tenant(tenant, requested_by="cli", dry_run=dry_run)))
        return done

    for tenant, outcome in run_or_exit(work):
        out.print(translate(_TENANT, locale, tenant=tenant), markup=False, highlight=False)
        if not outcome.lines:
            out.print(translate(_NO_LAW, locale), markup=False, highlight=False)
            continue
        out.print(_table(outcome, locale))
        if dry_run:
            out.print(translate(_DRY, locale, purged=outcome.purged, held=outcome.held), markup=False,
                      highlight=False)
        else:
            out.print(translate(_DONE, locale, id=outcome.purge_id, purged=outcome.purged, held=outcome.held,
                                seq=outcome.audit_seq), markup=False, highlight=False)


async def _tenant_ids() -> list[UUID]:
    ids: list[UUID] = []
    cursor = None
    while True:
        page = await tenancy.list_tenants(cursor, MAX_LIMIT)
        ids += [tenant.id for tenant in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def _table(outcome: PurgeOutcome, locale: str) -> Table:
    table = Table()
    for column in _COLUMNS:
        table.add_column(translate(column, locale))
    for line in outcome.lines:
        table.add_row(line.country, class_label(line.data_class, locale), trigger_label(line.trigger, locale),
                      action_label(line.action, locale), str(line.purged), str(line.held), str(line.period_months))
    return table
