"""What API clients cost, in process, on SQLite or PostgreSQL: tokens from POST /oauth/token (client credentials,
the secret checked with scrypt in a worker thread), and GET /v1/me with a client's token beside a person's (the
client's token adds the check that it is still in force: revoked or its client deleted).

    .venv/bin/python bench/oauth_tokens.py                      # SQLite in a temporary folder
    .venv/bin/python bench/oauth_tokens.py --postgres postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio

from harness import configure, measure, print_rates, running_app


async def main(count: int) -> None:
    rows = []
    async with running_app(["tenant_admin"]) as bench:
        client, headers = bench.client, bench.headers
        made = (await client.post("/v1/api-clients", headers=headers, json={
            "name": "Bench partner", "grant_types": ["client_credentials"], "scopes": ["organisation:read"],
            "roles": ["tenant_admin"]})).json()
        credentials = (made["client"]["client_id"], made["client_secret"])
        form = {"grant_type": "client_credentials"}

        async def token(_: int) -> None:
            assert (await client.post("/oauth/token", data=form, auth=credentials)).status_code == 200

        access = (await client.post("/oauth/token", data=form, auth=credentials)).json()["access_token"]
        as_client = {"Authorization": f"Bearer {access}"}

        async def me_person(_: int) -> None:
            assert (await client.get("/v1/me", headers=headers)).status_code == 200

        async def me_client(_: int) -> None:
            assert (await client.get("/v1/me", headers=as_client)).status_code == 200

        for concurrency in (1, 8):
            rows.append(await measure("POST /oauth/token (client credentials)", token, max(count // 10, 20),
                                      concurrency))
            rows.append(await measure("GET /v1/me, a person's token", me_person, count, concurrency))
            rows.append(await measure("GET /v1/me, a client's token", me_client, count, concurrency))
        database = bench.database
    print_rates(f"API client tokens, in process, {database}", "request", rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="owner URL of a PostgreSQL database to benchmark against")
    parser.add_argument("--count", type=int, default=1000)
    arguments = parser.parse_args()
    configure(arguments.postgres)
    asyncio.run(main(arguments.count))
