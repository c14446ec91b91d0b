"""Calculations per second per pack, on one core, through the same entry point the API uses.

    .venv/bin/python bench/compliance_calculations.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from compliance.calculation import PayFrequency
from compliance.registry import all_packs

MONTHLY = PayFrequency.MONTHLY

#: One ordinary monthly payslip per country, with the attributes that make each pack do its full work.
CASES: dict[str, dict[str, Any]] = {
    "CN": {"region": "SH", "pay_date": date(2025, 9, 30), "earnings": {"regular": "25000"},
           "employee": {"children_in_education": 1, "housing_rent_tier": "major_city"},
           "year_to_date": {"tax_year": 2025, "months_employed": 8, "last_pay_month": 8, "income": "200000"}},
    "DE": {"region": "BY", "pay_date": date(2025, 6, 30), "earnings": {"regular": "5000", "bonus": "1000"},
           "employee": {"tax_class": 1, "church_member": True},
           "year_to_date": {"tax_year": 2025, "expected_annual_current_pay": "60000"}},
    "GB": {"region": None, "pay_date": date(2025, 9, 30), "earnings": {"regular": "4000"},
           "employee": {"tax_code": "1257L"}, "year_to_date": {"tax_year": 2025, "taxable_pay": "20000",
                                                                 "tax_paid": "2700"}},
    "IN": {"region": None, "pay_date": date(2025, 9, 30), "earnings": {"regular": "150000"}, "employee": {},
           "year_to_date": {}},
    "JP": {"region": "13", "pay_date": date(2026, 6, 25), "earnings": {"regular": "400000"},
           "employee": {"dependants": 1, "date_of_birth": date(1985, 4, 1)}, "year_to_date": {}},
    "SG": {"region": None, "pay_date": date(2026, 6, 30), "earnings": {"regular": "6000"},
           "employee": {"date_of_birth": date(1990, 1, 1)}, "year_to_date": {}},
    "US": {"region": None, "pay_date": date(2026, 6, 30), "earnings": {"regular": "8000"},
           "employee": {"filing_status": "married_filing_jointly", "dependents_amount": "2000"},
           "year_to_date": {"tax_year": 2026}},
}


def rate(country: str, seconds: float) -> tuple[int, float]:
    pack = all_packs()[country]
    case = CASES[country]
    pack.calculate_raw(pay_frequency=MONTHLY, **case)  # warm up, and fail loudly on a bad case
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(100):
            pack.calculate_raw(pay_frequency=MONTHLY, **case)
        count += 100
    return count, count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    table = Table(title="Compliance calculations, one core, validation included")
    for column in ("pack", "calculations", "per second", "µs each"):
        table.add_column(column, justify="right")
    for country in sorted(CASES):
        count, per_second = rate(country, args.seconds)
        table.add_row(country, f"{count:,}", f"{per_second:,.0f}", f"{1_000_000 / per_second:,.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
