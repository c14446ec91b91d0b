"""Deny by default, and the authorisation matrix as the single source of truth for every route."""

from __future__ import annotations

from typing import Any

import pytest

from domain.kernel.permissions import MATRIX, WRITES, Operation, Role
from domain.kernel.settings import Mode
from tests.conftest import bearer
from tests.routes import BODY_FOR_METHOD, neutral_url, route_cases

pytestmark = pytest.mark.anyio


async def test_every_route_declares_a_permission_or_is_public(app: Any) -> None:
    undeclared = [str(c) for c in route_cases(app) if not c.public and not isinstance(c.operation, Operation)]
    assert undeclared == []


def test_every_operation_is_in_the_matrix_and_auditors_only_read() -> None:
    assert set(MATRIX) == set(Operation)
    assert all(Role.AUDITOR not in MATRIX[op] for op in WRITES)


async def test_every_route_obeys_the_matrix_for_every_role(
    app: Any, client: Any, runtime: Any, tenant_a: Any, token_for: Any
) -> None:
    checked = 0
    for role in Role:
        home = role is Role.PLATFORM_OPERATOR
        if home and runtime.settings.mode is Mode.ONPREM:
            continue  # on-prem has no operators' tenant; the shared-mode run covers this role
        tenant = runtime.home_tenant if home else tenant_a
        token = await token_for(tenant, role.value, subject=f"matrix-{role.value}")
        for case in route_cases(app):
            if case.public:
                continue
            url = neutral_url(case)
            response = await client.request(case.method, url, headers=bearer(token, **{"If-Match": '"v1"'}),
                                             json=BODY_FOR_METHOD.get(case.method))
            allowed = role in MATRIX[case.operation]
            assert response.status_code != 401, f"{role} {case}: {response.text}"
            assert (response.status_code == 403) == (not allowed), f"{role} {case}: {response.status_code}"
            checked += 1
    assert checked > 100


async def test_a_token_without_any_role_the_user_holds_is_refused_everything(
    app: Any, client: Any, tenant_a: Any, token_for: Any
) -> None:
    token = await token_for(tenant_a, subject="roleless")
    for case in route_cases(app):
        if not case.public:
            response = await client.request(case.method, neutral_url(case), headers=bearer(token),
                                            json=BODY_FOR_METHOD.get(case.method))
            assert response.status_code == 403, str(case)


async def test_scopes_limit_a_partner_client(client: Any, tenant_a: Any, token_for: Any) -> None:
    token = await token_for(tenant_a, "tenant_admin", subject="partner-app", scopes=["legal_entities:read"])
    assert (await client.get("/v1/legal-entities", headers=bearer(token))).status_code == 200
    assert (await client.get("/v1/users", headers=bearer(token))).status_code == 403
