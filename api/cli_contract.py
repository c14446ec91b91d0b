"""``meridian openapi changes``: what the API document breaks since the last release, in the changelog's words."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api.cli_support import EXIT_FAILED, err
from api.contract_changes import CHANGELOG, DOCUMENT, RELEASED_DIRECTORY, as_changelog, review_files, summary

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
def changes(document: Path, released_directory: Path, changelog: Path, everything: bool) -> None:
    version, found = review_files(document, released_directory, changelog)
    for line in as_changelog(found.breaking if everything else found.unlisted):
        click.echo(line)
    counts = ", ".join(f"{n} {kind}" for kind, n in summary(found.unlisted).items())
    _note(f"Since {version}: {len(found.unlisted)} breaking change(s) not in {changelog}" + (
        f" ({counts})." if counts else "."))
    for entry in found.stale:
        _note(f"Listed, but no longer a change since {version} (remove it): {entry.key}")
    for entry in found.unexplained:
        _note(f"Listed without a reason for partners: {entry.key}")
    for change in found.care if everything else ():
        _note(f"Additive, with care: {change.key} ({change.detail})")
    if not found.clean:
        sys.exit(EXIT_FAILED)
