"""Text for people: gettext catalogues in ``locales/``, compiled in memory at first use.

Babel returns NullTranslations for a missing catalogue without a word, so loading fails loudly
instead, and a test checks that every message the code can produce has zh_CN and ja text.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
SUPPORTED = ("en", "zh_CN", "ja")
DEFAULT = "en"


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
    text = catalogue(locale if locale in SUPPORTED else DEFAULT).gettext(message)
    return text.format(**params) if params else text


def negotiate(accept_language: str | None, default: str = DEFAULT) -> str:
    """Pick the best supported locale for an Accept-Language header (RFC 9110 quality values)."""
    if not accept_language:
        return default
    preferred: list[tuple[float, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag and weight > 0:
            preferred.append((-weight + position * 1e-6, tag.strip().replace("-", "_")))
    tags = [tag for _, tag in sorted(preferred)]
    try:
        chosen = Locale.negotiate(tags, list(SUPPORTED), sep="_")
    except (UnknownLocaleError, ValueError):
        chosen = None
    # Babel answers zh_Hans_CN for zh_CN; "zh", "zh-SG" and "zh-Hans" all read simplified Chinese best.
    languages = [chosen.language] if chosen else [t.split("_")[0].lower() for t in tags]
    return next((s for lang in languages for s in SUPPORTED if s.split("_")[0] == lang), default)
