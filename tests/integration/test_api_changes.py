"""The committed API document breaks nothing for partners' generated clients that docs/api/CHANGELOG.md does not
announce with a reason (docs/api-versioning.md). `meridian openapi changes` prints what to add."""

from __future__ import annotations

import json
import re
import subprocess
import sys
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
                    "Paste these lines under its `## Unreleased` section (or run `meridian openapi changes --write`) "
                    "and write each group's reason for partners, or make the change additive (docs/api-versioning.md)"
                    f":\n{missing}", pytrace=False)


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


def test_the_command_prints_adds_and_then_accepts_the_changes(tmp_path: Path) -> None:
    released = tmp_path / "released"
    released.mkdir()
    document = {"openapi": "3.1.0", "info": {"version": "1.0.0"}, "paths": {
        "/v1/jobs": {"get": {"operationId": "V1JobsList", "responses": {}}},
        "/v1/old": {"get": {"operationId": "old", "responses": {}}}}}
    (released / "openapi-1.0.json").write_text(json.dumps(document))
    document["paths"]["/v1/jobs"]["get"]["operationId"] = "listJobs"
    del document["paths"]["/v1/old"]
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## Unreleased\n\n### Breaking changes\n\nNone yet.\n\n## 1.0\n\nFirst.\n")

    def changes(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "api.cli", "openapi", "changes", "--document", str(tmp_path / "openapi.json"),
             "--released", str(released), "--changelog", str(changelog), *extra],
            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)

    printed = changes()
    assert printed.returncode == 1
    assert printed.stdout.splitlines() == [
        "- TODO: why, for partners (1 × operation-id-changed)", "  - `operation-id-changed GET /v1/jobs listJobs`",
        "- TODO: why, for partners (1 × operation-removed)", "  - `operation-removed GET /v1/old`"]
    assert "Since 1.0: 2 breaking change(s)" in printed.stderr

    written = changes("--write")
    assert written.returncode == 1 and "2 listed change(s) without a reason" in written.stderr
    changelog.write_text(changelog.read_text().replace("TODO: why, for partners", "Short names and gone"))
    accepted = changes()
    assert (accepted.returncode, accepted.stdout) == (0, ""), accepted.stderr
    assert "Since 1.0: 0 breaking change(s)" in accepted.stderr
