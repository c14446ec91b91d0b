"""The access cache remembers a caller only while it can hear about changes, never past a change it heard of,
and never longer than its bound."""

from __future__ import annotations

import uuid

from domain.kernel.access_cache import MAX_AGE_SECONDS, AccessCache

TENANT, OTHER = uuid.uuid4(), uuid.uuid4()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def listening_cache(clock: Clock | None = None) -> AccessCache[str]:
    cache: AccessCache[str] = AccessCache(clock or Clock())
    cache.listening = True
    return cache


def test_nothing_is_remembered_without_a_listener() -> None:
    cache: AccessCache[str] = AccessCache()
    cache.remember(TENANT, "alice", "active", cache.generation)
    assert cache.recall(TENANT, "alice") is None


def test_a_read_begun_before_a_change_is_not_remembered() -> None:
    cache = listening_cache()
    read_at = cache.generation
    cache.forget_tenant(OTHER)  # any change heard while the read was under way
    cache.remember(TENANT, "alice", "active before the change", read_at)
    assert cache.recall(TENANT, "alice") is None


def test_a_change_forgets_the_tenants_callers_only() -> None:
    cache = listening_cache()
    cache.remember(TENANT, "alice", "a", cache.generation)
    cache.remember(OTHER, "bob", "b", cache.generation)
    cache.forget_tenant(TENANT)
    assert cache.recall(TENANT, "alice") is None
    assert cache.recall(OTHER, "bob") == "b"


def test_losing_the_listener_forgets_everything_and_stops_remembering() -> None:
    cache = listening_cache()
    cache.remember(TENANT, "alice", "a", cache.generation)
    cache.listening = False
    cache.forget_all()
    cache.remember(TENANT, "alice", "a", cache.generation)
    assert cache.recall(TENANT, "alice") is None


def test_an_entry_expires_after_its_bound() -> None:
    clock = Clock()
    cache = listening_cache(clock)
    cache.remember(TENANT, "alice", "a", cache.generation)
    clock.now += MAX_AGE_SECONDS - 1
    assert cache.recall(TENANT, "alice") == "a"
    clock.now += 1
    assert cache.recall(TENANT, "alice") is None
