"""What a new OpenAPI document breaks for partners whose clients were generated from the last released one
(docs/api-versioning.md says what counts). Pure functions over two parsed documents: ``$ref`` are resolved, and
each change has a stable key, the line an engineer lists in docs/api/CHANGELOG.md with a reason for partners.

Keys (the path is the released document's; a field path reads ``items[].title``, ``[]`` an array's items and
``{}`` a map's values; the root of a body has no field path)::

    operation-removed GET /v1/jobs
    operation-id-changed GET /v1/jobs listJobs                 (the new operationId)
    operation-tag-changed GET /v1/jobs Recruitment             (the new first tag: generated modules move)
    schema-removed JobView                                      (a generated client's type name disappears)
    parameter-removed GET /v1/jobs query:status
    parameter-required GET /v1/jobs query:status               (new and required, or optional made required)
    parameter-type-changed | parameter-enum-value-removed | parameter-bounds-narrowed | parameter-pattern-changed
    request-body-required POST /v1/jobs
    request-media-type-removed POST /v1/jobs application/json
    request-field-removed POST /v1/jobs salary_band
    request-field-required POST /v1/jobs salary_band
    request-type-changed | request-enum-value-removed | request-bounds-narrowed | request-pattern-changed
    response-status-removed POST /v1/jobs 200                   (a success status only)
    response-media-type-removed GET /v1/jobs 200 text/csv
    response-header-removed GET /v1/jobs 200 ETag
    response-field-removed GET /v1/jobs 200 items[].title
    response-field-optional GET /v1/jobs 200 items[].title      (was always present)
    response-type-changed GET /v1/interviews 200                (a new type, null included, or another format)

Additive with care (reported, never breaking): ``response-enum-value-added``, ``response-enum-opened``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

#: The keywords that bound a value from below or above, and which way narrows it.
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")


@dataclass(frozen=True, order=True)
class Change:
    key: str
    detail: str = field(compare=False)
    breaking: bool = field(default=True, compare=False)

    @property
    def kind(self) -> str:
        return self.key.split(" ", 1)[0]


def contract_changes(released: Mapping[str, Any], current: Mapping[str, Any]) -> list[Change]:
    """Every breaking change from ``released`` to ``current``, and the additive ones partners must take care
    with, sorted by key."""
    comparison = _Comparison(released, current)
    comparison.run()
    unique = {change.key: change for change in comparison.changes}
    return sorted(unique.values())


def breaking_changes(released: Mapping[str, Any], current: Mapping[str, Any]) -> list[Change]:
    return [change for change in contract_changes(released, current) if change.breaking]


# -- documents ----------------------------------------------------------------------------------------------


def resolve(document: Mapping[str, Any], node: Any) -> Any:
    """``node`` with its ``$ref`` chain followed (local references only)."""
    for _ in range(32):
        if not isinstance(node, Mapping) or not isinstance(node.get("$ref"), str):
            return node
        reference = node["$ref"]
        if not reference.startswith("#/"):
            raise ValueError(f"only local references are compared: {reference}")
        node = document
        for part in reference[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    raise ValueError("a $ref chain longer than 32 links")


def _operations(document: Mapping[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any], dict[str, Any]]]:
    """(METHOD, path template with its parameters unnamed) → (path, operation, path item)."""
    found = {}
    for path, item in (document.get("paths") or {}).items():
        item = resolve(document, item)
        for method in METHODS:
            if isinstance(item.get(method), Mapping):
                found[(method.upper(), re.sub(r"\{[^}]*\}", "{}", path))] = (path, item[method], item)
    return found


# -- the shape of a schema, whatever its union or reference form ---------------------------------------------


#: The pairs of schemas already compared on the way down (see ``_identity``).
_Seen = frozenset[tuple[frozenset[int], frozenset[int]]]


@dataclass
class _Shape:
    types: frozenset[str] | None  # None: anything
    properties: dict[str, Any]
    required: frozenset[str]
    items: Any
    values: Any  # a map's additionalProperties schema
    enum: frozenset[str] | None  # canonical JSON of each allowed value; None: unrestricted
    bounds: dict[str, Any]
    pattern: str | None
    format: str | None


def _alternatives(document: Mapping[str, Any], schema: Any, depth: int = 0) -> list[Mapping[str, Any]]:
    """The concrete schemas a value may match: oneOf/anyOf flattened, ``$ref`` resolved, allOf merged, and the
    union's own keywords (``maxLength`` beside a ``oneOf``) applied to each member."""
    schema = resolve(document, schema)
    if not isinstance(schema, Mapping) or depth > 16:
        return [{}]
    own = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "allOf")}
    for part in schema.get("allOf") or ():
        for merged in _alternatives(document, part, depth + 1)[:1]:
            own = {**merged, **own, "properties": {**(merged.get("properties") or {}), **(own.get("properties") or {})},
                   "required": [*(merged.get("required") or []), *(own.get("required") or [])]}
    members = [*(schema.get("oneOf") or ()), *(schema.get("anyOf") or ())]
    if not members:
        return [own]
    return [{**own, **member} for m in members for member in _alternatives(document, m, depth + 1)]


def _types_of(schema: Mapping[str, Any]) -> frozenset[str] | None:
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(declared)
    if "properties" in schema or "additionalProperties" in schema:
        return frozenset({"object"})
    if "items" in schema:
        return frozenset({"array"})
    values = schema["enum"] if "enum" in schema else [schema["const"]] if "const" in schema else None
    if values is not None:
        return frozenset(_json_type(value) for value in values)
    return None


def _identity(document: Mapping[str, Any], schema: Any, depth: int = 0) -> frozenset[int]:
    """The schemas ``schema`` stands for, by object identity: a ``$ref`` (in a union too) is its target, so
    that a recursive schema (a job's ``parent`` job) is compared once and the walk ends."""
    target = resolve(document, schema)
    members = [*(target.get("oneOf") or ()), *(target.get("anyOf") or ())] if isinstance(target, Mapping) else []
    refs = frozenset().union(*(_identity(document, m, depth + 1) for m in members if "$ref" in m)) \
        if members and depth < 16 else frozenset()
    return refs or frozenset({id(target)})


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(type(value), "string")


def _canonical(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def shape(document: Mapping[str, Any], schema: Any) -> _Shape:
    alternatives = _alternatives(document, schema)
    kinds = [_types_of(a) for a in alternatives]
    types = None if any(k is None for k in kinds) else frozenset().union(*kinds)  # type: ignore[arg-type]
    objects = [a for a, k in zip(alternatives, kinds, strict=True) if k is None or "object" in k]
    scalars = [a for a, k in zip(alternatives, kinds, strict=True) if k != frozenset({"null"})]
    enum: set[str] | None = set()
    for alternative in scalars:
        values = alternative.get("enum", [alternative["const"]] if "const" in alternative else None)
        if values is None:
            enum = None
            break
        enum.update(_canonical(v) for v in values if v is not None)
    properties: dict[str, Any] = {}
    for alternative in objects:
        properties = {**(alternative.get("properties") or {}), **properties}
    requireds = [frozenset(a.get("required") or ()) for a in objects]
    return _Shape(
        types=types, properties=properties,
        required=frozenset.intersection(*requireds) if requireds else frozenset(),
        items=next((a["items"] for a in alternatives if isinstance(a.get("items"), Mapping)), None),
        values=next((a["additionalProperties"] for a in objects if isinstance(a.get("additionalProperties"), Mapping)),
                    None),
        enum=frozenset(enum) if enum is not None and scalars else None,
        bounds={k: a[k] for a in reversed(scalars) for k in (*_LOWER_BOUNDS, *_UPPER_BOUNDS, "multipleOf")
                if isinstance(a.get(k), int | float) and not isinstance(a.get(k), bool)},
        pattern=next((a["pattern"] for a in scalars if isinstance(a.get("pattern"), str)), None),
        format=next((a["format"] for a in scalars if isinstance(a.get("format"), str)), None),
    )


def _covers(types: frozenset[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _takes_less(old: _Shape, new: _Shape) -> bool:
    """``new`` refuses a type ``old`` took, or reads strings in another format: as an input, a narrowing; read the
    other way round (``_takes_less(new, old)``), an output that sends what clients were not built for."""
    if new.types is not None and (old.types is None or not all(_covers(new.types, t) for t in old.types)):
        return True
    return new.format is not None and new.format != old.format


def _narrowed_bounds(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    narrowed = [k for k in _LOWER_BOUNDS if k in new and (k not in old or new[k] > old[k])]
    narrowed += [k for k in _UPPER_BOUNDS if k in new and (k not in old or new[k] < old[k])]
    if "multipleOf" in new and ("multipleOf" not in old or old["multipleOf"] % new["multipleOf"] != 0):
        narrowed.append("multipleOf")
    return narrowed


def _join(path: str, step: str) -> str:
    return f"{path}{step}" if step.startswith(("[", "{")) or not path else f"{path}.{step}"


# -- the comparison -----------------------------------------------------------------------------------------


class _Comparison:
    def __init__(self, released: Mapping[str, Any], current: Mapping[str, Any]) -> None:
        self.old, self.new = released, current
        self.changes: list[Change] = []

    def report(self, key: str, detail: str, *, breaking: bool = True) -> None:
        self.changes.append(Change(" ".join(part for part in key.split(" ") if part), detail, breaking))

    def run(self) -> None:
        removed = set(_schemas(self.old)) - set(_schemas(self.new))
        for name in removed:
            self.report(f"schema-removed {name}", f"the schema {name} is gone (renamed or removed)")
        new_operations = _operations(self.new)
        for where, (path, old_operation, old_item) in _operations(self.old).items():
            label = f"{where[0]} {path}"
            if where not in new_operations:
                self.report(f"operation-removed {label}", f"{label} is gone")
                continue
            _, new_operation, new_item = new_operations[where]
            self.operation(label, old_operation, new_operation)
            self.parameters(label, _parameters(self.old, old_item, old_operation),
                            _parameters(self.new, new_item, new_operation))
            self.request_body(label, old_operation.get("requestBody"), new_operation.get("requestBody"))
            self.responses(label, old_operation.get("responses") or {}, new_operation.get("responses") or {})

    def operation(self, label: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        if old.get("operationId") and new.get("operationId") != old["operationId"]:
            self.report(f"operation-id-changed {label} {new.get('operationId') or '-'}",
                        f"operationId {old['operationId']} is now {new.get('operationId') or 'absent'}")
        old_tag, new_tag = (old.get("tags") or [None])[0], (new.get("tags") or [None])[0]
        if old_tag and new_tag != old_tag:
            self.report(f"operation-tag-changed {label} {new_tag or '-'}",
                        f"first tag {old_tag} is now {new_tag or 'absent'} (generated clients group by it)")

    def parameters(self, label: str, old: Mapping[tuple[str, str], Any], new: Mapping[tuple[str, str], Any]) -> None:
        for where, parameter in new.items():
            name = f"{where[0]}:{parameter.get('name')}"
            if parameter.get("required") and not (old.get(where) or {}).get("required"):
                self.report(f"parameter-required {label} {name}", f"{name} must now be sent")
        for where, parameter in old.items():
            name = f"{where[0]}:{parameter.get('name')}"
            if where not in new:
                self.report(f"parameter-removed {label} {name}", f"{name} is gone")
            elif "schema" in parameter:
                self.input(_Input("parameter", label), name, parameter["schema"], new[where].get("schema", {}),
                           frozenset())

    def request_body(self, label: str, old: Any, new: Any) -> None:
        old, new = resolve(self.old, old) or {}, resolve(self.new, new) or {}
        if new.get("required") and not (old.get("content") and old.get("required")):
            self.report(f"request-body-required {label}", "a request body must now be sent")
        for media_type, content in (old.get("content") or {}).items():
            if media_type not in (new.get("content") or {}):
                self.report(f"request-media-type-removed {label} {media_type}", f"{media_type} is no longer taken")
            elif "schema" in content:
                self.input(_Input("request", label), "", content["schema"],
                           new["content"][media_type].get("schema", {}), frozenset())

    def responses(self, label: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        for status, response in old.items():
            if status not in new:
                if status.startswith("2"):
                    self.report(f"response-status-removed {label} {status}", f"{status} is no longer answered")
                continue
            response, replacement = resolve(self.old, response), resolve(self.new, new[status])
            at = f"{label} {status}"
            for header in response.get("headers") or {}:
                if header.lower() not in {h.lower() for h in replacement.get("headers") or {}}:
                    self.report(f"response-header-removed {at} {header}", f"the {header} header is no longer sent")
            for media_type, content in (response.get("content") or {}).items():
                new_content = (replacement.get("content") or {}).get(media_type)
                if new_content is None:
                    if status.startswith("2"):
                        self.report(f"response-media-type-removed {at} {media_type}",
                                    f"{media_type} is no longer answered")
                elif "schema" in content:
                    self.output(at, "", content["schema"], new_content.get("schema", {}), frozenset())

    # Inputs may widen (accept more); outputs may narrow (send less).

    def input(self, where: _Input, path: str, old_schema: Any, new_schema: Any,
              seen: _Seen) -> None:
        pair = (_identity(self.old, old_schema), _identity(self.new, new_schema))
        if pair in seen:
            return
        seen |= {pair}
        old, new = where.shape(self.old, old_schema), where.shape(self.new, new_schema)
        value = path or "the value"
        if _takes_less(old, new):
            self.report(where.key("type-changed", path), f"{value} now takes {_describe(new)}, not {_describe(old)}")
            return
        if new.enum is not None:
            for lost in sorted(old.enum - new.enum) if old.enum is not None else ["*"]:
                self.report(where.key("enum-value-removed", path, lost), f"{value} no longer takes " + (
                    lost if lost != "*" else f"any value outside {', '.join(sorted(new.enum))}"))
        for keyword in _narrowed_bounds(old.bounds, new.bounds):
            self.report(where.key("bounds-narrowed", path, keyword),
                        f"{value}: {keyword} {old.bounds.get(keyword, 'unset')} → {new.bounds[keyword]}")
        if new.pattern is not None and new.pattern != old.pattern:
            self.report(where.key("pattern-changed", path), f"{value} must now match {new.pattern}")
        for name, prop in old.properties.items():
            if name not in new.properties:
                self.report(where.key("field-removed", _join(path, name)), f"{_join(path, name)} is gone")
            else:
                self.input(where, _join(path, name), prop, new.properties[name], seen)
        for name in sorted(new.required - old.required):
            self.report(where.key("field-required", _join(path, name)), f"{_join(path, name)} must now be sent")
        self.nested(self.input, where, path, old, new, seen)

    def output(self, at: str, path: str, old_schema: Any, new_schema: Any, seen: _Seen) -> None:
        pair = (_identity(self.old, old_schema), _identity(self.new, new_schema))
        if pair in seen:
            return
        seen |= {pair}
        old, new = shape(self.old, old_schema), shape(self.new, new_schema)
        where = f"{at} {path}"
        if _takes_less(new, old):
            self.report(f"response-type-changed {where}", f"{path or 'the body'} is now {_describe(new)}, "
                                                          f"not {_describe(old)}")
            return
        if old.enum is not None and new.enum is None:
            self.report(f"response-enum-opened {where}", f"{path or 'the value'} is no longer limited to a list",
                        breaking=False)
        for value in sorted((new.enum or frozenset()) - (old.enum or frozenset())) if old.enum is not None else ():
            self.report(f"response-enum-value-added {where} {value}", f"{path or 'the value'} may now be {value}",
                        breaking=False)
        for name, prop in old.properties.items():
            if name not in new.properties:
                self.report(f"response-field-removed {at} {_join(path, name)}", f"{_join(path, name)} is gone")
                continue
            if name in old.required and name not in new.required:
                self.report(f"response-field-optional {at} {_join(path, name)}",
                            f"{_join(path, name)} may now be missing")
            self.output(at, _join(path, name), prop, new.properties[name], seen)
        self.nested(self.output, at, path, old, new, seen)

    @staticmethod
    def nested(compare: Any, where: Any, path: str, old: _Shape, new: _Shape, seen: _Seen) -> None:
        if old.items is not None and new.items is not None:
            compare(where, _join(path, "[]"), old.items, new.items, seen)
        if old.values is not None and new.values is not None:
            compare(where, _join(path, "{}"), old.values, new.values, seen)


@dataclass(frozen=True)
class _Input:
    """A request body (``request-*`` keys) or a parameter (``parameter-*``, its path starting ``query:name``)."""

    part: str
    label: str

    def key(self, kind: str, *tail: str) -> str:
        return " ".join([f"{self.part}-{kind}", self.label, *tail])

    def shape(self, document: Mapping[str, Any], schema: Any) -> _Shape:
        found = shape(document, schema)
        if self.part == "parameter" and found.types is not None:
            found.types = found.types - {"null"} or found.types  # a query string or header cannot send null
        return found


def _schemas(document: Mapping[str, Any]) -> Mapping[str, Any]:
    return (document.get("components") or {}).get("schemas") or {}


def _parameters(document: Mapping[str, Any], item: Mapping[str, Any], operation: Mapping[str, Any],
                ) -> dict[tuple[str, str], Any]:
    """The operation's parameters by (location, name), the path item's included; header names ignore case."""
    found = {}
    for parameter in [*(item.get("parameters") or ()), *(operation.get("parameters") or ())]:
        parameter = resolve(document, parameter)
        name = str(parameter.get("name"))
        found[(parameter.get("in", "query"), name.lower() if parameter.get("in") == "header" else name)] = parameter
    return found


def _describe(found: _Shape) -> str:
    kinds = "/".join(sorted(found.types)) if found.types is not None else "anything"
    return f"{kinds} ({found.format})" if found.format else kinds


# -- the changelog ------------------------------------------------------------------------------------------

KINDS = frozenset({
    "operation-removed", "operation-id-changed", "operation-tag-changed", "schema-removed",
    *(f"parameter-{k}" for k in ("removed", "required", "type-changed", "enum-value-removed", "bounds-narrowed",
                                 "pattern-changed", "field-removed", "field-required")),
    *(f"request-{k}" for k in ("body-required", "media-type-removed", "field-removed", "field-required",
                               "type-changed", "enum-value-removed", "bounds-narrowed", "pattern-changed")),
    *(f"response-{k}" for k in ("status-removed", "media-type-removed", "header-removed", "field-removed",
                                "field-optional", "type-changed", "enum-value-added", "enum-opened")),
})
_BULLET = re.compile(r"^(?P<indent>\s*)[-*]\s+(?P<text>.*?)\s*$")
_KEYED = re.compile(r"^`(?P<key>[^`]+)`\s*(?::\s*(?P<reason>.*))?$")
_HEADING = re.compile(r"^##\s+(?P<title>\S+)")
PLACEHOLDER = "TODO"


@dataclass(frozen=True)
class Listed:
    key: str
    reason: str
    release: str


def listed_changes(changelog: str) -> list[Listed]:
    """The accepted breaking changes of docs/api/CHANGELOG.md: a bullet ``- `key`: reason``, or key bullets
    indented under a bullet that gives the reason for all of them. ``release`` is the ``## `` heading's first
    word (``Unreleased``, ``1.1``)."""
    found, release, group = [], "", ""
    for line in changelog.splitlines():
        if heading := _HEADING.match(line):
            release, group = heading["title"], ""
            continue
        bullet = _BULLET.match(line)
        if bullet is None:
            continue
        keyed = _KEYED.match(bullet["text"])
        if keyed is None or keyed["key"].split(" ", 1)[0] not in KINDS:
            group = bullet["text"] if not bullet["indent"] else group
            continue
        own = (keyed["reason"] or "").strip()
        found.append(Listed(" ".join(keyed["key"].split()), own or (group if bullet["indent"] else ""), release))
    return found


def version_of(release: str) -> tuple[int, ...] | None:
    numbers = re.fullmatch(r"v?(\d+(?:\.\d+)*)", release)
    return tuple(int(n) for n in numbers[1].split(".")) if numbers else None


def accepted_since(changelog: str, released: str) -> list[Listed]:
    """The changes listed for the releases after ``released`` (``1.0``) and for the unreleased one."""
    after = version_of(released) or ()
    return [entry for entry in listed_changes(changelog)
            if (version := version_of(entry.release)) is None or version > after]


def last_released(directory: Path) -> tuple[str, Path]:
    """The newest ``openapi-<version>.json`` kept in ``directory``: what partners' clients were built from."""
    kept = [(version_of(p.stem.removeprefix("openapi-")), p) for p in directory.glob("openapi-*.json")]
    versions = [(v, p) for v, p in kept if v is not None]
    if not versions:
        raise FileNotFoundError(f"no released openapi-<version>.json in {directory}")
    version, path = max(versions)
    return ".".join(map(str, version)), path


@dataclass(frozen=True)
class Review:
    """Where the current document stands against the last release and its changelog."""

    unlisted: list[Change]  # breaking, and in no changelog entry
    stale: list[Listed]  # listed, but no longer a change
    unexplained: list[Listed]  # listed without a reason for partners
    care: list[Change]  # additive, but partners' code may meet values it has not seen
    breaking: list[Change]  # listed or not

    @property
    def clean(self) -> bool:
        return not (self.unlisted or self.stale or self.unexplained)


def review(released: Mapping[str, Any], current: Mapping[str, Any], changelog: str, released_version: str) -> Review:
    changes = contract_changes(released, current)
    listed = accepted_since(changelog, released_version)
    keys = {entry.key for entry in listed}
    breaking = {change.key for change in changes if change.breaking}
    return Review(
        unlisted=[change for change in changes if change.breaking and change.key not in keys],
        stale=[entry for entry in listed if entry.key not in breaking],
        unexplained=[entry for entry in listed if not entry.reason or PLACEHOLDER in entry.reason],
        care=[change for change in changes if not change.breaking],
        breaking=[change for change in changes if change.breaking],
    )


def as_changelog(changes: Iterable[Change]) -> Iterator[str]:
    """Lines to paste under the release's breaking changes: one group per kind, its reason still to write."""
    by_kind: dict[str, list[Change]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)
    for kind, group in sorted(by_kind.items()):
        yield f"- {PLACEHOLDER}: why, for partners ({len(group)} × {kind})"
        for change in group:
            yield f"  - `{change.key}`"


def summary(changes: Iterable[Change]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    return dict(sorted(counts.items()))


#: Where the repository keeps what partners were given (paths from the repository's root).
RELEASED_DIRECTORY = Path("docs/api/released")
CHANGELOG = Path("docs/api/CHANGELOG.md")
DOCUMENT = Path("openapi.json")


def review_files(document: Path = DOCUMENT, released_directory: Path = RELEASED_DIRECTORY,
                 changelog: Path = CHANGELOG) -> tuple[str, Review]:
    """The committed document against the last released one and the changelog: (released version, review)."""
    version, released = last_released(released_directory)
    return version, review(json.loads(released.read_text(encoding="utf-8")),
                           json.loads(document.read_text(encoding="utf-8")),
                           changelog.read_text(encoding="utf-8"), version)


UNRELEASED, BREAKING_HEADING, NOTHING_YET = "## Unreleased", "### Breaking changes", "None yet."


def with_entries(changelog: str, lines: list[str]) -> str:
    """``changelog`` with ``lines`` appended to the unreleased breaking changes (the section is made if missing)."""
    text = changelog.splitlines()
    if UNRELEASED not in text:
        first_release = next((i for i, line in enumerate(text) if line.startswith("## ")), len(text))
        text[first_release:first_release] = [UNRELEASED, "", BREAKING_HEADING, "", ""]
    start = text.index(UNRELEASED)
    end = next((i for i in range(start + 1, len(text)) if text[i].startswith("## ")), len(text))
    if BREAKING_HEADING not in text[start:end]:
        text[end:end] = [BREAKING_HEADING, "", ""]
        end += 3
    heading = text.index(BREAKING_HEADING, start)
    stop = next((i for i in range(heading + 1, end) if text[i].startswith(("## ", "### "))), end)
    section = [line for line in text[heading + 1:stop] if line.strip() and line.strip() != NOTHING_YET]
    text[heading + 1:stop] = ["", *section, *lines, ""]
    return "\n".join(text) + "\n"
