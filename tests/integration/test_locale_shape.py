"""One locale shape on the wire: every language an answer shows is a BCP 47 tag (``zh-CN``), as Accept-Language
and Content-Language write it; a request may also say ``zh_CN`` (or any letter case) and means the same, kept
the same; a language Meridian does not speak is refused with a problem pointing at the field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.identity.tables import User
from domain.kernel.db import unit_of_work
from domain.recruitment.service import candidate_in
from tests.conftest import bearer

pytestmark = pytest.mark.anyio

SPELLINGS = ["zh_CN", "zh-CN", "ZH-cn"]


@pytest.fixture
async def admin(tenant_a: Any, token_for: Any) -> str:
    return await token_for(tenant_a, "tenant_admin", "hr_admin", "recruiter", subject="locale-admin")


async def test_a_candidates_language_in_any_spelling_is_kept_once_and_shown_as_bcp_47(
        client: Any, tenant_a: Any, admin: str) -> None:
    stored = set()
    for spelling in SPELLINGS:
        created = await client.post("/v1/candidates", headers=bearer(admin), json={
            "full_name": f"Locale {spelling}", "timezone": "Asia/Shanghai", "locale": spelling})
        assert created.status_code == 201, created.text
        assert created.json()["locale"] == "zh-CN"
        read = await client.get(f"/v1/candidates/{created.json()['id']}", headers=bearer(admin))
        assert read.json()["locale"] == "zh-CN"
        async with unit_of_work(tenant_a, write=False) as uow:
            candidate = await candidate_in(uow, uuid.UUID(created.json()["id"]))
        assert candidate is not None
        stored.add(candidate.locale)
    assert stored == {"zh_CN"}, "every spelling is kept as the one the catalogues and existing rows use"


@pytest.mark.parametrize(("path", "body", "pointer"), [
    ("/v1/candidates", {"full_name": "Locale fr", "locale": "fr"}, "/locale"),
    ("/v1/candidates", {"full_name": "Locale zh", "locale": "zh-TW"}, "/locale"),
    ("/v1/users", {"subject": "locale-fr", "display_name": "Fr", "roles": ["recruiter"], "locale": "fr-FR"},
     "/locale"),
])
async def test_a_language_meridian_does_not_speak_is_refused_at_its_field(client: Any, admin: str, path: str,
                                                                         body: dict[str, Any], pointer: str) -> None:
    refused = await client.post(path, headers=bearer(admin), json=body)
    assert refused.status_code == 400, refused.text
    assert [error["pointer"] for error in refused.json()["errors"]] == [pointer]


async def test_a_users_language_is_shown_as_bcp_47_to_them_and_to_admins(client: Any, tenant_a: Any, admin: str,
                                                                       token_for: Any) -> None:
    subject = f"locale-user-{uuid.uuid4().hex[:8]}"
    created = await client.post("/v1/users", headers=bearer(admin), json={
        "subject": subject, "display_name": "Wang Fang", "roles": ["recruiter"], "locale": "zh_CN"})
    assert created.status_code == 201, created.text
    assert created.json()["locale"] == "zh-CN"
    async with unit_of_work(tenant_a, write=False):
        row = await User.select(User.locale).where(User.subject == subject).first()
    assert row == {"locale": "zh_CN"}
    me = (await client.get("/v1/me", headers=bearer(await token_for(tenant_a, "recruiter", subject=subject)))).json()
    assert me["locale"] == "zh-CN"
    listed = (await client.get(f"/v1/users/{created.json()['id']}", headers=bearer(admin))).json()
    assert listed["locale"] == "zh-CN"


async def test_texts_by_language_are_keyed_by_bcp_47_in_answers(client: Any, admin: str) -> None:
    entity = await client.post("/v1/legal-entities", headers=bearer(admin), json={
        "name": f"Locale Co {uuid.uuid4().hex[:6]}", "country": "CN", "currency": "CNY", "timezone": "Asia/Shanghai"})
    assert entity.status_code == 201, entity.text
    for key in ("zh_CN", "zh-CN"):
        job = await client.post("/v1/jobs", headers=bearer(admin), json={
            "legal_entity_id": entity.json()["id"], "location": "Shanghai",
            "title": {"en": "Analyst", key: "分析师"}, "description": {key: "数据分析"}})
        assert job.status_code == 201, job.text
        chinese = await client.get(f"/v1/jobs/{job.json()['id']}",
                                   headers=bearer(admin, **{"Accept-Language": "zh-CN"}))
        shown = chinese.json()
        assert (shown["title"], shown["language"]) == ("分析师", "zh-CN")
        assert shown["titles"] == {"en": "Analyst", "zh-CN": "分析师"}
        assert shown["descriptions"] == {"zh-CN": "数据分析"}
        assert chinese.headers["content-language"] == "zh-CN"
    twice = await client.post("/v1/jobs", headers=bearer(admin), json={
        "legal_entity_id": entity.json()["id"], "location": "Shanghai",
        "title": {"en": "Analyst", "zh-CN": "分析师", "zh_CN": "分析员"}})
    assert twice.status_code == 400, twice.text
    stage = await client.post("/v1/pipeline-stages", headers=bearer(admin), json={
        "code": f"locale_{uuid.uuid4().hex[:8]}", "names": {"en": "Case study", "zh_CN": "案例分析"}, "position": 36})
    assert stage.status_code == 201, stage.text
    assert stage.json()["names"] == {"en": "Case study", "zh-CN": "案例分析"}
    stages = (await client.get("/v1/pipeline-stages?limit=200", headers=bearer(admin))).json()["items"]
    assert all(set(s["names"]) <= {"en", "zh-CN", "ja"} for s in stages)
    assert any("zh-CN" in s["names"] for s in stages), "the default stages are shown with BCP 47 keys too"


async def test_the_tenants_default_language_is_shown_as_bcp_47(client: Any, admin: str) -> None:
    before = await client.get("/v1/tenant", headers=bearer(admin))
    original = before.json()["default_locale"]
    assert original in ("en", "zh-CN", "ja")
    changed = await client.patch("/v1/tenant", headers=bearer(admin, **{"If-Match": before.headers["etag"]}),
                                 json={"default_locale": "zh_CN"})
    try:
        assert changed.status_code == 200, changed.text
        assert changed.json()["default_locale"] == "zh-CN"
        assert (await client.get("/v1/tenant", headers=bearer(admin))).json()["default_locale"] == "zh-CN"
    finally:
        latest = await client.get("/v1/tenant", headers=bearer(admin))
        restored = await client.patch("/v1/tenant", headers=bearer(admin, **{"If-Match": latest.headers["etag"]}),
                                      json={"default_locale": original})
        assert restored.status_code == 200, restored.text


async def test_the_document_shows_languages_as_bcp_47(client: Any) -> None:
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    shown = {name: schema["properties"] for name, schema in schemas.items()
             if name in ("TenantView", "UserView", "CandidateView", "EmployeeView")}
    assert len(shown) == 4
    for name, properties in shown.items():
        locale = properties.get("locale") or properties["default_locale"]
        assert locale["pattern"] == "^(en|zh-CN|ja)$", name
    taken = next(schema for name, schema in schemas.items() if name == "NewCandidate")["properties"]["locale"]
    assert "zh-CN" in taken["description"] and "zh_CN" in taken["description"]
