"""Every text a person can read exists in zh_CN and ja, with the same placeholders."""

from __future__ import annotations

import re

import pytest

from api.catalogue import TRANSLATED, all_messages, read_catalogue
from domain.kernel.i18n import translate

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(locale: str) -> None:
    catalogue = read_catalogue(locale)
    missing, broken = [], []
    for message in all_messages():
        entry = catalogue.get(message)
        if entry is None or not entry.string:
            missing.append(message)
        elif set(PLACEHOLDER.findall(message)) != set(PLACEHOLDER.findall(entry.string)):
            broken.append(message)
    assert missing == [], "run `python -m api.catalogue` and translate these"
    assert broken == []


def test_the_catalogues_are_compiled_and_used() -> None:
    assert translate("Not found", "zh_CN") != "Not found"
    assert translate("Not found", "ja") != "Not found"
    assert translate("The number must be at most {limit}.", "ja", limit=200).count("200") == 1
    assert translate("Not found", "en") == "Not found"


def test_the_catalogue_reaches_every_pack_label_and_error() -> None:
    messages = set(all_messages())
    assert "Wage tax" in messages and "Individual income tax" in messages
    assert "There is no legal entity with this id." in messages
    assert "Weekly hours of {hours} exceed the legal maximum of {maximum}." in messages
