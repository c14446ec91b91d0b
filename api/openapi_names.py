"""Readable, unique schema names. Litestar names a generic page after the Python path of its item
(``Page_domain.recruitment.model.JobView_``) and two structs of one name after their modules
(``cn_china_schemas_Employee``); generated clients turn those into class names, and some drop a schema whose title
another one shares. Each schema is named ``JobPage`` or ``ChinaEmployee`` instead, with that name as its title."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from litestar.openapi.spec import OpenAPI, Reference, Schema

READABLE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_GENERIC = re.compile(r"^(?P<outer>[A-Za-z0-9]+)_(?P<inner>[\w.]+)_$")
#: Module path words that say where code lives, not what a schema is.
_PLUMBING = {"domain", "compliance", "packs", "api", "controllers", "model", "models", "schemas", "service", "views"}
SCHEMAS = "#/components/schemas/"


def readable_name(name: str) -> str:
    """``Page_domain.recruitment.model.JobView_`` -> ``JobPage``; ``cn_china_schemas_Employee`` ->
    ``ChinaEmployee`` (the pack folder is ``<country code>_<country>``)."""
    if READABLE.match(name):
        return name
    generic = _GENERIC.match(name)
    if generic:
        item = readable_name(generic["inner"].rsplit(".", 1)[-1])
        return f"{item.removesuffix('View')}{generic['outer']}"
    *module, struct = re.split(r"[._]", name)
    words = [word for word in module if word not in _PLUMBING]
    if len(words) > 1 and len(words[0]) == 2:
        words = words[1:]  # the country code of a pack folder: the country's name follows it
    return "".join(word[:1].upper() + word[1:] for word in words) + struct[:1].upper() + struct[1:]


def name_schemas(document: OpenAPI) -> None:
    schemas = document.components.schemas or {}
    renamed = {name: readable_name(name) for name in schemas}
    if len(set(renamed.values())) != len(renamed):
        clashes = sorted(new for new in set(renamed.values()) if list(renamed.values()).count(new) > 1)
        raise ValueError(f"two schemas would share a name: {clashes}")
    document.components.schemas = {renamed[name]: schema for name, schema in schemas.items()}
    for name, schema in document.components.schemas.items():
        if isinstance(schema, Schema):
            schema.title = name
    _point_references_at(document, {SCHEMAS + old: SCHEMAS + new for old, new in renamed.items() if old != new})


def _point_references_at(node: Any, moved: dict[str, str]) -> None:
    if isinstance(node, Reference):
        node.ref = moved.get(node.ref, node.ref)
    elif isinstance(node, dict):
        for value in node.values():
            _point_references_at(value, moved)
    elif isinstance(node, list | tuple):
        for value in node:
            _point_references_at(value, moved)
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            _point_references_at(getattr(node, field.name), moved)
