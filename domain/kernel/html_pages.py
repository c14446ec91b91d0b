"""What every self-contained HTML page of Meridian shares: the reader's Babel locale, labels cut to a
width that counts CJK characters double, and the base stylesheet of the report pages."""

from __future__ import annotations

import unicodedata
from html import escape

from babel import Locale, UnknownLocaleError

REPORT_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","Hiragino Sans",sans-serif;
color:#1f2328;margin:2rem auto;max-width:1100px;padding:0 1rem;line-height:1.45}
body:lang(ja){font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK JP","Hiragino Sans",
"Yu Gothic",Meiryo,sans-serif}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
.meta{color:#57606a;margin:.1rem 0}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
"""


def page_head(locale: str, title: str, heading: str, css: str) -> list[str]:
    """The lines that open a page, up to its heading; ``title`` and ``heading`` are already escaped."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{escape(locale.replace("_", "-"))}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
        f"<h1>{heading}</h1>",
    ]


def babel_locale(locale: str) -> Locale:
    """The Babel locale of a Meridian locale code (zh_CN, zh-CN, ja, en), English if unknown."""
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse("en")


def shorten(name: str, width: int) -> str:
    """Cut a label to about ``width`` Latin letters' width; a CJK character counts as two."""
    used = 0
    for index, char in enumerate(name):
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > width:
            return name[: max(index - 1, 1)] + "…"
    return name
