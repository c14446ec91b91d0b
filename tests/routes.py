"""Every route of the app, as the authorisation, token and cross-tenant tests walk them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from domain.kernel.permissions import Operation

PATH_PARAM = re.compile(r"\{(\w+):(\w+)\}")


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    operation: Operation | None
    public: bool

    @property
    def params(self) -> list[tuple[str, str]]:
        return PATH_PARAM.findall(self.path)

    def url(self, values: dict[str, str]) -> str:
        return PATH_PARAM.sub(lambda m: values[m.group(1)], self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def route_cases(app: Any) -> list[RouteCase]:
    cases = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                if method in ("OPTIONS", "HEAD"):
                    continue
                cases.append(RouteCase(
                    method=method, path=route.path, operation=handler.opt.get("operation"),
                    public=handler.opt.get("public") is True,
                ))
    return sorted(cases, key=str)


#: Harmless stand-ins for path parameters that do not name tenant-owned objects.
NEUTRAL_VALUES = {"country": "DE", "path": "openapi.json", "token": "not-a-report-link",
                  "data_class": "payroll_records", "trigger": "pay_year_closed"}


def neutral_url(case: RouteCase) -> str:
    """The route (and its required query) with every id a random one that exists nowhere."""
    values = {name: NEUTRAL_VALUES.get(name, str(uuid.uuid4())) for name, _ in case.params}
    return case.url(values) + query_for(case.path, {**values, "application_id": str(uuid.uuid4())})


#: Required query parameters, as templates filled with the same values as the path's parameters.
QUERY_FOR = {
    "/v1/compliance/holidays": "?country=DE&year=2026",
    "/v1/compliance/packs/{country:str}/changes": "?since=2025-01-01",
    "/v1/interviews": "?application_id={application_id}",
}


def query_for(path: str, values: dict[str, str]) -> str:
    return QUERY_FOR.get(path, "").format(**values)

BODY_FOR_METHOD: dict[str, Any] = {"POST": {}, "PATCH": {}, "PUT": {}}
