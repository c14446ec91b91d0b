"""Encrypted, streamed storage of files: interview recordings and attachments.

``ObjectStore`` is the interface; ``LocalEncryptedStore`` keeps objects on the local filesystem
(on-prem needs no cloud). The caller supplies a 32-byte key per object (for example derived from
the tenant's data key) and a context; the context should name the tenant and the object, since a
file opens only under the same key and context it was written with.

On-disk format (version 1)::

    b"MRDN1" | salt (16 random bytes) | chunk 0 | chunk 1 | ... | final chunk
    chunk = ciphertext length (4 bytes, big-endian) | AES-256-GCM ciphertext with its 16-byte tag

The file key is HKDF-SHA256(cipher_key, salt, info=b"meridian:object:" + context), unique per file
thanks to the random salt, so the nonce can be derived from the chunk's position: the index
(11 bytes, big-endian) and the final flag (1 byte). The associated data is
context + index (8 bytes, big-endian) + final flag. Every chunk but the last holds exactly 64 KiB of
plaintext; the last one, flagged final, holds 0 to 64 KiB (an empty object is one empty final chunk).
Truncation, reordering, swapped or appended chunks, a dropped final chunk, and opening under
another key or context all fail authentication.

A reader yields each chunk only once it is authenticated, but a stream cut short is detected only
at its end: a consumer must treat everything it received as void when iteration raises
``ObjectCorrupted`` (an HTTP response, for instance, must be aborted, not completed).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO, Protocol

import anyio.to_thread
import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.kernel.errors import DomainError, ErrorKind

MAGIC = b"MRDN1"
SALT_BYTES = 16
KEY_BYTES = 32
TAG_BYTES = 16
LENGTH_BYTES = 4
CHUNK_BYTES = 64 * 1024
HEADER_BYTES = len(MAGIC) + SALT_BYTES
MAX_KEY_LENGTH = 1024
MAX_SEGMENT_LENGTH = 200  # leaves room under NAME_MAX (255) for the temporary file's prefix and suffix

_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")


class ObjectTooLarge(DomainError):
    kind = ErrorKind.TOO_LARGE
    code = "upload_too_large"
    title = "Upload too large"
    template = "The upload is larger than the limit of {limit} bytes."


class ObjectCorrupted(Exception):
    """A stored object that does not decrypt: tampered, truncated, moved, or read with the wrong
    key or context. Not user-facing: it means the store, or the caller, is broken."""


class InvalidObjectKey(ValueError):
    """An object key outside ``[A-Za-z0-9/_-]`` segments: a programming error, not user input."""


class StoredObject(msgspec.Struct, frozen=True):
    key: str
    size: int  # plaintext bytes
    sha256: str  # hex digest of the plaintext


class ObjectStore(Protocol):
    async def write(self, key: str, chunks: AsyncIterator[bytes], *, cipher_key: bytes, context: bytes,
                    max_bytes: int) -> StoredObject:
        """Store the plaintext ``chunks`` under ``key``, replacing any previous object atomically.
        Raises ``ObjectTooLarge`` (and stores nothing) past ``max_bytes`` of plaintext."""
        ...

    def read(self, key: str, *, cipher_key: bytes, context: bytes) -> AsyncIterator[bytes]:
        """The plaintext, chunk by chunk. Iteration raises ``FileNotFoundError`` for a missing
        object and ``ObjectCorrupted`` for one that does not authenticate."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; removing a missing object is not an error."""
        ...


def validate_key(key: str) -> str:
    if (not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY_PATTERN.fullmatch(key)
            or any(len(segment) > MAX_SEGMENT_LENGTH for segment in key.split("/"))):
        raise InvalidObjectKey(f"{key!r} is not a valid object key")
    return key


class _ChunkCipher:
    """AES-256-GCM under a per-file key, with nonces and associated data bound to chunk positions."""

    def __init__(self, cipher_key: bytes, salt: bytes, context: bytes) -> None:
        if not isinstance(cipher_key, bytes) or len(cipher_key) != KEY_BYTES:
            raise ValueError("cipher_key must be 32 bytes")
        if not isinstance(context, bytes):
            raise TypeError("context must be bytes")
        file_key = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt,
                        info=b"meridian:object:" + context).derive(cipher_key)
        self._aead = AESGCM(file_key)
        self._context = context

    def seal(self, index: int, final: bool, plaintext: bytes) -> bytes:
        return self._aead.encrypt(_nonce(index, final), plaintext, self._associated(index, final))

    def open(self, index: int, final: bool, ciphertext: bytes) -> bytes:
        try:
            return self._aead.decrypt(_nonce(index, final), ciphertext, self._associated(index, final))
        except InvalidTag as exc:
            raise ObjectCorrupted(f"chunk {index} does not authenticate") from exc

    def _associated(self, index: int, final: bool) -> bytes:
        return self._context + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class LocalEncryptedStore(ObjectStore):
    """Objects as encrypted files under ``root``; a key's ``/`` separated segments are directories."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def path_of(self, key: str) -> Path:
        path = self.root.joinpath(*validate_key(key).split("/"))
        if not path.is_relative_to(self.root):  # unreachable given the pattern; a second lock
            raise InvalidObjectKey(f"{key!r} escapes the store")
        return path

    async def write(self, key: str, chunks: AsyncIterator[bytes], *, cipher_key: bytes, context: bytes,
                    max_bytes: int) -> StoredObject:
        path = self.path_of(key)
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        salt = os.urandom(SALT_BYTES)
        cipher = _ChunkCipher(cipher_key, salt, context)
        handle, temporary = await anyio.to_thread.run_sync(self._create_temporary, path)
        try:
            await anyio.to_thread.run_sync(handle.write, MAGIC + salt)
            digest = hashlib.sha256()
            buffer = bytearray()
            size = 0
            index = 0
            async for piece in chunks:
                if not piece:
                    continue
                size += len(piece)
                if size > max_bytes:
                    raise ObjectTooLarge(limit=max_bytes)
                digest.update(piece)
                buffer += piece
                # A chunk goes out as non-final only once more data is known to follow it.
                while len(buffer) > CHUNK_BYTES:
                    block = bytes(buffer[:CHUNK_BYTES])
                    del buffer[:CHUNK_BYTES]
                    await anyio.to_thread.run_sync(_write_chunk, handle, cipher, index, False, block)
                    index += 1
            await anyio.to_thread.run_sync(_write_chunk, handle, cipher, index, True, bytes(buffer))
            await anyio.to_thread.run_sync(_commit, handle, temporary, path)
        except BaseException:
            _discard(handle, temporary)
            raise
        return StoredObject(key=key, size=size, sha256=digest.hexdigest())

    def read(self, key: str, *, cipher_key: bytes, context: bytes) -> AsyncIterator[bytes]:
        path = self.path_of(key)
        if not isinstance(cipher_key, bytes) or len(cipher_key) != KEY_BYTES:
            raise ValueError("cipher_key must be 32 bytes")
        return self._read(path, cipher_key, context)

    async def delete(self, key: str) -> None:
        path = self.path_of(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def _read(self, path: Path, cipher_key: bytes, context: bytes) -> AsyncIterator[bytes]:
        handle: BinaryIO = await anyio.to_thread.run_sync(path.open, "rb")
        try:
            header = await anyio.to_thread.run_sync(handle.read, HEADER_BYTES)
            if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
                raise ObjectCorrupted(f"{path.name} has no valid header")
            cipher = _ChunkCipher(cipher_key, header[len(MAGIC):], context)
            length = await anyio.to_thread.run_sync(_read_length, handle)
            if length is None:
                raise ObjectCorrupted(f"{path.name} has no chunks")
            index = 0
            while True:
                # The chunk is final exactly when nothing follows it; a file cut at a chunk
                # boundary thus has its last chunk opened as final, which fails authentication.
                ciphertext, following = await anyio.to_thread.run_sync(_read_chunk, handle, length)
                final = following is None
                if not final and length != CHUNK_BYTES + TAG_BYTES:
                    raise ObjectCorrupted(f"chunk {index} of {path.name} is short but not final")
                plaintext = cipher.open(index, final, ciphertext)
                if plaintext:
                    yield plaintext
                if following is None:
                    return
                length = following
                index += 1
        finally:
            handle.close()

    @staticmethod
    def _create_temporary(path: Path) -> tuple[BinaryIO, Path]:
        """A temporary file (mode 0600) next to ``path``. Its name holds a ``.``, which no key can,
        so it never collides with an object."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            return os.fdopen(descriptor, "wb"), Path(name)
        except BaseException:
            os.close(descriptor)
            os.unlink(name)
            raise


def _write_chunk(handle: BinaryIO, cipher: _ChunkCipher, index: int, final: bool, plaintext: bytes) -> None:
    sealed = cipher.seal(index, final, plaintext)
    handle.write(len(sealed).to_bytes(LENGTH_BYTES, "big") + sealed)


def _commit(handle: BinaryIO, temporary: Path, path: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, path)
    try:  # make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)


def _discard(handle: BinaryIO, temporary: Path) -> None:
    try:
        handle.close()
    finally:
        temporary.unlink(missing_ok=True)


def _read_length(handle: BinaryIO) -> int | None:
    """The next chunk's ciphertext length, or None at a clean end of file."""
    raw = handle.read(LENGTH_BYTES)
    if not raw:
        return None
    if len(raw) != LENGTH_BYTES:
        raise ObjectCorrupted("truncated chunk length")
    length = int.from_bytes(raw, "big")
    if not TAG_BYTES <= length <= CHUNK_BYTES + TAG_BYTES:
        raise ObjectCorrupted(f"impossible chunk length {length}")
    return length


def _read_chunk(handle: BinaryIO, length: int) -> tuple[bytes, int | None]:
    """A chunk's ciphertext and the length of the one after it (None when it is the last)."""
    ciphertext = handle.read(length)
    if len(ciphertext) != length:
        raise ObjectCorrupted("truncated chunk")
    return ciphertext, _read_length(handle)


_configured: ObjectStore | None = None


def configure(store: ObjectStore) -> None:
    """The installation's object store, set once at start-up (recordings, law documents)."""
    global _configured
    _configured = store


def object_store() -> ObjectStore:
    if _configured is None:
        raise RuntimeError("the object store is not configured; call domain.kernel.storage.configure() at startup")
    return _configured
