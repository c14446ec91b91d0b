"""What the CN pack reads: the employee's attributes, the year-to-date figures, and the parameter files."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from compliance.numbers import require_sane_decimals
from compliance.parameters import Cited

ZERO = Decimal("0")
#: Upper bound on any single amount in yuan; far above any wage, low enough to catch unit mistakes.
MAX_AMOUNT = Decimal("100000000")
MAX_CUMULATIVE = Decimal("10000000000")
MAX_ELDERLY_SUPPORT = Decimal("100000")
CUMULATIVE_AMOUNTS = (
    "income", "basic_deduction", "special_deductions", "special_additional_deductions", "other_deductions",
    "tax_withheld", "separate_bonus", "separate_bonus_tax",
)

Count = Annotated[int, msgspec.Meta(ge=0, le=20, description="A count of children (0 to 20).")]
RentTier = Literal["none", "major_city", "large_city", "small_city"]
ElderlySupport = Literal["none", "only_child", "shared"]
ChildShare = Literal["full", "half"]
MedicalTier = Literal["tier1", "tier2"]
Rounding = Literal["half_up", "up"]


def _check_amount(name: str, value: Decimal | None, maximum: Decimal = MAX_AMOUNT) -> None:
    if value is not None and not ZERO <= value <= maximum:
        raise ValueError(f"{name} must be between 0 and {maximum}")


# -- employee ---------------------------------------------------------------------------------


class Employee(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A resident individual employed in mainland China (非居民个人 are not supported)."""

    contribution_base: Annotated[
        Decimal | None,
        msgspec.Meta(description="Declared social-insurance base (缴费基数), normally last year's average monthly "
                     "wage; the city's floor and ceiling are applied. Omitted: this month's current pay."),
    ] = None
    housing_fund_base: Annotated[
        Decimal | None,
        msgspec.Meta(description="Declared housing-fund base (住房公积金缴存基数). Omitted: the contribution base."),
    ] = None
    separate_bonus_taxation: Annotated[
        bool,
        msgspec.Meta(description="The employee elects to tax the annual one-off bonus (全年一次性奖金) separately "
                     "(财政部 税务总局公告2023年第30号); otherwise it is merged into cumulative income."),
    ] = True
    children_in_education: Annotated[
        Count, msgspec.Meta(description="Children from age 3 to the end of full-time education (子女教育).")
    ] = 0
    children_under_three: Annotated[
        Count, msgspec.Meta(description="Children under 3 years (3岁以下婴幼儿照护).")
    ] = 0
    child_deduction_share: Annotated[
        ChildShare,
        msgspec.Meta(description="full: this parent claims 100% of the child deductions; half: each parent 50%."),
    ] = "full"
    continuing_education: Annotated[
        bool, msgspec.Meta(description="In degree-level continuing education in China (学历继续教育), monthly amount.")
    ] = False
    housing_loan_interest: Annotated[
        bool, msgspec.Meta(description="Claims first-home mortgage interest (住房贷款利息). Excludes housing rent.")
    ] = False
    housing_rent_tier: Annotated[
        RentTier,
        msgspec.Meta(description="Housing rent (住房租金): major_city = municipality, provincial capital, "
                     "separately-planned city; large_city = registered population over 1 million; small_city = other."),
    ] = "none"
    elderly_support: Annotated[
        ElderlySupport,
        msgspec.Meta(description="Supporting parents aged 60+ (赡养老人): only_child takes the full amount; shared "
                     "takes elderly_support_amount, at most the per-sibling cap."),
    ] = "none"
    elderly_support_amount: Annotated[
        Decimal, msgspec.Meta(description="Monthly share of the elderly-support deduction when shared (yuan).")
    ] = ZERO
    other_deductions: Annotated[
        Decimal,
        msgspec.Meta(description="Other monthly deductions allowed by law (依法确定的其他扣除: enterprise annuity, "
                     "tax-advantaged health insurance, ...), yuan."),
    ] = ZERO
    external_special_deductions: Annotated[
        Decimal,
        msgspec.Meta(description="Monthly social insurance and housing fund (三险一金) paid outside this pack's "
                     "city calculation; only used when no region is given."),
    ] = ZERO
    prior_year_low_income: Annotated[
        bool,
        msgspec.Meta(description="Withheld here every month of last year with wages of at most 60,000: the basic "
                     "deduction is 60,000 from January (国家税务总局公告2020年第19号)."),
    ] = False
    first_job_this_year: Annotated[
        bool,
        msgspec.Meta(description="First wages of the tax year (e.g. a graduate): the basic deduction counts from "
                     "January (国家税务总局公告2020年第13号)."),
    ] = False
    local_hukou: Annotated[
        bool, msgspec.Meta(description="The employee holds the city's household registration (本市户籍).")
    ] = True
    medical_tier: Annotated[
        MedicalTier,
        msgspec.Meta(description="Shenzhen basic medical insurance tier (一档/二档); tier2 only without local hukou."),
    ] = "tier1"

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        _check_amount("contribution_base", self.contribution_base)
        _check_amount("housing_fund_base", self.housing_fund_base)
        _check_amount("elderly_support_amount", self.elderly_support_amount, MAX_ELDERLY_SUPPORT)
        _check_amount("other_deductions", self.other_deductions)
        _check_amount("external_special_deductions", self.external_special_deductions)
        if self.housing_loan_interest and self.housing_rent_tier != "none":
            # 国发〔2018〕41号 第十九条: mortgage interest and rent cannot both be claimed in one year.
            raise ValueError("housing_loan_interest and housing_rent_tier cannot both be claimed")
        if self.elderly_support != "shared" and self.elderly_support_amount:
            raise ValueError("elderly_support_amount is only used when elderly_support is shared")


# -- year to date -----------------------------------------------------------------------------


class YearToDate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Cumulative figures of the tax year with this employer (累计预扣法). The result's year_to_date is the next input.

    A ``tax_year`` other than the pay date's year starts a new year from zero.
    """

    tax_year: Annotated[
        int, msgspec.Meta(ge=0, le=9999, description="Calendar tax year of these figures; 0: none yet.")
    ] = 0
    months_employed: Annotated[
        int, msgspec.Meta(ge=0, le=12, description="Months of the year employed here so far (任职受雇月份数).")
    ] = 0
    last_pay_month: Annotated[
        int, msgspec.Meta(ge=0, le=12, description="Month of the last payment; a second payment in it adds no month.")
    ] = 0
    last_contribution_month: Annotated[
        int,
        msgspec.Meta(ge=0, le=12, description="Month whose social insurance and housing fund were last charged; "
                     "contributions are charged once a month."),
    ] = 0
    income: Annotated[
        Decimal, msgspec.Meta(description="Cumulative income (累计收入), excluding a separately taxed bonus.")
    ] = ZERO
    basic_deduction: Annotated[Decimal, msgspec.Meta(description="Cumulative basic deduction (累计减除费用).")] = ZERO
    special_deductions: Annotated[
        Decimal, msgspec.Meta(description="Cumulative social insurance and housing fund (累计专项扣除).")
    ] = ZERO
    special_additional_deductions: Annotated[
        Decimal, msgspec.Meta(description="Cumulative special additional deductions (累计专项附加扣除).")
    ] = ZERO
    other_deductions: Annotated[Decimal, msgspec.Meta(description="Cumulative other deductions (累计其他扣除).")] = ZERO
    tax_withheld: Annotated[Decimal, msgspec.Meta(description="Cumulative tax withheld (累计已预扣预缴税额).")] = ZERO
    separate_bonus: Annotated[
        Decimal, msgspec.Meta(description="Annual one-off bonus already taxed separately this year (once a year).")
    ] = ZERO
    separate_bonus_tax: Annotated[Decimal, msgspec.Meta(description="Tax withheld on that bonus.")] = ZERO

    def __post_init__(self) -> None:
        require_sane_decimals(self)
        for name in CUMULATIVE_AMOUNTS:
            _check_amount(name, getattr(self, name), MAX_CUMULATIVE)
        if self.months_employed > self.last_pay_month:
            raise ValueError("months_employed cannot exceed last_pay_month")
        if self.last_contribution_month > self.last_pay_month:
            raise ValueError("last_contribution_month cannot be after last_pay_month")


# -- parameter files --------------------------------------------------------------------------


class Bracket(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One row of a rate table: amounts up to ``upper`` (inclusive; None = no limit)."""

    rate: Decimal
    quick_deduction: Decimal
    upper: Decimal | None = None


class IncomeTaxParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Series ``iit``: cumulative withholding on wages (国家税务总局公告2018年第61号)."""

    monthly_basic_deduction: Cited[Decimal]
    cumulative_rates: Cited[list[Bracket]]
    #: 公告2020年第13号: a first job in the year counts the basic deduction from January.
    first_job_from_january: Cited[bool] | None = None
    #: 公告2020年第19号: the whole year's basic deduction from January for last year's low earners.
    low_income_annual_deduction: Cited[Decimal] | None = None


class BonusParameters(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Series ``annual_bonus``: the separate method for the annual one-off bonus, while the policy runs."""

    months_divisor: Cited[Decimal]
    monthly_rates: Cited[list[Bracket]]


class SpecialAdditionalDeductions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Series ``special_additional_deductions``: monthly standard amounts (专项附加扣除)."""

    child_education: Cited[Decimal]
    infant_care: Cited[Decimal]
    continuing_education: Cited[Decimal]
    housing_loan_interest: Cited[Decimal]
    housing_rent: Cited[dict[str, Decimal]]
    elderly_support_only_child: Cited[Decimal]
    elderly_support_shared_cap: Cited[Decimal]


class Contribution(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    employee_rate: Decimal
    employer_rate: Decimal
    base_floor: Decimal
    base_ceiling: Decimal
    #: A flat monthly amount on top of the rate (Beijing 大额医疗互助 3 yuan).
    employee_fixed: Decimal = ZERO


class RateRange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An employer-chosen rate within the legal range, on a capped base (work injury, housing fund)."""

    default_rate: Decimal
    min_rate: Decimal
    max_rate: Decimal
    base_floor: Decimal
    base_ceiling: Decimal
    #: Yuan quantum the monthly amount is rounded to ("1" where the fund rounds to whole yuan).
    quantum: Decimal = Decimal("0.01")


class CitySocialInsurance(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Series ``social_insurance``: one city's contribution year (usually 1 July to 30 June)."""

    city: str
    pension: Cited[Contribution]
    medical: Cited[Contribution]
    unemployment: Cited[Contribution]
    work_injury: Cited[RateRange]
    housing_fund: Cited[RateRange]
    maternity: Cited[Contribution] | None = None
    medical_tier2: Cited[Contribution] | None = None
    #: Charged only for employees with the city's hukou (Shenzhen 地方补充养老保险).
    local_hukou_supplement: Cited[Contribution] | None = None
    #: How social-insurance amounts are rounded: mode and yuan quantum ("0.01" = fen).
    rounding: Rounding = "half_up"
    quantum: Decimal = Decimal("0.01")


class PartTimeMinimumWage(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Series ``part_time_minimum_wage``: hourly minimum wage for part-time work (非全日制), by region."""

    hourly: Cited[dict[str, Decimal]]
