"""Errors the law library raises.

Each carries a stable ``code`` and an English message template (a gettext msgid) with
named parameters, so the HTTP edge can localise it without the library knowing about locales.
"""

from __future__ import annotations

from typing import Any


class ComplianceError(Exception):
    code = "compliance.error"
    template = "The compliance calculation failed."

    def __init__(self, template: str | None = None, /, *, field: str | None = None, **params: Any) -> None:
        self.template = template or type(self).template
        self.field = field
        self.params = params
        super().__init__(self.template.format(**params) if params else self.template)


class PackDataError(ComplianceError):
    """A data file is malformed. Raised at load time so a bad file stops startup."""

    code = "compliance.pack_data_invalid"
    template = "Rule-pack data file {file} is invalid: {problem}"


class NoPayrollForCountry(ComplianceError):
    code = "compliance.no_payroll_for_country"
    template = "Meridian checks {country} labour law but does not run payroll there."


class UnknownCountry(ComplianceError):
    code = "compliance.unknown_country"
    template = "There is no rule pack for country {country}."


class UnknownRegion(ComplianceError):
    code = "compliance.unknown_region"
    template = "The {country} rule pack has no region {region}."


class PayCurrencyNotPackCurrency(ComplianceError):
    """Pay recorded in another currency than the pack calculates in. Refused rather than converted: conversion
    would need dated, audited exchange rates, which Meridian does not keep."""

    code = "compliance.pay_currency_not_pack_currency"
    template = ("The pay is recorded in {currency}, but the {country} rule pack calculates in {pack_currency}; "
                "record the pay in {pack_currency}.")


class NoParametersInForce(ComplianceError):
    code = "compliance.no_parameters_in_force"
    template = "No {country} {series} parameters are in force on {on}."


class LawNotYetPublished(NoParametersInForce):
    """The last known version ended and the next is not yet published: the run may carry it forward only where
    the tenant opted in (payroll law settings), and settles the difference when the law arrives."""

    code = "compliance.law_not_yet_published"
    template = ("The {country} {series} figures for {on} are not yet published (the last known ended on {ended}). "
                "A payroll admin can opt in to carry the last known figures forward provisionally and settle "
                "the difference when the new figures arrive.")


#: The start of every pack's own problem template: packs raise ``InvalidCalculationInput(INVALID_INPUT + "...")``
#: and list their templates in ``PROBLEM_MESSAGES`` for the catalogues, so the problem is localised whole.
INVALID_INPUT = "Invalid input for the {country} rule pack: "


class InvalidCalculationInput(ComplianceError):
    code = "compliance.invalid_input"
    template = INVALID_INPUT + "{problem}"


class UnsupportedPayFrequency(ComplianceError):
    code = "compliance.unsupported_pay_frequency"
    template = "The {country} rule pack does not support the pay frequency {frequency}."


class OverrideNotAllowed(ComplianceError):
    code = "compliance.override_not_allowed"
    template = "The parameter {name} cannot be overridden by an employer."


class OverrideOutOfRange(ComplianceError):
    code = "compliance.override_out_of_range"
    template = "The override {name}={value} is outside its legal range {minimum} to {maximum}."
