"""Where a pay group's calendar may be: its legal entity's country, in a region of that country's one vocabulary
(``domain.kernel.places``), with a payroll pack to calculate its runs."""

from __future__ import annotations

from uuid import UUID

from domain.kernel.db import UnitOfWork
from domain.kernel.errors import ErrorKind, InvalidInput
from domain.kernel.places import payroll_pack, require_region
from domain.payroll.calendar import PayGroupRule
from domain.tenancy.service import legal_entity_in


class PayGroupCountryNotEntityCountry(InvalidInput):
    code = "pay_group_country_not_entity_country"
    kind = ErrorKind.UNPROCESSABLE
    title = "Not the legal entity's country"
    template = "The pay group's calendar is for {country}, but its legal entity is in {entity_country}."


async def require_calendar_of_entity(uow: UnitOfWork, entity_id: UUID, rule: PayGroupRule) -> None:
    """Checked when the group is saved, so no run meets a country or region it cannot calculate (a CN entity's
    staff paid on German law and holidays, a subdivision no pack knows)."""
    entity = await legal_entity_in(uow, entity_id)
    if entity is None:
        return  # the caller answers for an unknown entity
    if rule.country != entity.country:
        raise PayGroupCountryNotEntityCountry(country=rule.country, entity_country=entity.country,
                                              field="rule.country")
    payroll_pack(rule.country, "rule.country")
    require_region(rule.country, rule.subdivision, "rule.subdivision")
