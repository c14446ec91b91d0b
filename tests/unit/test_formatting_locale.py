"""Dates and numbers as the reader's region writes them, in the language Meridian answers in."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_skeleton

from domain.kernel.i18n import formatting_locale, negotiate


@pytest.mark.parametrize("accept_language, language, formats, written", [
    ("en-GB", "en", "en_GB", "1 Dec 2026"),
    ("en-US", "en", "en_US", "Dec 1, 2026"),
    ("en", "en", "en", "Dec 1, 2026"),
    (None, "en", "en", "Dec 1, 2026"),
    # a German reader of English pages: English words, Germany's order of day and month
    ("de-DE", "en", "en_DE", "1 Dec 2026"),
    # the English the reader names wins over the region of a language Meridian does not answer in
    ("de-DE, en-GB;q=0.8", "en", "en_GB", "1 Dec 2026"),
    ("ja-JP", "ja", "ja_JP", "2026年12月1日"),
    ("zh-CN", "zh_CN", "zh_Hans_CN", "2026年12月1日"),
    ("xx-YY", "en", "en", "Dec 1, 2026"),
    ("*", "en", "en", "Dec 1, 2026"),
])
def test_the_region_of_the_request_writes_the_dates(accept_language: str | None, language: str, formats: str,
                                                     written: str) -> None:
    assert negotiate(accept_language) == language
    assert formatting_locale(accept_language, language) == formats
    assert format_skeleton("yMMMd", date(2026, 12, 1), locale=formats) == written
