"""Signed law bundles: pack data files travelling to on-prem installations without a code release.

A bundle is a gzipped tar holding ``manifest.json`` (format, publisher, id, and the SHA-256 of every data file),
``manifest.sig`` (the publisher's Ed25519 signature over the manifest's bytes) and the data files themselves at
``packs/<country>/<series>/<name>.toml``, in the same shape as the shipped ones. Nothing is read from a bundle
before its signature and every hash check out; a bundle carries whole series, and installing it replaces the
bundle layer of each series it carries.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import tarfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from compliance.errors import PackDataError
from compliance.parameters import Origin, ParameterVersion, read_version, reject_overlaps
from compliance.registry import law_packs
from domain.kernel.errors import InvalidInput

FORMAT = "meridian.law-bundle.v1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
#: A bundle is data files; anything larger is not one.
MAX_BUNDLE_BYTES = 64 * 1024 * 1024


class BundleRefused(InvalidInput):
    code = "law_bundle_refused"
    title = "Law bundle refused"
    template = "The law bundle was refused: {reason}"


class BundleFile(msgspec.Struct, frozen=True):
    path: str
    sha256: str


class Manifest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    format: str
    bundle_id: str
    publisher: str
    created_at: datetime
    files: list[BundleFile]


@dataclass(frozen=True)
class Bundle:
    manifest: Manifest
    #: (country, series) -> every version the bundle carries for it
    series: dict[tuple[str, str], list[ParameterVersion[Any]]]
    raw_files: dict[str, bytes]


def read_bundle(path: Path, trusted_keys: Iterable[Ed25519PublicKey]) -> Bundle:
    """The bundle at ``path``, verified against the configured publishers' keys; refused with the reason."""
    members = _members(path)
    manifest_bytes, signature = members.pop(MANIFEST, None), members.pop(SIGNATURE, None)
    if manifest_bytes is None or signature is None:
        raise BundleRefused(reason="it has no manifest.json and manifest.sig: it is not signed")
    _verify_signature(manifest_bytes, signature, list(trusted_keys))
    manifest = _manifest(manifest_bytes)
    listed = {f.path: f.sha256 for f in manifest.files}
    if set(listed) != set(members):
        raise BundleRefused(reason="its files are not exactly the ones its manifest lists")
    for name, content in members.items():
        if hashlib.sha256(content).hexdigest() != listed[name]:
            raise BundleRefused(reason=f"{name} does not match the hash its manifest signs")
    return Bundle(manifest=manifest, series=_versions(members), raw_files=members)


def build_bundle(packs_dir: Path, private_key: Ed25519PrivateKey, publisher: str, bundle_id: str,
                 countries: Iterable[str] | None = None, labour_packs_dir: Path | None = None) -> bytes:
    """A signed bundle of the data files under ``packs_dir`` (laid out like ``compliance/packs``:
    ``<cc>_<name>/data/<series>/``) and ``labour_packs_dir`` (like ``compliance/labour_packs``:
    ``<cc>_<name>/<series>/``)."""
    wanted = {c.upper() for c in countries} if countries else None
    files: dict[str, bytes] = {}
    for pack in law_packs().values():
        if wanted is not None and pack.country not in wanted:
            continue
        for series in pack.series:
            for data_file in _data_files(pack.country, series, packs_dir, labour_packs_dir):
                files[f"packs/{pack.country}/{series}/{data_file.name}"] = data_file.read_bytes()
    manifest = Manifest(format=FORMAT, bundle_id=bundle_id, publisher=publisher, created_at=datetime.now(UTC),
                        files=[BundleFile(path=p, sha256=hashlib.sha256(c).hexdigest()) for p, c in files.items()])
    manifest_bytes = msgspec.json.encode(manifest)
    signature = base64.b64encode(private_key.sign(manifest_bytes))
    return _tar({MANIFEST: manifest_bytes, SIGNATURE: signature, **files})


def _data_files(country: str, series: str, packs_dir: Path, labour_packs_dir: Path | None) -> list[Path]:
    prefix = country.lower() + "_"
    layouts = [(packs_dir, Path("data") / series), *([(labour_packs_dir, Path(series))] if labour_packs_dir else [])]
    for root, inside in layouts:
        folder = next((d for d in root.iterdir() if d.is_dir() and d.name.startswith(prefix)), None)
        if folder is not None and (folder / inside).is_dir():
            return sorted((folder / inside).glob("*.toml"))
    return []


def install(bundle: Bundle, law_dir: Path) -> None:
    """Replace the bundle layer of each series the bundle carries, and keep its manifest as the record."""
    for country, series in bundle.series:
        target = law_dir / "current" / country / series
        staging = target.with_name(f".{series}.{bundle.manifest.bundle_id}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name, content in bundle.raw_files.items():
            if name.startswith(f"packs/{country}/{series}/"):
                (staging / PurePosixPath(name).name).write_bytes(content)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    record = law_dir / "imported" / f"{bundle.manifest.bundle_id}.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_bytes(msgspec.json.encode(bundle.manifest))


def installed_versions(law_dir: Path) -> dict[tuple[str, str], list[ParameterVersion[Any]]]:
    """The bundle layer installed on this server, by (country, series)."""
    found: dict[tuple[str, str], list[ParameterVersion[Any]]] = {}
    current = law_dir / "current"
    if not current.is_dir():
        return found
    for series_dir in sorted(current.glob("*/*")):
        country, series = series_dir.parent.name, series_dir.name
        contents = {f"packs/{country}/{series}/{f.name}": f.read_bytes() for f in sorted(series_dir.glob("*.toml"))}
        found.update(_versions(contents))
    return found


def public_keys(configured: str | None) -> list[Ed25519PublicKey]:
    if not configured:
        return []
    return [Ed25519PublicKey.from_public_bytes(base64.b64decode(k.strip())) for k in configured.split(",")]


def _members(path: Path) -> dict[str, bytes]:
    if path.stat().st_size > MAX_BUNDLE_BYTES:
        raise BundleRefused(reason="it is larger than a law bundle can be")
    try:
        with tarfile.open(path, "r:gz") as archive:
            return {member.name: _read_member(archive, member) for member in archive.getmembers()}
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BundleRefused(reason="it is not a gzipped tar archive") from exc


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    name = PurePosixPath(member.name)
    if not member.isfile() or name.is_absolute() or ".." in name.parts:
        raise BundleRefused(reason=f"{member.name} is not a plain file inside the bundle")
    allowed = member.name in (MANIFEST, SIGNATURE) or (
        len(name.parts) == 4 and name.parts[0] == "packs" and name.suffix == ".toml")
    if not allowed:
        raise BundleRefused(reason=f"{member.name} is not a law data file")
    handle = archive.extractfile(member)
    assert handle is not None  # a regular file always has content
    return handle.read()


def _verify_signature(manifest: bytes, signature: bytes, keys: list[Ed25519PublicKey]) -> None:
    if not keys:
        raise BundleRefused(reason="no publisher key is configured (MERIDIAN_LAW_PUBLISHER_KEYS)")
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except ValueError as exc:
        raise BundleRefused(reason="its signature is not base64") from exc
    for key in keys:
        try:
            key.verify(raw, manifest)
            return
        except InvalidSignature:
            continue
    raise BundleRefused(reason="its signature does not verify against any configured publisher key")


def _manifest(content: bytes) -> Manifest:
    try:
        manifest = msgspec.json.decode(content, type=Manifest)
    except msgspec.ValidationError as exc:
        raise BundleRefused(reason=f"its manifest is malformed ({exc})") from exc
    if manifest.format != FORMAT:
        raise BundleRefused(reason=f"its format {manifest.format} is not {FORMAT}")
    return manifest


def _versions(files: dict[str, bytes]) -> dict[tuple[str, str], list[ParameterVersion[Any]]]:
    """Each data file validated against its series' schema exactly as a shipped file is."""
    packs = law_packs()
    found: dict[tuple[str, str], list[ParameterVersion[Any]]] = {}
    for name, content in sorted(files.items()):
        _, country, series, _ = PurePosixPath(name).parts
        pack = packs.get(country)
        types = pack.all_series_types() if pack else {}
        if series not in types:
            raise BundleRefused(reason=f"{name}: {country} has no series {series}")
        try:
            version = read_version(tomllib.loads(content.decode("utf-8")), types[series], Origin.BUNDLE)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, msgspec.ValidationError, ValueError) as exc:
            raise BundleRefused(reason=f"{name}: {exc}") from exc
        found.setdefault((country, series), []).append(version)
    for (country, series), versions in found.items():
        _reject_overlaps(f"{country}/{series}", versions)
    return found


def _reject_overlaps(where: str, versions: list[ParameterVersion[Any]]) -> None:
    try:
        reject_overlaps(where, versions)
    except PackDataError as exc:
        raise BundleRefused(reason=str(exc)) from exc


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = 0
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()

