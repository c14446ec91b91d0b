"""Text for people: gettext catalogues in ``locales/``, compiled in memory at first use.

Babel returns NullTranslations for a missing catalogue without a word, so loading fails loudly
instead, and a test checks that every message the code can produce has zh_CN and ja text.

Languages have two spellings. The domain, its storage and Babel keep the catalogue codes of
:data:`SUPPORTED` (``zh_CN``); the wire shows BCP 47 tags (``zh-CN``). An input Struct types a language as
:data:`LocaleCode`, which also takes ``zh_CN`` and any letter case, and reads it with :func:`read_locales`; a
view types it as :data:`LocaleTag` and shows it with :func:`show_locales`.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

import msgspec
from babel.core import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
SUPPORTED = ("en", "zh_CN", "ja")
DEFAULT = "en"

#: Each supported catalogue code as the wire writes it (BCP 47).
_TAGS = {code: code.replace("_", "-") for code in SUPPORTED}
#: Any accepted spelling, case-folded, to its catalogue code: zh-CN, zh_CN, zh-cn and ZH_cn all read zh_CN.
_CODES = {spelling.casefold(): code for code in SUPPORTED for spelling in (code, _TAGS[code])}


def _either_case(tag: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else "[-_]" for c in tag)


T = TypeVar("T")
#: A language a caller sends: a BCP 47 tag of :data:`SUPPORTED`; ``zh_CN`` and any letter case read the same.
LocaleCode = Annotated[str, msgspec.Meta(
    pattern=f"^({'|'.join(_either_case(tag) for tag in _TAGS.values())})$",
    description="A language as a BCP 47 tag: en, zh-CN or ja (zh_CN and any letter case are read the same).",
    examples=["zh-CN"])]
#: A language as answers show it.
LocaleTag = Annotated[str, msgspec.Meta(
    pattern=f"^({'|'.join(_TAGS.values())})$", description="A language as a BCP 47 tag: en, zh-CN or ja.",
    examples=["zh-CN"])]


def locale_code(locale: str) -> str:
    """The catalogue code of a language in any accepted spelling; anything else is returned as it is."""
    return _CODES.get(locale.casefold(), locale)


def locale_tag(locale: str) -> str:
    """The BCP 47 tag the wire shows for a language in any accepted spelling."""
    code = locale_code(locale)
    return _TAGS.get(code, code.replace("_", "-"))


def locale_tags(texts: Mapping[str, T]) -> dict[str, T]:
    """A text by language, keyed as the wire shows languages."""
    return {locale_tag(locale): text for locale, text in texts.items()}


def read_locales(struct: Any, *fields: str) -> None:
    """An input Struct's ``__post_init__``: each named field (a language, or a text by language) in catalogue
    codes, as the domain keeps it. Raises ValueError where two keys name one language (zh-CN and zh_CN)."""
    _respell(struct, fields, locale_code)


def show_locales(struct: Any, *fields: str) -> None:
    """A view's ``__post_init__``: each named field (a language, or a text by language) in BCP 47 tags, as the
    wire shows languages, however the view was built."""
    _respell(struct, fields, locale_tag)


def _respell(struct: Any, fields: tuple[str, ...], spelling: Callable[[str], str]) -> None:
    for name in fields:
        value = getattr(struct, name)
        if isinstance(value, str):
            msgspec.structs.force_setattr(struct, name, spelling(value))
        elif isinstance(value, Mapping):
            respelled = {spelling(locale): text for locale, text in value.items()}
            if len(respelled) != len(value):
                raise ValueError(f"{name} names one language twice")
            msgspec.structs.force_setattr(struct, name, respelled)


@cache
def catalogue(locale: str) -> gettext.NullTranslations:
    if locale == DEFAULT:
        return gettext.NullTranslations()
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translate(message: str, locale: str, /, **params: Any) -> str:
    code = locale_code(locale)
    text = catalogue(code if code in SUPPORTED else DEFAULT).gettext(message)
    return text.format(**params) if params else text


def negotiate(accept_language: str | None, default: str = DEFAULT) -> str:
    """Pick the best supported locale for an Accept-Language header (RFC 9110 quality values)."""
    if not accept_language:
        return default
    tags = _preferred_tags(accept_language)
    try:
        chosen = Locale.negotiate(tags, list(SUPPORTED), sep="_")
    except (UnknownLocaleError, ValueError):
        chosen = None
    # Babel answers zh_Hans_CN for zh_CN; "zh", "zh-SG" and "zh-Hans" all read simplified Chinese best.
    languages = [chosen.language] if chosen else [t.split("_")[0].lower() for t in tags]
    return next((s for lang in languages for s in SUPPORTED if s.split("_")[0] == lang), default)


def _preferred_tags(accept_language: str) -> list[str]:
    """The tags of an Accept-Language header, most wanted first, spelled with underscores (en_GB)."""
    preferred: list[tuple[float, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag and weight > 0:
            preferred.append((-weight + position * 1e-6, tag.strip().replace("-", "_")))
    return [tag for _, tag in sorted(preferred)]


def formatting_locale(accept_language: str | None, language: str) -> str:
    """The Babel locale that writes dates and numbers for a reader of ``language`` (any accepted spelling): the
    language as the reader's region writes it, where the header names a region and Babel knows the language
    there. Texts stay in ``language``; only the conventions follow the region: en-GB reads "1 Dec 2026" where
    en-US reads "Dec 1, 2026", and a de-DE reader of English pages gets en_DE's dates and numbers. The region
    comes from the first tag of ``language`` that names one, else from the first tag that does."""
    code = locale_code(language)
    regions = [(parsed.language, parsed.territory) for parsed in map(_parsed, _preferred_tags(accept_language or ""))
               if parsed is not None and parsed.territory]
    own = Locale.parse(code) if code in SUPPORTED else None
    if own is None or not regions:
        return code
    territory = next((region for lang, region in regions if lang == own.language), regions[0][1])
    found = _parsed(f"{own.language}_{territory}")
    return str(found) if found is not None else code


def _parsed(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError, TypeError):
        return None
