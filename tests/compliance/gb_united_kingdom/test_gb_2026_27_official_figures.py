"""The 2026 to 2027 GB data files against the figures read on official pages.

Sources:
- SRR: Scottish Parliament, motion S6M-20844 "Scottish Rate Resolution" (2026-27): "(a) a starter rate of 19%,
  charged on income up to a limit of £3,967, (b) the Scottish basic rate is 20%, charged on income above £3,967
  and up to a limit of £16,956, (c) an intermediate rate of 21%, charged on income above £16,956 and up to a limit
  of £31,092, (d) a higher rate of 42%, charged on income above £31,092 and up to a limit of £62,430, (e) an
  advanced rate of 45%, charged on income above £62,430 and up to a limit of £125,140, and (f) a top rate of 48%,
  charged on income above £125,140." https://www.parliament.scot/chamber-and-committees/votes-and-motions/S6M-20844
- FREEZE: HM Treasury / HMRC policy paper (21 November 2022): "It will set the PA at £12,570, and the basic rate
  limit at £37,700 for tax years: 2026 to 2027 ..."; "The Primary Threshold (PT) for Class 1 NICs ... will remain
  aligned with the Personal Allowance"; "The NICs Upper Earnings Limit (UEL) ... will remain aligned to the higher
  rate threshold at £50,270 for these years."
  https://www.gov.uk/government/publications/the-personal-allowance-and-basic-rate-limit-for-income-tax-and-certain-national-insurance-contributions-nics-thresholds-from-6-april-2026-to-5-apr/income-tax-personal-allowance-and-the-basic-rate-limit-and-certain-national-insurance-contributions-thresholds-from-6-april-2026-to-5-april-2028
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import accumulate
from typing import Any

from compliance.packs.gb_united_kingdom.pack import NIC_SERIES, PAYE_SERIES
from compliance.parameters import Verification
from compliance.registry import pack_for

FIRST_DAY = date(2026, 4, 6)
D = Decimal


def test_scottish_rates_and_limits_2026_27_match_the_rate_resolution() -> None:
    """SRR: the cumulative band limits 3,967 / 16,956 / 31,092 / 62,430 / 125,140 and rates 19 to 48%."""
    version = pack_for("GB").series[PAYE_SERIES].in_force(FIRST_DAY)
    assert version.version == "gb-paye-2026-27"
    bands = version.parameters.scotland.value.bands
    assert [band.rate for band in bands] == [D("0.19"), D("0.20"), D("0.21"), D("0.42"), D("0.45"), D("0.48")]
    limits = list(accumulate(band.width for band in bands[:-1] if band.width is not None))
    assert limits == [D("3967"), D("16956"), D("31092"), D("62430"), D("125140")]
    assert version.parameters.scotland.value.basic_rate_band == 1


def test_scottish_2025_26_bands_stay_in_force_the_day_before() -> None:
    """5 April 2026 is still 2025/26: the starter band ends at £2,827 there, not at SRR's £3,967."""
    version = pack_for("GB").series[PAYE_SERIES].in_force(date(2026, 4, 5))
    assert version.version == "gb-paye-2025-26"
    assert version.parameters.scotland.value.bands[0].width == D("2827")


def test_basic_rate_limit_2026_27_is_frozen_at_37700() -> None:
    """FREEZE: basic rate limit £37,700 for 2026 to 2027 (rest of UK and Wales)."""
    parameters = pack_for("GB").series[PAYE_SERIES].in_force(FIRST_DAY).parameters
    for regime in (parameters.rest_of_uk, parameters.wales):
        assert regime.value.bands[regime.value.basic_rate_band].width == D("37700")


def test_primary_threshold_and_uel_2026_27_are_frozen() -> None:
    """FREEZE: PT aligned with the £12,570 personal allowance; UEL aligned with the £50,270 higher rate threshold."""
    annual = pack_for("GB").series[NIC_SERIES].in_force(FIRST_DAY).parameters.annual.value
    assert (annual.pt, annual.uel) == (D("12570"), D("50270"))


def levels(version: Any) -> dict[str, Verification]:
    parameters = version.parameters
    return {name: getattr(parameters, name).source.verification for name in parameters.__struct_fields__
            if hasattr(getattr(parameters, name), "source")}


def test_2026_27_verification_levels_as_reviewed_on_2_december_2026() -> None:
    """HMRC's Rates and thresholds for employers 2026 to 2027 was not read. Two payroll publishers (Delphini
    Accounting's NI tax table; PayPacket's NI 2026/27 guide) agree on every annual threshold and on the employer
    rates; PayPacket and MyTaxFiling agree on all six weekly thresholds. The monthly thresholds (PayPacket only) and
    the employee rates of categories B, C, H, J, M and Z have no second 2026/27 source, so they stay unverified and
    the NIC version with them. PAYE bands: PayFit and Your Payroll Team (rest of UK), Your Payroll Team,
    BBC/Deloitte and The Payroll Centre (Scotland), ICB and PayslipCheck (Wales)."""
    nic = pack_for("GB").series[NIC_SERIES].in_force(FIRST_DAY)
    assert levels(nic) == {"weekly": Verification.CORROBORATED, "monthly": Verification.UNVERIFIED,
                           "annual": Verification.CORROBORATED, "employee_rates": Verification.UNVERIFIED,
                           "employer_rates": Verification.CORROBORATED}
    assert nic.verification is Verification.UNVERIFIED
    paye = pack_for("GB").series[PAYE_SERIES].in_force(FIRST_DAY)
    assert {name: levels(paye)[name] for name in ("rest_of_uk", "scotland", "wales")} == dict.fromkeys(
        ("rest_of_uk", "scotland", "wales"), Verification.CORROBORATED)
    assert paye.verification is Verification.CORROBORATED
    corroborated = (nic.parameters.weekly, nic.parameters.annual, nic.parameters.employer_rates,
                    paye.parameters.scotland)
    for cited in corroborated:
        assert len({source.publisher for source in cited.source.corroboration}) >= 2
