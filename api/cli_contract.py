"""``meridian openapi changes``: what the API document breaks since the last release, in the changelog's words."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api.cli_support import EXIT_FAILED, err
from api.contract_changes import (
    CHANGELOG,
    DOCUMENT,
    RELEASED_DIRECTORY,
    as_changelog,
    review_files,
    summary,
    with_entries,
)

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _note(text: str) -> None:
    err.print(text, markup=False, highlight=False)


@click.command("changes", help="Print the breaking changes since the last released document that the changelog "
                               "does not list yet, as lines to paste under its Unreleased section (then write "
                               "each group's reason for partners). Exit 1 while a change is unlisted, listed "
                               "without a reason, or listed but no longer made.")
@click.option("--document", type=_FILE, default=DOCUMENT, show_default=True, help="The document to check")
@click.option("--released", "released_directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=RELEASED_DIRECTORY, show_default=True, help="Where released openapi-<version>.json are kept")
@click.option("--changelog", type=_FILE, default=CHANGELOG, show_default=True)
@click.option("--all", "everything", is_flag=True,
              help="Print every breaking change, listed or not, and the additive ones partners must take care with")
@click.option("--write", is_flag=True, help="Add the unlisted changes to the changelog's Unreleased breaking changes "
                                            "instead of printing them; each group's TODO still needs its reason")
def changes(document: Path, released_directory: Path, changelog: Path, everything: bool, write: bool) -> None:
    version, found = review_files(document, released_directory, changelog)
    if write and found.unlisted:
        changelog.write_text(with_entries(changelog.read_text(encoding="utf-8"), [*as_changelog(found.unlisted)]),
                             encoding="utf-8")
        _note(f"Added {len(found.unlisted)} change(s) to {changelog}: write each TODO's reason for partners.")
        version, found = review_files(document, released_directory, changelog)
    for line in () if write else as_changelog(found.breaking if everything else found.unlisted):
        click.echo(line)
    counts = ", ".join(f"{n} {kind}" for kind, n in summary(found.unlisted).items())
    _note(f"Since {version}: {len(found.unlisted)} breaking change(s) not in {changelog}" + (
        f" ({counts})." if counts else "."))
    for entry in found.stale:
        _note(f"Listed, but no longer a change since {version} (remove it): {entry.key}")
    if found.unexplained:
        _note(f"{len(found.unexplained)} listed change(s) without a reason for partners (or a TODO), such as "
              f"{found.unexplained[0].key}")
    for change in found.care if everything else ():
        _note(f"Additive, with care: {change.key} ({change.detail})")
    if not found.clean:
        sys.exit(EXIT_FAILED)
