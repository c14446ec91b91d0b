"""The purge acts on every (data class, trigger) the retention schedule keeps a period for; only the audit trail is
kept, for a stated reason (its hash chain)."""

from __future__ import annotations

from datetime import date

from compliance.retention import DataClass, Trigger, schedule
from domain.privacy.purge import _KEPT, KEPT_AUDIT_CHAIN, PSEUDONYMISED, SWEEPS


def test_every_scheduled_pair_has_a_sweep_but_the_audit_trail() -> None:
    swept = {(sweep.data_class, sweep.trigger) for sweep in SWEEPS}
    pairs = schedule(date(2026, 6, 1))
    assert len(pairs) == 10
    assert [pair for pair in pairs if pair not in swept] == [(DataClass.AUDIT_TRAIL, Trigger.PAY_YEAR_CLOSED)]
    assert _KEPT == {(DataClass.AUDIT_TRAIL, Trigger.PAY_YEAR_CLOSED): KEPT_AUDIT_CHAIN}


def test_payroll_records_are_pseudonymised_by_pay_year_before_leavers_are_looked_at() -> None:
    order = [(sweep.data_class, sweep.trigger) for sweep in SWEEPS]
    payroll = order.index((DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED))
    bank = order.index((DataClass.BANK_DETAILS, Trigger.EMPLOYMENT_ENDED))
    employees = order.index((DataClass.EMPLOYEE_RECORD, Trigger.EMPLOYMENT_ENDED))
    assert payroll < employees and bank < employees
    assert SWEEPS[payroll].action == PSEUDONYMISED and SWEEPS[payroll].by_pay_year
    assert set(SWEEPS[employees].needs) == {
        (DataClass.BANK_DETAILS, Trigger.EMPLOYMENT_ENDED),
        (DataClass.PAYROLL_RECORDS, Trigger.PAY_YEAR_CLOSED),
    }
