"""The API conventions every module inherits: problem+json, localisation, ETags, idempotency,
pagination, limits and headers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import bearer

pytestmark = pytest.mark.anyio


def entity(name: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name or f"Entity {uuid.uuid4().hex[:8]}", "country": "DE", "currency": "EUR",
            "timezone": "Europe/Berlin", **extra}


@pytest.fixture
async def admin(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", subject="conventions-admin")


async def test_errors_are_problem_json_with_a_stable_type_and_no_internals(client: Any, admin: str) -> None:
    response = await client.get(f"/v1/legal-entities/{uuid.uuid4()}", headers=bearer(admin))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:meridian:problem:legal_entity_not_found"
    assert body["code"] == "legal_entity_not_found"
    assert body["status"] == 404
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("language, locale", [
    ("zh-CN,zh;q=0.9", "zh_CN"), ("ja", "ja"), ("fr, en;q=0.5", "en"), ("de", "en")])
async def test_problems_are_localised_by_accept_language(client: Any, admin: str, language: str, locale: str) -> None:
    from domain.kernel.i18n import translate

    response = await client.get(f"/v1/legal-entities/{uuid.uuid4()}",
                                headers=bearer(admin, **{"Accept-Language": language}))
    body = response.json()
    assert body["title"] == translate("Not found", locale)
    assert body["detail"] == translate("There is no legal entity with this id.", locale)
    assert (body["title"] == "Not found") == (locale == "en")
    assert response.headers["content-language"] == locale.replace("_", "-")


async def test_field_problems_point_at_the_field(client: Any, admin: str) -> None:
    response = await client.post("/v1/legal-entities", headers=bearer(admin, **{"Accept-Language": "ja"}),
                                 json=entity(name="x" * 201))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_body"
    assert body["errors"][0]["pointer"] == "/name"
    assert "200" in body["errors"][0]["detail"]


async def test_unknown_fields_are_refused_not_dropped(client: Any, admin: str) -> None:
    response = await client.post("/v1/legal-entities", headers=bearer(admin), json=entity(tenant_id=str(uuid.uuid4())))
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/tenant_id"


async def test_domain_validation_names_its_own_code(client: Any, admin: str) -> None:
    response = await client.post("/v1/legal-entities", headers=bearer(admin), json=entity(timezone="Mars/Base"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_timezone"


async def test_unknown_routes_and_methods_are_problems_too(client: Any, admin: str) -> None:
    missing = await client.get("/v1/nothing-here", headers={"Accept-Language": "ja"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "route_not_found"
    assert missing.headers["x-request-id"]
    wrong = await client.put("/v1/legal-entities", headers=bearer(admin), json={})
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"


async def test_updates_need_the_current_etag(client: Any, admin: str) -> None:
    created = await client.post("/v1/legal-entities", headers=bearer(admin), json=entity())
    url = f"/v1/legal-entities/{created.json()['id']}"
    etag = created.headers["etag"]
    no_match = await client.patch(url, headers=bearer(admin), json={"region": "BE"})
    assert no_match.status_code == 428
    updated = await client.patch(url, headers=bearer(admin, **{"If-Match": etag}), json={"region": "BE"})
    assert updated.status_code == 200
    assert updated.headers["etag"] != etag
    stale = await client.patch(url, headers=bearer(admin, **{"If-Match": etag}), json={"region": "BY"})
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale_version"
    assert (await client.get(url, headers=bearer(admin))).json()["region"] == "BE"


async def test_a_post_retried_with_its_idempotency_key_replays_the_first_answer(client: Any, admin: str) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = entity()
    first = await client.post("/v1/legal-entities", headers=bearer(admin, **key), json=body)
    again = await client.post("/v1/legal-entities", headers=bearer(admin, **key), json=body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    listing = (await client.get("/v1/legal-entities?limit=200", headers=bearer(admin))).json()["items"]
    assert [e["name"] for e in listing].count(body["name"]) == 1
    other = await client.post("/v1/legal-entities", headers=bearer(admin, **key), json=entity())
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


async def test_a_failed_post_is_replayed_as_failed(client: Any, admin: str) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = entity(currency="XXY")
    first = await client.post("/v1/legal-entities", headers=bearer(admin, **key), json=body)
    again = await client.post("/v1/legal-entities", headers=bearer(admin, **key), json=body)
    assert first.status_code == again.status_code == 422


async def test_cursor_pagination_walks_every_item_once(client: Any, admin: str) -> None:
    prefix = uuid.uuid4().hex[:6]
    for index in range(5):
        await client.post("/v1/legal-entities", headers=bearer(admin), json=entity(name=f"{prefix} {index}"))
    seen: list[str] = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get("/v1/legal-entities" + query, headers=bearer(admin))).json()
        seen += [e["name"] for e in page["items"] if e["name"].startswith(prefix)]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"{prefix} {i}" for i in range(5)]
    assert (await client.get("/v1/legal-entities?limit=201", headers=bearer(admin))).status_code == 400
    bad = await client.get("/v1/legal-entities?cursor=%%%", headers=bearer(admin))
    assert bad.status_code == 400


async def test_personal_data_is_never_cached(client: Any, admin: str) -> None:
    response = await client.get("/v1/users", headers=bearer(admin))
    assert response.headers["cache-control"] == "no-store"


async def test_bodies_over_the_limit_are_refused(client: Any, admin: str, settings: Any) -> None:
    huge = entity(name="x" * (settings.max_body_bytes + 10))
    response = await client.post("/v1/legal-entities", headers=bearer(admin), json=huge)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


async def test_rate_limit_headers_and_429_per_tenant_and_client(settings: Any) -> None:
    import dataclasses

    import httpx
    import msgspec

    from api.app import create_app

    del dataclasses
    limited = create_app(msgspec.structs.replace(settings, rate_limit_per_minute=3))
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        answers = [await plain.get("/v1/health") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["ratelimit-limit"] == "3"
    assert answers[2].headers["ratelimit-remaining"] == "0"
    assert int(answers[3].headers["retry-after"]) >= 1
    assert answers[3].json()["code"] == "rate_limited"


async def test_request_ids_are_echoed_when_sane(client: Any) -> None:
    mine = await client.get("/v1/health", headers={"X-Request-ID": "trace-1234abcd"})
    assert mine.headers["x-request-id"] == "trace-1234abcd"
    forged = await client.get("/v1/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged.headers["x-request-id"] != "bad id\nwith newline"
