"""Working-day calendars from the ``holidays`` package, for payroll and scheduling."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from compliance.errors import ComplianceError, UnknownRegion

SATURDAY = 5


class HolidaysNotCovered(ComplianceError):
    """The ``holidays`` package knows the place's holidays for a range of years only; outside it, it answers no
    holidays at all, which would read as a year without any."""

    code = "compliance.holidays_not_covered"
    template = "The public holidays of {place} are known from {first} to {last}; {year} is outside those years."


class WorkingDayCalendar:
    def __init__(self, country: str, subdivision: str | None = None) -> None:
        try:
            self._holidays = holidays.country_holidays(country, subdiv=subdivision)
        except NotImplementedError as exc:
            raise UnknownRegion(country=country, region=subdivision or "") from exc
        self.country = country
        self.subdivision = subdivision

    @property
    def covered_years(self) -> tuple[int, int]:
        """The first and last year the package knows this place's holidays for."""
        return self._holidays.start_year, self._holidays.end_year

    def holidays_in(self, year: int, language: str | None = None) -> list[tuple[date, str]]:
        """Holidays of ``year`` named in ``language`` where the package has it, else in its default. A year
        outside :attr:`covered_years` is refused rather than answered with no holidays."""
        first, last = self.covered_years
        if not first <= year <= last:
            place = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
            raise HolidaysNotCovered(place=place, first=first, last=last, year=year)
        probe = self._holidays
        chosen = language if language in probe.supported_languages else None
        year_holidays = holidays.country_holidays(self.country, subdiv=self.subdivision, years=year, language=chosen)
        return sorted(year_holidays.items())

    def is_holiday(self, day: date) -> bool:
        return day in self._holidays

    def is_working_day(self, day: date) -> bool:
        # Some countries (China's 调休) move a weekday off onto a weekend day that is then worked.
        if day in self._weekend_workdays(day.year):
            return True
        return day.weekday() < SATURDAY and day not in self._holidays

    def _weekend_workdays(self, year: int) -> set[date]:
        self._holidays.get(date(year, 1, 1))  # the package fills a year in on first look-up
        return getattr(self._holidays, "weekend_workdays", set())

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day


@lru_cache(maxsize=256)
def working_day_calendar(country: str, subdivision: str | None = None) -> WorkingDayCalendar:
    return WorkingDayCalendar(country, subdivision)
