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
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = b"\x01"
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
        return f"meridian:v1:{self.tenant_id}:{table}:{column}:{row_id}".encode()


def _key_context(tenant_id: UUID) -> bytes:
    return f"meridian:data-key:{tenant_id}".encode()
