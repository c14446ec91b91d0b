"""An example for every request body and every answer, made from the schema itself so it can never describe a
shape the API does not have (a test validates each against its schema). Values are chosen by field name where
the name says what the field holds, so a reader sees a plausible Japanese hire, not ``"string"``."""

from __future__ import annotations

import re
from typing import Any

from litestar.openapi.spec import (
    Example,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
    RequestBody,
)

EXAMPLE_ID = "01936c3e-7a4b-7cde-8f01-23456789abcd"
EXAMPLE_DAY = "2026-12-01"
EXAMPLE_MOMENT = "2026-12-01T09:30:00Z"
#: What a field of this name holds, when its schema leaves the choice open.
BY_NAME: dict[str, Any] = {
    "country": "JP", "country_code": "JP", "region": "13", "currency": "JPY", "timezone": "Asia/Tokyo",
    "time_zone": "Asia/Tokyo", "locale": "ja", "default_locale": "ja", "language": "ja",
    "email": "aiko.tanaka@example.com", "phone": "+81 90-1234-5678", "name": "Aiko Tanaka",
    "full_name": "Aiko Tanaka", "given_name": "Aiko", "family_name": "Tanaka", "display_name": "Aiko Tanaka",
    "title": "Senior Backend Engineer", "job_title": "Senior Backend Engineer", "legal_name": "Meridian Japan KK",
    "department": "Engineering", "position": "Senior Backend Engineer", "reason": "Strong system design interview",
    "note": "Checked against the signed offer letter", "notes": "Checked against the signed offer letter",
    "comment": "Clear communicator", "description": "Builds and runs the payroll APIs", "code": "system_design",
    "subject": "alice", "url": "https://vendor.example.com/results/4711", "purpose": "recruitment",
    "employee_number": "E-1042", "iban": "DE89370400440532013000", "account_number": "DE89370400440532013000",
    "interview_language": "ja", "national_id": "110101199003074477", "tax_id": "110101199003074477",
    "version_label": "2026.1", "next_cursor": "MDE5MzZjM2UtN2E0Yi03Y2Rl", "location": "Tokyo (hybrid)",
}
#: ``name`` and ``title`` by the schema they are in (a part of its name).
BY_OWNER: dict[str, dict[str, str]] = {
    "name": {"Vendor": "Example Interview AI", "Stage": "Technical interview", "PayGroup": "Tokyo monthly",
             "LegalEntity": "Meridian Japan KK", "Competenc": "System design", "Module": "Secure coding",
             "Tenant": "Acme Holdings", "Training": "Secure coding"},
    # a payslip's earning: 8 hours of overtime at 103.85 an hour and 150%, or 12 of 21.75 paid days
    "days": {"Earning": "12"}, "days_in_period": {"Earning": "21.75"}, "hours": {"Earning": "8"},
    "rate": {"Earning": "103.85"}, "multiplier": {"Earning": "1.5"},
}
#: Texts in Japanese for maps of texts by language.
JAPANESE = {"title": "シニアバックエンドエンジニア", "description": "給与計算APIの設計と運用",
            "name": "システム設計", "names": "システム設計", "titles": "シニアバックエンドエンジニア",
            "descriptions": "給与計算APIの設計と運用"}
#: Decimal quantities that are not money, by a part of their field's name.
DECIMALS = {"rate": "0.08", "score": "4", "scale_min": "1", "scale_max": "5", "confidence": "0.92", "weight": "0.25",
            "seconds": "42.5", "hours": "40", "days": "5", "threshold": "3", "ratio": "0.8", "percent": "8"}
_MONEY_NAMES = re.compile(r"(amount|salary|gross|net|pay|wage|tax|cost|total|contribution|bonus|allowance|debit"
                          r"|credit|deduction|earning|base|ceiling|floor|income)", re.I)
_MAX_DEPTH = 8


class ExampleMaker:
    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        #: The schemas being filled, innermost last: a ``name`` means one thing in a vendor, another in a stage.
        self.owners: list[str] = []
        self.fields: list[str] = []

    def of(self, schema: dict[str, Any], field: str = "", depth: int = 0) -> Any:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            self.owners.append(name)
            try:
                return self.of(self.components[name], field, depth + 1)
            finally:
                self.owners.pop()
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return next((value for value in schema["enum"] if value is not None), None)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
                # Bounds beside a oneOf (``minimum`` of an optional integer) apply to the option chosen.
                outer = {k: v for k, v in schema.items() if k not in (key, "description", "title")}
                return self.of({**outer, **options[0]}, field, depth)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                value = self.of(part, field, depth)
                merged.update(value if isinstance(value, dict) else {})
            return merged
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        return self._of_type(kind, schema, field, depth)

    def _of_type(self, kind: str | None, schema: dict[str, Any], field: str, depth: int) -> Any:
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        if kind == "array":
            item = self.of(schema.get("items", {}), field.removesuffix("s"), depth + 1)
            return [item] * max(1, schema.get("minItems", 1))
        if kind == "string":
            return _string(schema, field, self.owners[-1] if self.owners else "")
        if kind in ("integer", "number"):
            return _number(schema, field, kind)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return {}  # any JSON value; None would vanish from the document's example

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        if depth > _MAX_DEPTH:
            properties = {name: s for name, s in properties.items() if name in required}
        example = {name: self._field(name, s, depth) for name, s in properties.items()}
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict):
            keys = schema.get("propertyNames", {})
            for key in keys.get("enum") or [k for k in ("en", "ja") if _fits(k, keys)] or ["EXAMPLE"]:
                example[key] = self._in_language(extra, key, depth)
        return example

    def _field(self, name: str, schema: dict[str, Any], depth: int) -> Any:
        self.fields.append(name)
        try:
            return self.of(schema, name, depth + 1)
        finally:
            self.fields.pop()

    def _in_language(self, schema: dict[str, Any], key: str, depth: int) -> Any:
        """A map of texts by language shows the same text in each; any other map, one plausible value."""
        field = self.fields[-1] if self.fields else key
        texts = JAPANESE if key == "ja" else {}
        if schema.get("type") == "string" and field in texts and _fits(texts[field], schema):
            return texts[field]
        return self.of(schema, field, depth + 1)


def _string(schema: dict[str, Any], field: str, owner: str) -> str:
    fmt = schema.get("format")
    if fmt == "uuid":
        return EXAMPLE_ID
    if fmt == "date":
        return EXAMPLE_DAY
    if fmt == "date-time":
        return EXAMPLE_MOMENT
    if fmt == "email":
        return BY_NAME["email"]
    if fmt in ("uri", "url"):
        return BY_NAME["url"]
    value = next((v for part, v in BY_OWNER.get(field, {}).items() if part in owner), BY_NAME.get(field))
    if value is None and _is_decimal(schema):
        value = _decimal(field)
    if value is None and field.endswith("_id"):
        value = EXAMPLE_ID
    if value is None and _MONEY_NAMES.search(field):
        value = "18000.00"
    if value is None or not _fits(str(value), schema):
        value = _text_that_fits(schema, field)
    return str(value)


def _is_decimal(schema: dict[str, Any]) -> bool:
    return bool(schema.get("pattern")) and _fits("1.5", schema) and not _fits("x", schema)


def _decimal(field: str) -> str:
    if _MONEY_NAMES.search(field):
        return "18000.00"
    return next((value for hint, value in DECIMALS.items() if hint in field), "1.5")


def _fits(value: str, schema: dict[str, Any]) -> bool:
    pattern = schema.get("pattern")
    return (len(value) >= schema.get("minLength", 0) and len(value) <= schema.get("maxLength", len(value))
            and (pattern is None or re.search(pattern, value) is not None))


#: Plain values to try, in order, for a pattern we cannot read the intent of.
_CANDIDATES = ("Example", "https://meet.example.com/abc-defg-hij", "example", "EXAMPLE", "18000.00", "1", "JP",
               "ja", "abc123", "v1", "A1", "2026-H1", EXAMPLE_DAY, EXAMPLE_MOMENT, "0" * 64)
#: ``^(open|done)$``: the first word is an example.
_ALTERNATION = re.compile(r"^\^\(([\w|-]+)\)\$$")


def _text_that_fits(schema: dict[str, Any], field: str) -> str:
    readable = field.replace("_", " ").strip().capitalize() or "Example"
    alternatives = _ALTERNATION.match(schema.get("pattern", ""))
    if alternatives:
        return alternatives.group(1).split("|")[0]
    for candidate in (readable, *_CANDIDATES):
        if _fits(candidate, schema):
            return candidate
    shortest = max(schema.get("minLength", 1), 1)
    return "x" * shortest


def _number(schema: dict[str, Any], field: str, kind: str) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + (1 if "exclusiveMinimum" in schema else 0))
    high = schema.get("maximum")
    wanted = {"limit": 50, "year": 2026, "month": 12, "hours": 40, "days": 5}.get(field, max(low, 1))
    value = min(max(wanted, low), high) if high is not None else max(wanted, low)
    return int(value) if kind == "integer" else value


def add_examples(document: OpenAPI) -> None:
    """An example on each JSON request body and each success answer that has a schema to show."""
    components = {name: schema.to_schema() for name, schema in (document.components.schemas or {}).items()}
    maker = ExampleMaker(components)
    for item in (document.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if isinstance(operation, Operation):
                _exemplify(operation, maker)


def _exemplify(operation: Operation, maker: ExampleMaker) -> None:
    body = operation.request_body
    if isinstance(body, RequestBody):
        _fill(body.content, maker)
    for status, response in (operation.responses or {}).items():
        if status.startswith("2") and isinstance(response, OpenAPIResponse) and response.content:
            _fill(response.content, maker)
        elif isinstance(response, OpenAPIResponse) and status in PROBLEMS:
            for media_type, media in (response.content or {}).items():
                media.example = media.example or _error_example(status, media_type, media)


def _error_example(status: str, media_type: str, media: OpenAPIMediaType) -> Any:
    if media_type in TEXT_EXAMPLES:  # a browser page's own error page (/oauth/authorize) is a page
        return TEXT_EXAMPLES[media_type]
    own = next(iter((media.examples or {}).values()), None) if media_type == "application/json" else None
    # an error of its own shape (the OAuth endpoints' RFC 6749 errors) shows its own example
    return own.value if isinstance(own, Example) else _problem(status)


#: A typical problem per status: (code, title, detail, the field it points at).
PROBLEMS: dict[str, tuple[str, str, str, str | None]] = {
    "400": ("invalid_body", "Invalid request", "Expected `str`, got `int`.", "/title/en"),
    "401": ("unauthenticated", "Authentication required", "A valid bearer token is required.", None),
    "403": ("forbidden", "Forbidden", "Your role does not allow this operation.", None),
    "404": ("not_found", "Not found", "There is no such job.", None),
    "409": ("conflict", "Conflict", "The request conflicts with data saved meanwhile; read it again and retry.",
            None),
    "410": ("report_link_expired", "Report link expired",
            "This report link has expired; links open their report for a few minutes only. Open the report from "
            "Meridian again to get a new link.", None),
    "412": ("stale_version", "Precondition failed",
            "The job was changed by someone else. Read it again and retry with its new ETag.", None),
    "413": ("request_too_large", "Request too large", "The request body is larger than this API accepts.", None),
    "415": ("unsupported_media_type", "Unsupported media type", "Send the request body as application/json.", None),
    "422": ("unknown_reference", "Unknown reference", "There is no such legal entity in your organisation.",
            "/legal_entity_id"),
    "428": ("if_match_required", "Precondition required",
            "Send If-Match with the ETag you read, so you cannot overwrite someone else's change.", None),
    "429": ("rate_limited", "Too many requests", "You sent too many requests; wait and retry.", None),
    "500": ("internal_error", "Internal error", "Something went wrong on our side. Quote the request id to support.",
            None),
}


def _problem(status: str) -> dict[str, Any]:
    code, title, detail, pointer = PROBLEMS[status]
    example: dict[str, Any] = {"type": f"urn:meridian:problem:{code}", "title": title, "status": int(status),
                               "detail": detail, "code": code, "request_id": "req-7f3a9c2e"}
    if pointer:
        example["errors"] = [{"pointer": pointer, "detail": detail}]
    return example


#: Non-JSON renderings: what the start of each looks like.
TEXT_EXAMPLES = {
    "text/html": "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>...</title></head>...",
    "text/csv": "account,currency,debit,credit\n6000,JPY,1800000,0\n",
    "text/calendar": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Meridian//Interviews//EN\r\nBEGIN:VEVENT\r\n...",
}


def _fill(content: dict[str, OpenAPIMediaType], maker: ExampleMaker) -> None:
    for media_type, media in content.items():
        if media.example is not None or media.examples:
            continue
        base = media_type.split(";")[0].strip()
        if base.endswith("json") and media.schema is not None:
            schema = media.schema
            media.example = maker.of({"$ref": schema.ref} if isinstance(schema, Reference) else schema.to_schema())
        elif base in TEXT_EXAMPLES:
            media.example = TEXT_EXAMPLES[base]
