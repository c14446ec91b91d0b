"""Signed law bundles on an on-prem install, run as operators run them: keygen, export, dry run, import."""

from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import tarfile
from pathlib import Path

import pytest

from tests.integration.test_cli import meridian

pytestmark = [pytest.mark.anyio, pytest.mark.sqlite]

SHIPPED = Path(__file__).resolve().parents[2] / "compliance" / "packs" / "cn_china" / "data" / "social_insurance"


def hangzhou_2027(source: Path) -> Path:
    """A publisher's packs folder: China's shipped contribution years plus Hangzhou's 2027 year."""
    folder = source / "cn_china" / "data" / "social_insurance"
    shutil.copytree(SHIPPED, folder)
    text = (folder / "hz-2026.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^version = ".*"$', 'version = "cn-hz-si-2027-bundle"', text)
    text = re.sub(r"(?m)^effective_from = .*$", "effective_from = 2027-01-01", text)
    text = re.sub(r"(?m)^effective_to = .*$", "effective_to = 2027-12-31", text)
    (folder / "hz-2027-bundle.toml").write_text(text, encoding="utf-8")
    return source


def tampered(bundle: Path, into: Path) -> Path:
    """The same signed manifest, with one data file changed after signing."""
    with tarfile.open(bundle, "r:gz") as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]
    name = next(n for n in members if n.endswith("hz-2027-bundle.toml"))
    members[name] = members[name].replace(b"cn-hz-si-2027-bundle", b"cn-hz-si-2027-forged")
    with tarfile.open(into, "w:gz") as archive:
        for member, content in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return into


def publisher_install(tmp_path: Path, country: str) -> tuple[dict[str, str], str]:
    """A migrated on-prem install for ``country`` and a fresh publisher key pair: the environment and public key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERIDIAN_")}
    env.update({"MERIDIAN_DATA_DIR": str(tmp_path / "data"), "MERIDIAN_TENANT_COUNTRIES": country})
    assert meridian("migrate", env=env).returncode == 0
    keygen = meridian("packs", "keygen", "--output", str(tmp_path / "publisher.key"), env=env)
    assert keygen.returncode == 0, keygen.stderr
    return env, keygen.stdout.split("MERIDIAN_LAW_PUBLISHER_KEYS=")[1].split()[0]


async def test_only_a_signed_untouched_bundle_installs_and_its_import_is_audited(tmp_path: Path) -> None:
    env, public_key = publisher_install(tmp_path, "CN")
    bundle = tmp_path / "law.tar.gz"
    exported = meridian("packs", "export", "--key", str(tmp_path / "publisher.key"), "--output", str(bundle),
                        "--country", "CN", "--source", str(hangzhou_2027(tmp_path / "packs")), env=env)
    assert exported.returncode == 0, exported.stderr

    unconfigured = meridian("packs", "import", str(bundle), env=env)
    assert unconfigured.returncode == 1 and "no publisher key" in unconfigured.stderr
    env["MERIDIAN_LAW_PUBLISHER_KEYS"] = public_key
    forged = meridian("packs", "import", str(tampered(bundle, tmp_path / "forged.tar.gz")), env=env)
    assert forged.returncode == 1 and "does not match the hash its manifest signs" in forged.stderr

    def hangzhou_on_2027_03_25() -> str:
        status = meridian("packs", "status", "--on", "2027-03-25", env=env)
        assert status.returncode == 0, status.stderr
        return next(line for line in status.stdout.splitlines() if "│ HZ" in line and "social" in line)

    dry = meridian("packs", "import", str(bundle), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "cn-hz-si-2027-bundle" in dry.stdout and "Dry run: nothing was installed." in dry.stdout
    assert "No pay group of this installation's tenant is in a country and region the bundle changes." in dry.stdout
    assert "not_in_force" in hangzhou_on_2027_03_25()
    installed = meridian("packs", "import", str(bundle), env=env)
    assert installed.returncode == 0, installed.stderr
    assert "cn-hz-si-2027-bundle" in hangzhou_on_2027_03_25()
    assert "not_in_force" not in hangzhou_on_2027_03_25()
    with sqlite3.connect(tmp_path / "data" / "meridian.sqlite3") as db:
        actions = [row[0] for row in db.execute("SELECT action FROM audit_entries WHERE entity_type = 'law_bundle'")]
    assert actions == ["law_bundle.imported"]
    assert meridian("audit", "verify", env=env).returncode == 0


async def test_a_labour_only_country_travels_in_a_bundle_like_a_payroll_pack(tmp_path: Path) -> None:
    """France's labour law (a data-only pack) is exported from the repository and installs from the bundle."""
    env, public_key = publisher_install(tmp_path, "FR")
    env["MERIDIAN_LAW_PUBLISHER_KEYS"] = public_key
    bundle = tmp_path / "france.tar.gz"
    exported = meridian("packs", "export", "--key", str(tmp_path / "publisher.key"), "--output", str(bundle),
                        "--country", "FR", env=env)
    assert exported.returncode == 0, exported.stderr
    with tarfile.open(bundle, "r:gz") as archive:
        names = archive.getnames()
    assert any(name.startswith("packs/FR/labour/") for name in names), names
    installed = meridian("packs", "import", str(bundle), env=env)
    assert installed.returncode == 0, installed.stderr
    assert sorted(p.name for p in (tmp_path / "data" / "law" / "current" / "FR" / "labour").glob("*.toml"))
