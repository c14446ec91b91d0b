"""The README's coverage table is what the pack data says, not a hand-written claim."""

from __future__ import annotations

from pathlib import Path

from compliance.coverage_table import with_table
from compliance.registry import law_packs

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_coverage_table_is_generated_from_the_data() -> None:
    readme = README.read_text(encoding="utf-8")
    assert readme == with_table(readme), "run: python -m compliance.coverage_table README.md"
    for country in law_packs():
        assert f"| {country} " in readme
