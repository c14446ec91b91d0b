"""Values sealed under a person's own key: the token names its key, opens only in its context, and once the key is
gone (an erasure) reads as destroyed; values sealed under the tenant's key before person keys still open."""

from __future__ import annotations

import secrets
import uuid

import pytest

from domain.kernel.crypto import (
    Keyring,
    PersonCipher,
    PersonKeyDestroyed,
    SealedValueUnreadable,
    TenantCipher,
    person_key_of,
)

TENANT = uuid.uuid4()
ROW = uuid.uuid4()


def test_a_person_token_names_its_key_and_opens_only_in_its_context() -> None:
    tenant = TenantCipher(TENANT, secrets.token_bytes(32))
    key_id = uuid.uuid4()
    person = PersonCipher(TENANT, key_id, secrets.token_bytes(32))
    token = person.seal("wang.fang@example.com", "candidates", "email", ROW)
    assert person_key_of(token) == key_id
    ring = Keyring(tenant, {key_id: person})
    assert ring.open(token, "candidates", "email", ROW) == "wang.fang@example.com"
    with pytest.raises(SealedValueUnreadable):
        ring.open(token, "candidates", "phone", ROW)  # moved to another column
    with pytest.raises(SealedValueUnreadable):
        ring.open(token, "employees", "email", ROW)  # moved to another table
    other = PersonCipher(TENANT, key_id, secrets.token_bytes(32))  # the same id, another key
    with pytest.raises(SealedValueUnreadable):
        Keyring(tenant, {key_id: other}).open(token, "candidates", "email", ROW)


def test_once_the_key_is_gone_the_value_reads_as_destroyed_and_older_values_still_open() -> None:
    tenant = TenantCipher(TENANT, secrets.token_bytes(32))
    person = PersonCipher(TENANT, uuid.uuid4(), secrets.token_bytes(32))
    token = person.seal("+8613912345678", "candidates", "phone", ROW)
    with pytest.raises(PersonKeyDestroyed):
        Keyring(tenant, {}).open(token, "candidates", "phone", ROW)
    older = tenant.seal("+8613912345678", "candidates", "phone", ROW)
    assert person_key_of(older) is None
    assert Keyring(tenant, {}).open(older, "candidates", "phone", ROW) == "+8613912345678"


def test_a_person_key_wrapped_by_the_tenant_key_unwraps_to_the_same_cipher() -> None:
    tenant = TenantCipher(TENANT, secrets.token_bytes(32))
    key_id, data_key = uuid.uuid4(), secrets.token_bytes(32)
    wrapped = tenant.wrap_person_key(data_key, key_id)
    assert data_key.hex() not in wrapped
    person = tenant.unwrap_person_key(wrapped, key_id)
    token = PersonCipher(TENANT, key_id, data_key).seal("110101199003071234", "candidates", "national_id", ROW)
    assert Keyring(tenant, {key_id: person}).open(token, "candidates", "national_id", ROW) == "110101199003071234"
    with pytest.raises(SealedValueUnreadable):
        tenant.unwrap_person_key(wrapped, uuid.uuid4())  # bound to its key id
    assert person.object_key != PersonCipher(TENANT, key_id, secrets.token_bytes(32)).object_key
