"""The parameter series of the German pack, as they appear in ``data/<series>/*.toml``.

Every figure the BMF Programmablaufplan (PAP) hard-codes for one year lives here, with its
statutory source, so a new tax year is a new data file. Amounts are euros unless named ``_rate``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec

from compliance.parameters import Cited


class IncomeTaxTariff(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """§ 32a Abs. 1 EStG: the five zones of the income-tax tariff, exactly as the PAP (UPTAB) codes them."""

    zone2_factor: Decimal
    zone2_base: Decimal
    zone3_from: Decimal
    zone3_offset: Decimal
    zone3_factor: Decimal
    zone3_base: Decimal
    zone3_constant: Decimal
    zone4_from: Decimal
    zone4_rate: Decimal
    zone4_deduction: Decimal
    zone5_from: Decimal
    zone5_rate: Decimal
    zone5_deduction: Decimal


class Class56Limits(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """§ 39b Abs. 2 Satz 7 EStG: the thresholds and rates of the tax classes V and VI."""

    first_threshold: Decimal
    second_threshold: Decimal
    third_threshold: Decimal
    minimum_rate: Decimal
    middle_rate: Decimal
    top_rate: Decimal


class SolidaritySurcharge(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """§§ 3, 4 SolZG 1995: the exemption limit on the annual wage tax, the rate and the phase-in rate."""

    exemption_limit: Decimal
    rate_percent: Decimal
    phase_in_rate_percent: Decimal


class ChildAllowance(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """§ 32 Abs. 6 EStG: child and care allowances per child, full (classes I-III) and half (class IV)."""

    full: Decimal
    half: Decimal


class FixedAllowances(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    employee_lump_sum: Decimal
    pension_lump_sum: Decimal
    special_expenses_lump_sum: Decimal
    single_parent_relief: Decimal


class ProvisionRates(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The social-insurance figures the PAP uses for the Vorsorgepauschale (§ 39b Abs. 2 Satz 5 Nr. 3 EStG).

    ``pension_ceiling`` is the pension (from 2026: pension and unemployment) contribution ceiling;
    the ``*_employer_*`` and ``minimum_*`` fields exist only in the 2025 programme (Mindestvorsorgepauschale
    and the PKV employer subsidy), ``unemployment_rate_employee`` and ``maximum_health_unemployment`` only from 2026.
    """

    pension_ceiling: Decimal
    pension_rate_employee: Decimal
    health_care_ceiling: Decimal
    health_rate_employee: Decimal
    care_rate_employee: Decimal
    care_rate_employee_saxony: Decimal
    care_childless_surcharge: Decimal
    care_child_discount: Decimal
    health_rate_employer: Decimal | None = None
    care_rate_employer: Decimal | None = None
    care_rate_employer_saxony: Decimal | None = None
    minimum_rate: Decimal | None = None
    minimum_cap: Decimal | None = None
    minimum_cap_class3: Decimal | None = None
    unemployment_rate_employee: Decimal | None = None
    maximum_health_unemployment: Decimal | None = None


class PensionReliefTables(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """§ 19 Abs. 2 and § 24a EStG tables, indexed like the PAP's TAB1..TAB5 (index 0 unused)."""

    pension_allowance_percent: list[Decimal]
    pension_allowance_maximum: list[Decimal]
    pension_allowance_supplement: list[Decimal]
    age_relief_percent: list[Decimal]
    age_relief_maximum: list[Decimal]


class WageTaxParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One year's Programmablaufplan: its edition selects the few branches where the program logic differs."""

    programme: Cited[Literal["2025", "2026"]]
    basic_allowance: Cited[Decimal]
    tariff: Cited[IncomeTaxTariff]
    class5_6: Cited[Class56Limits]
    solidarity: Cited[SolidaritySurcharge]
    child_allowance: Cited[ChildAllowance]
    allowances: Cited[FixedAllowances]
    provision: Cited[ProvisionRates]
    pension_relief: Cited[PensionReliefTables]


class Ceilings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Annual contribution ceilings (Beitragsbemessungsgrenzen), one for all Länder from 2025."""

    pension_unemployment: Decimal
    health_care: Decimal


class SocialInsuranceParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    ceilings: Cited[Ceilings]
    pension_rate: Cited[Decimal]
    unemployment_rate: Cited[Decimal]
    health_general_rate: Cited[Decimal]
    health_average_additional_percent: Cited[Decimal]
    care_rate: Cited[Decimal]
    care_employer_rate_saxony: Cited[Decimal]
    care_childless_surcharge: Cited[Decimal]
    care_child_discount: Cited[Decimal]


class ChurchTaxParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Church wage tax as a percentage of the PAP's Maßstabsteuer (BK/BKS), set by each Land's church-tax law."""

    rate: Cited[Decimal]
