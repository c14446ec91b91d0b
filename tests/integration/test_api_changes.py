"""The committed API document breaks nothing for partners' generated clients that docs/api/CHANGELOG.md does not
announce with a reason (docs/api-versioning.md). `meridian openapi changes` prints what to add."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from api.contract_changes import as_changelog, last_released, listed_changes, review_files, version_of

ROOT = Path(__file__).resolve().parents[2]
RELEASED = ROOT / "docs" / "api" / "released"
CHANGELOG = ROOT / "docs" / "api" / "CHANGELOG.md"


def test_every_breaking_change_since_the_last_release_is_in_the_changelog() -> None:
    version, found = review_files(ROOT / "openapi.json", RELEASED, CHANGELOG)
    if found.unlisted:
        missing = "\n".join(as_changelog(found.unlisted))
        pytest.fail(f"{len(found.unlisted)} breaking change(s) since {version} are not in docs/api/CHANGELOG.md. "
                    "Paste these lines under its `## Unreleased` section and write each group's reason for partners "
                    f"(or make the change additive; see docs/api-versioning.md):\n{missing}", pytrace=False)


def test_every_listed_change_is_still_made_and_says_why() -> None:
    version, found = review_files(ROOT / "openapi.json", RELEASED, CHANGELOG)
    if found.stale:
        pytest.fail(f"listed in docs/api/CHANGELOG.md but no longer a change since {version}, remove:\n"
                    + "\n".join(entry.key for entry in found.stale), pytrace=False)
    if found.unexplained:
        pytest.fail("listed in docs/api/CHANGELOG.md without a reason for partners (or still TODO):\n"
                    + "\n".join(entry.key for entry in found.unexplained), pytrace=False)


def test_each_released_document_has_its_changelog_section() -> None:
    version, path = last_released(RELEASED)
    assert json.loads(path.read_text())["info"]["version"].startswith(f"{version}.")
    sections = re.findall(r"^## (\S+)", CHANGELOG.read_text(), flags=re.MULTILINE)
    for kept in RELEASED.glob("openapi-*.json"):
        assert kept.stem.removeprefix("openapi-") in sections, f"{kept.name} has no `## ` section in the changelog"
    assert all(s == "Unreleased" or version_of(s) for s in sections), sections
    assert all(entry.release in sections for entry in listed_changes(CHANGELOG.read_text()))
