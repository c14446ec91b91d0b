"""Envelope encryption of personal data, and blind indexes for finding it without decrypting.

Each tenant has a data key (AES-256), stored only wrapped by the installation's master key. A
value is sealed with AES-GCM under its tenant's data key, with the tenant, table, column and row
as associated data: a ciphertext copied to another row, column or tenant does not open. Equality
lookups (duplicate detection) use an HMAC of the normalised value under a key derived from the
tenant's data key, so the same email gives different indexes in different tenants.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = b"\x01"
#: A value sealed under a person's own data key: b"\x02" | key id (16 bytes) | nonce | ciphertext and tag.
PERSON_FORMAT_VERSION = b"\x02"
KEY_ID_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32


class SealedValueUnreadable(Exception):
    """A ciphertext that does not open: tampered, moved, or sealed under another key."""


class MasterKey:
    """The installation's key-encryption key. It wraps tenant data keys and nothing else."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("the master key must be 32 bytes (base64 in MERIDIAN_MASTER_KEY)")
        self._aead = AESGCM(key)

    @classmethod
    def from_settings(cls, configured: str | None, data_dir: Path) -> MasterKey:
        if configured:
            return cls(base64.b64decode(configured))
        path = data_dir / "keys" / "master.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.touch(mode=0o600)
            path.write_text(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode())
        return cls(base64.b64decode(path.read_text().strip()))

    def new_wrapped_data_key(self, tenant_id: UUID) -> str:
        return self.wrap(secrets.token_bytes(KEY_BYTES), tenant_id)

    def wrap(self, data_key: bytes, tenant_id: UUID) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, data_key, _key_context(tenant_id))
        return base64.b64encode(FORMAT_VERSION + nonce + sealed).decode()

    def unwrap(self, wrapped: str, tenant_id: UUID) -> bytes:
        raw = base64.b64decode(wrapped)
        try:
            return self._aead.decrypt(raw[1:1 + NONCE_BYTES], raw[1 + NONCE_BYTES:], _key_context(tenant_id))
        except InvalidTag as exc:
            raise SealedValueUnreadable("the tenant data key does not unwrap under this master key") from exc


class TenantCipher:
    """Seals and opens one tenant's personal data."""

    def __init__(self, tenant_id: UUID, data_key: bytes) -> None:
        self.tenant_id = tenant_id
        self._aead = AESGCM(data_key)
        self._index_key = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                               info=b"meridian:blind-index").derive(data_key)
        #: The key file storage derives each object's own key from (with a random salt per object).
        self.object_key = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                               info=b"meridian:objects").derive(data_key)

    def seal(self, plaintext: str, table: str, column: str, row_id: UUID) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), self._context(table, column, row_id))
        return base64.b64encode(FORMAT_VERSION + nonce + sealed).decode()

    def open(self, token: str, table: str, column: str, row_id: UUID) -> str:
        raw = base64.b64decode(token)
        try:
            opened = self._aead.decrypt(raw[1:1 + NONCE_BYTES], raw[1 + NONCE_BYTES:],
                                        self._context(table, column, row_id))
        except InvalidTag as exc:
            raise SealedValueUnreadable(f"{table}.{column} of {row_id} does not open") from exc
        return opened.decode()

    def open_columns(self, table: str, row_id: UUID, sealed: dict[str, str]) -> dict[str, str]:
        """:meth:`open` for several columns of one row, the row's part of the context written once."""
        row_context = f"meridian:v1:{self.tenant_id}:{table}:{{}}:{row_id}"
        opened: dict[str, str] = {}
        for column, token in sealed.items():
            raw = binascii.a2b_base64(token)
            try:
                opened[column] = self._aead.decrypt(raw[1:1 + NONCE_BYTES], raw[1 + NONCE_BYTES:],
                                                    row_context.format(column).encode()).decode()
            except InvalidTag as exc:
                raise SealedValueUnreadable(f"{table}.{column} of {row_id} does not open") from exc
        return opened

    def blind_index(self, normalised: str, column: str) -> str:
        """The same normalised value gives the same index within a tenant, and nothing else."""
        return hmac.new(self._index_key, f"{column}\x00{normalised}".encode(), hashlib.sha256).hexdigest()

    def _context(self, table: str, column: str, row_id: UUID) -> bytes:
        return _context(self.tenant_id, table, column, row_id)

    def wrap_person_key(self, data_key: bytes, key_id: UUID) -> str:
        """A person's data key sealed under this tenant's data key, bound to the key's id."""
        return self.seal(base64.b64encode(data_key).decode(), "person_keys", "wrapped_key", key_id)

    def unwrap_person_key(self, wrapped: str, key_id: UUID) -> PersonCipher:
        return PersonCipher(self.tenant_id, key_id, base64.b64decode(self.open(wrapped, "person_keys", "wrapped_key",
                                                                               key_id)))


class PersonCipher:
    """Seals and opens one person's personal data under their own data key (crypto-shredding: destroying the key,
    which is stored only wrapped by the tenant's data key, makes everything sealed under it unreadable).

    The token names its key (``key_id``), so a reader finds the key of any token without knowing whose it is.
    The associated data is the v1 context (tenant, table, column, row), so a token copied elsewhere does not open.
    """

    def __init__(self, tenant_id: UUID, key_id: UUID, data_key: bytes) -> None:
        self.tenant_id = tenant_id
        self.key_id = key_id
        self._aead = AESGCM(data_key)
        self._data_key = data_key

    @property
    def object_key(self) -> bytes:
        """The key file storage derives each of this person's objects' keys from (derived when asked: a list that
        opens fifty people's fields needs none)."""
        return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                    info=b"meridian:person-objects").derive(self._data_key)

    def seal(self, plaintext: str, table: str, column: str, row_id: UUID) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), _context(self.tenant_id, table, column, row_id))
        return base64.b64encode(PERSON_FORMAT_VERSION + self.key_id.bytes + nonce + sealed).decode()

    def open_raw(self, raw: bytes, table: str, column: str, row_id: UUID) -> str:
        start = 1 + KEY_ID_BYTES
        try:
            return self._aead.decrypt(raw[start:start + NONCE_BYTES], raw[start + NONCE_BYTES:],
                                      _context(self.tenant_id, table, column, row_id)).decode()
        except InvalidTag as exc:
            raise SealedValueUnreadable(f"{table}.{column} of {row_id} does not open") from exc


def person_key_ids(tokens: Iterable[str | None]) -> set[UUID]:
    """The ids of the person keys ``tokens`` were sealed under (v1 tokens name none): each key id read once, however
    many of a page's tokens name it."""
    prefixes = {binascii.a2b_base64(token[:24])[:1 + KEY_ID_BYTES] for token in tokens if token}
    return {UUID(bytes=prefix[1:]) for prefix in prefixes if prefix[:1] == PERSON_FORMAT_VERSION}


def person_key_of(token: str) -> UUID | None:
    """The id of the person key ``token`` was sealed under, or None for a value sealed under the tenant's key."""
    raw = binascii.a2b_base64(token[:32])  # the version byte and key id are in the first 24 characters
    if raw[:1] != PERSON_FORMAT_VERSION:
        return None
    return UUID(bytes=raw[1:1 + KEY_ID_BYTES])


class Keyring:
    """Opens tokens of either format: v1 under the tenant's cipher, v2 under the person key the token names.
    A token whose person key is not on the ring (destroyed by an erasure) raises :class:`PersonKeyDestroyed`."""

    def __init__(self, tenant: TenantCipher, persons: dict[UUID, PersonCipher]) -> None:
        self.tenant = tenant
        self.persons = persons
        #: The tenant's person ciphers by the key id's bytes, as a token carries it (no UUID built per token).
        self._by_key_bytes = {key_id.bytes: person for key_id, person in persons.items()
                              if person.tenant_id == tenant.tenant_id}

    def open(self, token: str, table: str, column: str, row_id: UUID) -> str:
        raw = binascii.a2b_base64(token)
        if raw[:1] != PERSON_FORMAT_VERSION:
            return self.tenant.open(token, table, column, row_id)
        key_id = UUID(bytes=raw[1:1 + KEY_ID_BYTES])
        person = self.persons.get(key_id)
        if person is None:
            raise PersonKeyDestroyed(f"{table}.{column} of {row_id}: its person key is gone (erased)")
        return person.open_raw(raw, table, column, row_id)

    def open_columns(self, table: str, row_id: UUID, sealed: dict[str, str]) -> dict[str, str]:
        """:meth:`open` for several columns of one row (a list opens four per row): the row's part of the context
        written once, the person key found by the token's bytes. Opens exactly what :meth:`open` opens."""
        head, tail = f"meridian:v1:{self.tenant.tenant_id}:{table}:", f":{row_id}"
        start = 1 + KEY_ID_BYTES
        opened: dict[str, str] = {}
        for column, token in sealed.items():
            raw = binascii.a2b_base64(token)
            person = self._by_key_bytes.get(raw[1:start]) if raw[:1] == PERSON_FORMAT_VERSION else None
            if person is None:  # a v1 token, or a key not on the ring: the general path (which raises)
                opened[column] = self.open(token, table, column, row_id)
                continue
            try:
                opened[column] = person._aead.decrypt(raw[start:start + NONCE_BYTES], raw[start + NONCE_BYTES:],
                                                      f"{head}{column}{tail}".encode()).decode()
            except InvalidTag as exc:
                raise SealedValueUnreadable(f"{table}.{column} of {row_id} does not open") from exc
        return opened


class PersonKeyDestroyed(SealedValueUnreadable):
    """A value sealed under a person key that an erasure destroyed: it will never open again."""


def _context(tenant_id: UUID, table: str, column: str, row_id: UUID) -> bytes:
    return f"meridian:v1:{tenant_id}:{table}:{column}:{row_id}".encode()


def _key_context(tenant_id: UUID) -> bytes:
    return f"meridian:data-key:{tenant_id}".encode()
