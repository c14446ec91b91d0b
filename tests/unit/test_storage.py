"""The encrypted file store: streamed round trips, atomic writes, and tampering that never opens."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

import anyio
import pytest

from domain.kernel.errors import ErrorKind
from domain.kernel.storage import (
    CHUNK_BYTES,
    HEADER_BYTES,
    MAGIC,
    TAG_BYTES,
    InvalidObjectKey,
    LocalEncryptedStore,
    ObjectCorrupted,
    ObjectStore,
    ObjectTooLarge,
    StoredObject,
)

pytestmark = pytest.mark.anyio

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
CONTEXT = b"tenant:7f1c:interview-recording:42"
MARKER = b"CANDIDATE-SECRET-MARKER-93412"


async def feed(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


async def from_pieces(pieces: Iterable[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


async def read_all(store: ObjectStore, key: str, *, cipher_key: bytes = KEY, context: bytes = CONTEXT) -> bytes:
    return b"".join([piece async for piece in store.read(key, cipher_key=cipher_key, context=context)])


def payload(size: int) -> bytes:
    pattern = MARKER + bytes(range(256))
    return (pattern * (size // len(pattern) + 1))[:size]


def split_chunks(raw: bytes) -> tuple[bytes, list[bytes]]:
    """The header and the length-prefixed chunks of a stored file, each with its prefix."""
    header, rest, chunks = raw[:HEADER_BYTES], raw[HEADER_BYTES:], []
    while rest:
        length = int.from_bytes(rest[:4], "big")
        chunks.append(rest[:4 + length])
        rest = rest[4 + length:]
    return header, chunks


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def store(tmp_path: Path) -> LocalEncryptedStore:
    return LocalEncryptedStore(tmp_path / "objects")


async def stored(store: LocalEncryptedStore, size: int, key: str = "rec") -> Path:
    await store.write(key, feed(payload(size)), cipher_key=KEY, context=CONTEXT, max_bytes=10 * 2**20)
    return store.path_of(key)


# Round trips.


@pytest.mark.parametrize(("size", "piece"), [
    (0, 1000), (1, 1000), (CHUNK_BYTES, 1000), (CHUNK_BYTES + 1, 1000), (2**20 + 123, 1000),
    (2**20 + 123, 7), (3 * CHUNK_BYTES, 3 * CHUNK_BYTES), (2 * CHUNK_BYTES + 5, 200_000),
])
async def test_round_trip(store: LocalEncryptedStore, size: int, piece: int) -> None:
    data = payload(size)
    result = await store.write("tenant-a/recordings/rec_1", feed(data, piece), cipher_key=KEY, context=CONTEXT,
                               max_bytes=2 * 2**20)
    assert result == StoredObject(key="tenant-a/recordings/rec_1", size=size, sha256=hashlib.sha256(data).hexdigest())
    assert await read_all(store, "tenant-a/recordings/rec_1") == data


@pytest.mark.parametrize("size", [0, 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2**20 + 123])
async def test_the_file_is_chunked_at_64_kib_whatever_the_incoming_pieces(store: LocalEncryptedStore,
                                                                          size: int) -> None:
    path = await stored(store, size)
    header, chunks = split_chunks(path.read_bytes())
    assert header.startswith(MAGIC)
    full, rest = divmod(size, CHUNK_BYTES)
    if rest == 0 and full:  # an exact multiple ends with a full final chunk, not an empty one
        full, rest = full - 1, CHUNK_BYTES
    assert [len(c) - 4 - TAG_BYTES for c in chunks] == [CHUNK_BYTES] * full + [rest]


async def test_the_reader_yields_bounded_chunks(store: LocalEncryptedStore) -> None:
    await store.write("big", from_pieces([payload(2**20)]), cipher_key=KEY, context=CONTEXT, max_bytes=2**20)
    sizes = [len(p) async for p in store.read("big", cipher_key=KEY, context=CONTEXT)]
    assert sizes == [CHUNK_BYTES] * 16


async def test_empty_pieces_are_ignored(store: LocalEncryptedStore) -> None:
    result = await store.write("e", from_pieces([b"", b"ab", b"", b"c"]), cipher_key=KEY, context=CONTEXT,
                               max_bytes=3)
    assert result.size == 3
    assert await read_all(store, "e") == b"abc"


async def test_the_plaintext_never_reaches_the_disk(store: LocalEncryptedStore) -> None:
    path = await stored(store, 300_000)
    assert MARKER in payload(300_000)
    assert MARKER not in path.read_bytes()


async def test_the_same_plaintext_encrypts_differently_each_time(store: LocalEncryptedStore) -> None:
    first = (await stored(store, 1000, "one")).read_bytes()
    second = (await stored(store, 1000, "two")).read_bytes()
    assert first[len(MAGIC):] != second[len(MAGIC):]


async def test_overwriting_replaces_the_object(store: LocalEncryptedStore) -> None:
    await stored(store, 5000)
    await store.write("rec", feed(b"new"), cipher_key=KEY, context=CONTEXT, max_bytes=10)
    assert await read_all(store, "rec") == b"new"
    assert files_under(store.root) == [store.path_of("rec")]


async def test_directories_and_files_are_private(tmp_path: Path) -> None:
    store = LocalEncryptedStore(tmp_path / "private")
    await store.write("t/r/x", feed(b"secret"), cipher_key=KEY, context=CONTEXT, max_bytes=10)
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "private" / "t" / "r").stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path_of("t/r/x").stat().st_mode) == 0o600


# Limits and atomicity.


async def test_exceeding_max_bytes_raises_and_leaves_nothing(store: LocalEncryptedStore) -> None:
    with pytest.raises(ObjectTooLarge) as caught:
        await store.write("t/too-big", feed(payload(300_000)), cipher_key=KEY, context=CONTEXT, max_bytes=200_000)
    error = caught.value
    assert error.kind is ErrorKind.TOO_LARGE  # answered 413, not 400
    assert (error.code, error.title) == ("upload_too_large", "Upload too large")
    assert error.template == "The upload is larger than the limit of {limit} bytes."
    assert str(error) == "The upload is larger than the limit of 200000 bytes."
    assert error.params == {"limit": 200_000}
    assert files_under(store.root) == []


async def test_exactly_max_bytes_is_accepted(store: LocalEncryptedStore) -> None:
    result = await store.write("edge", feed(payload(CHUNK_BYTES)), cipher_key=KEY, context=CONTEXT,
                               max_bytes=CHUNK_BYTES)
    assert result.size == CHUNK_BYTES
    with pytest.raises(ObjectTooLarge):
        await store.write("edge2", feed(payload(1)), cipher_key=KEY, context=CONTEXT, max_bytes=0)


async def test_a_failed_overwrite_keeps_the_previous_object(store: LocalEncryptedStore) -> None:
    await store.write("rec", feed(b"version one"), cipher_key=KEY, context=CONTEXT, max_bytes=100)
    with pytest.raises(ObjectTooLarge):
        await store.write("rec", feed(payload(1000)), cipher_key=KEY, context=CONTEXT, max_bytes=100)
    assert await read_all(store, "rec") == b"version one"
    assert files_under(store.root) == [store.path_of("rec")]


async def test_a_failing_source_leaves_nothing(store: LocalEncryptedStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield payload(CHUNK_BYTES * 2)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.write("t/partial", broken(), cipher_key=KEY, context=CONTEXT, max_bytes=2**20)
    assert files_under(store.root) == []


async def test_a_cancelled_write_leaves_nothing(store: LocalEncryptedStore) -> None:
    async def stalled() -> AsyncIterator[bytes]:
        yield payload(CHUNK_BYTES * 2)
        await anyio.sleep_forever()
        yield b"never"

    with anyio.move_on_after(0.2) as scope:
        await store.write("t/stalled", stalled(), cipher_key=KEY, context=CONTEXT, max_bytes=2**20)
    assert scope.cancelled_caught
    assert files_under(store.root) == []


# Keys.


@pytest.mark.parametrize("key", [
    "../x", "/abs", "a b", "", "a//b", "a/", "a/../b", "a/./b", "..", ".hidden", "x.tmp", "a\\b", "é", "a\x00b",
    "a" * 201, "/".join(["a"] * 600),
])
async def test_invalid_keys_are_refused(store: LocalEncryptedStore, key: str) -> None:
    with pytest.raises(InvalidObjectKey):
        await store.write(key, feed(b"x"), cipher_key=KEY, context=CONTEXT, max_bytes=10)
    with pytest.raises(InvalidObjectKey):
        store.read(key, cipher_key=KEY, context=CONTEXT)
    with pytest.raises(InvalidObjectKey):
        await store.delete(key)
    assert files_under(store.root) == []


async def test_a_short_cipher_key_is_refused(store: LocalEncryptedStore) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        await store.write("k", feed(b"x"), cipher_key=b"short", context=CONTEXT, max_bytes=10)
    with pytest.raises(ValueError, match="32 bytes"):
        store.read("k", cipher_key=b"short", context=CONTEXT)


# Reading and deleting.


async def test_a_missing_object_raises_file_not_found(store: LocalEncryptedStore) -> None:
    with pytest.raises(FileNotFoundError):
        await read_all(store, "nothing/here")


async def test_delete(store: LocalEncryptedStore) -> None:
    await stored(store, 1000, "t/doomed")
    await stored(store, 1000, "t/kept")
    await store.delete("t/doomed")
    with pytest.raises(FileNotFoundError):
        await read_all(store, "t/doomed")
    assert await read_all(store, "t/kept") == payload(1000)
    await store.delete("t/doomed")  # deleting again is not an error


async def test_a_reader_may_stop_early(store: LocalEncryptedStore) -> None:
    await stored(store, 3 * CHUNK_BYTES)
    stream = store.read("rec", cipher_key=KEY, context=CONTEXT)
    first = await stream.__anext__()
    await stream.aclose()  # type: ignore[attr-defined]
    assert first == payload(CHUNK_BYTES)


# Tampering, wrong keys and wrong contexts.


async def test_a_wrong_key_does_not_open(store: LocalEncryptedStore) -> None:
    await stored(store, 1000)
    with pytest.raises(ObjectCorrupted):
        await read_all(store, "rec", cipher_key=OTHER_KEY)


async def test_a_wrong_context_does_not_open(store: LocalEncryptedStore) -> None:
    await stored(store, 1000)
    with pytest.raises(ObjectCorrupted):
        await read_all(store, "rec", context=b"tenant:other:interview-recording:42")


async def test_an_empty_object_under_a_wrong_key_does_not_open(store: LocalEncryptedStore) -> None:
    await stored(store, 0)
    assert await read_all(store, "rec") == b""
    with pytest.raises(ObjectCorrupted):
        await read_all(store, "rec", cipher_key=OTHER_KEY)


async def test_a_file_moved_to_another_object_does_not_open(store: LocalEncryptedStore) -> None:
    source = await stored(store, 1000, "t/a")
    os.replace(source, source.with_name("b"))
    with pytest.raises(ObjectCorrupted):
        await read_all(store, "t/b", context=b"tenant:7f1c:interview-recording:43")


Damage = Callable[[bytes], bytes]


def tamper_cases() -> dict[str, Damage]:
    def truncated_mid_chunk(raw: bytes) -> bytes:
        return raw[:-100]

    def truncated_inside_the_length(raw: bytes) -> bytes:
        header, chunks = split_chunks(raw)
        return header + b"".join(chunks[:-1]) + chunks[-1][:2]

    def final_chunk_removed(raw: bytes) -> bytes:
        header, chunks = split_chunks(raw)
        return header + b"".join(chunks[:-1])

    def two_chunks_swapped(raw: bytes) -> bytes:
        header, chunks = split_chunks(raw)
        return header + chunks[1] + chunks[0] + b"".join(chunks[2:])

    def a_chunk_appended(raw: bytes) -> bytes:
        return raw + split_chunks(raw)[1][-1]

    def a_chunk_duplicated(raw: bytes) -> bytes:
        header, chunks = split_chunks(raw)
        return header + chunks[0] + b"".join(chunks)

    def a_middle_chunk_dropped(raw: bytes) -> bytes:
        header, chunks = split_chunks(raw)
        return header + chunks[0] + b"".join(chunks[2:])

    def flip(offset: int) -> Damage:
        def flipped(raw: bytes) -> bytes:
            position = offset % len(raw)
            return raw[:position] + bytes([raw[position] ^ 0x01]) + raw[position + 1:]
        return flipped

    return {
        "truncated mid-chunk": truncated_mid_chunk,
        "truncated inside a length": truncated_inside_the_length,
        "final chunk removed": final_chunk_removed,
        "two chunks swapped": two_chunks_swapped,
        "a chunk appended": a_chunk_appended,
        "a chunk duplicated": a_chunk_duplicated,
        "a middle chunk dropped": a_middle_chunk_dropped,
        "header only": lambda raw: raw[:HEADER_BYTES],
        "short header": lambda raw: raw[:10],
        "empty file": lambda raw: b"",
        "byte flipped in the magic": flip(0),
        "byte flipped in the salt": flip(len(MAGIC) + 3),
        "byte flipped in a length": flip(HEADER_BYTES + 3),
        "byte flipped in the first ciphertext": flip(HEADER_BYTES + 4 + 500),
        "byte flipped in a tag": flip(HEADER_BYTES + 4 + CHUNK_BYTES + 10),
        "byte flipped in the last chunk": flip(-1),
    }


@pytest.mark.parametrize("damage", tamper_cases().values(), ids=tamper_cases().keys())
async def test_tampering_is_detected(store: LocalEncryptedStore, damage: Damage) -> None:
    path = await stored(store, 3 * CHUNK_BYTES + 777)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ObjectCorrupted):
        await read_all(store, "rec")


async def test_a_whole_final_chunk_cut_from_an_exact_multiple_is_detected(store: LocalEncryptedStore) -> None:
    path = await stored(store, 2 * CHUNK_BYTES)
    header, chunks = split_chunks(path.read_bytes())
    assert len(chunks) == 2
    path.write_bytes(header + chunks[0])
    with pytest.raises(ObjectCorrupted):
        await read_all(store, "rec")


async def test_chunks_swapped_between_files_are_detected(store: LocalEncryptedStore) -> None:
    first = await stored(store, 2 * CHUNK_BYTES + 10, "one")
    second = await stored(store, 2 * CHUNK_BYTES + 10, "two")
    header, chunks = split_chunks(first.read_bytes())
    _, others = split_chunks(second.read_bytes())
    first.write_bytes(header + others[0] + b"".join(chunks[1:]))
    with pytest.raises(ObjectCorrupted):
        await read_all(store, "one")
