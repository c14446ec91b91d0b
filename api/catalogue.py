"""Every text a person can read from Meridian, gathered from the code, and the catalogue files
kept in step with it.

``python -m api.catalogue`` rewrites ``locales/messages.pot`` and adds any new msgid (empty) to
each ``locales/<locale>/LC_MESSAGES/messages.po``, keeping existing translations; a test fails
while any msgid lacks a zh_CN or ja translation.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

import api
import compliance
import domain
from compliance.errors import ComplianceError
from compliance.registry import all_packs
from domain.kernel.errors import DomainError
from domain.kernel.i18n import LOCALES_DIR, SUPPORTED

TRANSLATED = [locale for locale in SUPPORTED if locale != "en"]


def _import_everything() -> list[ModuleType]:
    modules = []
    for package in (domain, api, compliance):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not module.name.endswith(("__main__", ".cli", ".catalogue")):
                modules.append(importlib.import_module(module.name))
    return modules


def _declared_messages(module: ModuleType) -> Iterator[str]:
    """Module constants named ``*_MESSAGES`` (tuples, or mappings of a message code to its msgid) or
    ``*_SUBJECT``/``*_BODY`` (texts) are msgids."""
    for name, value in vars(module).items():
        if name.endswith("_MESSAGES") and isinstance(value, tuple | Mapping):
            yield from (v for v in (value.values() if isinstance(value, Mapping) else value) if isinstance(v, str))
        elif name.endswith(("_SUBJECT", "_BODY")) and isinstance(value, str):
            yield value


def message_codes() -> dict[str, set[str]]:
    """Every coded message a person can read, code to its msgids: each problem's title and detail (domain,
    compliance and HTTP problems) and each ``*_MESSAGES`` mapping's messages (variance exceptions, ...)."""
    from api.problems import COMPLIANCE_TITLE, HTTP_PROBLEMS

    coded: dict[str, set[str]] = {}
    for module in _import_everything():
        for name, value in vars(module).items():
            if name.endswith("_MESSAGES") and isinstance(value, Mapping):
                for code, message in value.items():
                    coded.setdefault(code, set()).add(message)
    for error in (DomainError, *_subclasses(DomainError)):
        coded.setdefault(error.code, set()).update((error.title, error.template))
    for error in (ComplianceError, *_subclasses(ComplianceError)):
        coded.setdefault(error.code, set()).update((COMPLIANCE_TITLE, error.template))
    for code, (_, title, detail) in HTTP_PROBLEMS.items():
        coded.setdefault(code, set()).update((title, detail))
    return coded


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def all_messages() -> list[str]:
    from api.problems import COMPLIANCE_TITLE, FALLBACK_FIELD_DETAIL, HTTP_PROBLEMS, MSGSPEC_MESSAGES

    modules = _import_everything()
    found: set[str] = {COMPLIANCE_TITLE, FALLBACK_FIELD_DETAIL, *MSGSPEC_MESSAGES}
    for module in modules:
        found.update(_declared_messages(module))
    for error in (DomainError, *_subclasses(DomainError)):
        found.update((error.title, error.template))
    for error in (ComplianceError, *_subclasses(ComplianceError)):
        found.add(error.template)
    for _, title, detail in HTTP_PROBLEMS.values():
        found.update((title, detail))
    for pack in all_packs().values():
        found.update((*pack.line_labels.values(), *pack.earning_labels.values(), *pack.year_to_date_labels.values()))
    return sorted(found)


def catalogue_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


def read_catalogue(locale: str) -> Catalog:
    path = catalogue_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="Meridian")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def sync() -> dict[str, list[str]]:
    """Write the template and add new msgids to every catalogue; return what is untranslated."""
    messages = all_messages()
    template = Catalog(project="Meridian")
    for message in messages:
        template.add(message)
    LOCALES_DIR.mkdir(exist_ok=True)
    with (LOCALES_DIR / "messages.pot").open("wb") as handle:
        write_po(handle, template, omit_header=True, width=0)
    missing: dict[str, list[str]] = {}
    for locale in TRANSLATED:
        catalog = read_catalogue(locale)
        fresh = Catalog(locale=locale, project="Meridian")
        for message in messages:
            existing = catalog.get(message)
            fresh.add(message, existing.string if existing else "")
        path = catalogue_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, fresh, omit_header=True, width=0)
        missing[locale] = [m for m in messages if not (fresh.get(m) and fresh.get(m).string)]
    return missing


if __name__ == "__main__":
    for locale, untranslated in sync().items():
        print(f"{locale}: {len(untranslated)} untranslated")
