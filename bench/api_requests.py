"""Authenticated requests per second through the whole stack (token check, user lookup, tenant
transaction, audit append), in process, on SQLite or PostgreSQL.

    .venv/bin/python bench/api_requests.py                      # SQLite in a temporary folder
    .venv/bin/python bench/api_requests.py --postgres postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

from harness import configure, measure, print_rates, running_app


async def main(count: int) -> None:
    rows = []
    async with running_app(["tenant_admin"]) as bench:
        client, headers = bench.client, bench.headers
        created = await client.post("/v1/legal-entities", headers=headers, json={
            "name": "Bench GmbH", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin"})
        entity = created.json()["id"]

        async def read(_: int) -> None:
            assert (await client.get(f"/v1/legal-entities/{entity}", headers=headers)).status_code == 200

        async def write(_: int) -> None:
            response = await client.post("/v1/legal-entities", headers=headers, json={
                "name": f"E {uuid.uuid4().hex}", "country": "DE", "currency": "EUR", "timezone": "UTC"})
            assert response.status_code == 201

        for concurrency in (1, 20):
            rows.append(await measure("GET one legal entity", read, count, concurrency))
            rows.append(await measure("POST legal entity (+ audit)", write, count, concurrency))
        database = bench.database
    print_rates(f"API requests, in process, {database}", "request", rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="owner URL of a PostgreSQL database to benchmark against")
    parser.add_argument("--count", type=int, default=1000)
    arguments = parser.parse_args()
    configure(arguments.postgres)
    asyncio.run(main(arguments.count))
