"""Domain errors. Each has a stable code, a kind the HTTP edge maps to a status, and an English
message template (a gettext msgid) with named parameters that the edge localises."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple


class ErrorKind(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    #: something that existed and is no longer valid (an expired report link)
    GONE = "gone"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    PRECONDITION_FAILED = "precondition_failed"
    PRECONDITION_REQUIRED = "precondition_required"
    UNPROCESSABLE = "unprocessable"
    #: more than the installation accepts (an upload past its limit)
    TOO_LARGE = "too_large"
    #: Too many requests of a kind; the error carries ``retry_after`` (seconds), sent as Retry-After.
    RATE_LIMITED = "rate_limited"


class Detail(NamedTuple):
    """One of several problems an error reports: where, and an English msgid with its parameters."""

    field: str
    template: str
    params: dict[str, str]


class DomainError(Exception):
    code: str = "error"
    kind: ErrorKind = ErrorKind.INVALID
    title: str = "The request could not be completed."
    template: str = "The request could not be completed."

    def __init__(self, *, field: str | None = None, details: list[Detail] | None = None, **params: Any) -> None:
        self.field = field
        self.details = details or []
        self.params = params
        super().__init__(self.template.format(**params) if params else self.template)


class NotFound(DomainError):
    code = "not_found"
    kind = ErrorKind.NOT_FOUND
    title = "Not found"
    template = "The {resource} you asked for does not exist."


class UnknownReference(NotFound):
    """An id in a request body that names nothing in the caller's tenant; raised with ``field``, which the edge
    answers 422 like any missing thing a body names. Another tenant's id answers exactly like a random one: the
    lookup runs in the caller's tenant only."""

    code = "unknown_reference"
    title = "Unknown reference"
    template = "There is no {resource} with this id."


class InvalidInput(DomainError):
    code = "invalid_input"
    kind = ErrorKind.INVALID
    title = "Invalid input"
    template = "{problem}"


class UnknownCountryCode(InvalidInput):
    code = "unknown_country"
    kind = ErrorKind.UNPROCESSABLE
    title = "Unknown country"
    template = "{countries} is not an ISO 3166-1 alpha-2 country code."


class UnknownCurrencyCode(InvalidInput):
    code = "unknown_currency"
    kind = ErrorKind.UNPROCESSABLE
    title = "Unknown currency"
    template = "{currency} is not an ISO 4217 currency code."


class UnknownRegionCode(InvalidInput):
    """A region outside the one vocabulary: the pack's region codes where a payroll pack covers the country,
    ISO 3166-2 subdivision codes (without the country prefix) elsewhere."""

    code = "unknown_region"
    kind = ErrorKind.UNPROCESSABLE
    title = "Unknown region"
    template = "{region} is not a region of {country}; the regions of {country} are {regions}."


class NoRegionsInCountry(UnknownRegionCode):
    template = "{country} has no regions to choose from (the payroll pack has none): leave the region out."


class NoPayrollPack(InvalidInput):
    code = "no_payroll_pack"
    kind = ErrorKind.UNPROCESSABLE
    title = "No payroll for this country"
    template = "There is no payroll pack for {country}, so Meridian cannot pay staff there."


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    title = "Invalid cursor"
    template = "The cursor is not one this API issued; start again without it."


class NaiveDateTime(InvalidInput):
    code = "naive_datetime"
    title = "Time zone offset missing"
    template = "A date-time must carry its UTC offset (RFC 3339), for example 2026-03-29T09:00:00+02:00."


class TooManyDecimals(InvalidInput):
    code = "too_many_decimals"
    title = "Too many decimals"
    template = "{amount} has more decimals than {currency} allows ({exponent})."


class Conflict(DomainError):
    code = "conflict"
    kind = ErrorKind.CONFLICT
    title = "Conflict"
    template = "The {resource} conflicts with an existing one."


class Forbidden(DomainError):
    code = "forbidden"
    kind = ErrorKind.FORBIDDEN
    title = "Forbidden"
    template = "You are not allowed to do this."


class StaleVersion(DomainError):
    code = "stale_version"
    kind = ErrorKind.PRECONDITION_FAILED
    title = "The resource has changed"
    template = "The {resource} was changed by someone else. Read it again and retry with its new ETag."


class TenantContextMissing(RuntimeError):
    """A query ran without a tenant. A programming error: queries fail closed."""
