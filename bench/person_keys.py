"""What per-person keys cost a list: GET /v1/candidates pages read in clear (pii:read, so every row's email, phone
and national id is opened), with the candidates' values sealed under their own person keys (the keys of a page read
and unwrapped in one query) against the same rows sealed under the tenant's key (as before per-person keys). Also
the erasure of one candidate (key destroyed, fields and indexes cleared, audited).

    .venv/bin/python bench/person_keys.py [--candidates 1000] [--page 100] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

With --postgres (a superuser URL of a scratch database: the run migrates it and provisions a tenant) the server process
remembers unwrapped keys between requests (it hears erasures through LISTEN), so the figure with a warm cache is
printed too. Without it, SQLite in a temporary folder, where nothing is remembered between requests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from typing import Any

from harness import configure, running_app


def cn_id() -> str:
    from stdnum.cn import ric

    body = f"110101{random.randint(1960, 2000)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    body += f"{random.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


async def pages(bench: Any, size: int, rounds: int) -> float:
    """Milliseconds per page, walking every page ``rounds`` times."""
    took, count = 0.0, 0
    for _ in range(rounds):
        cursor = ""
        while cursor is not None:
            started = time.perf_counter()
            answer = await bench.client.get(f"/v1/candidates?limit={size}{f'&cursor={cursor}' if cursor else ''}",
                                            headers=bench.headers)
            took += time.perf_counter() - started
            count += 1
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert all(item["masked"] is False for item in body["items"])
            cursor = body.get("next_cursor")
    return took / count * 1000


async def to_tenant_key(tenant: uuid.UUID) -> None:
    """Seal every candidate's values under the tenant's key, as they were before per-person keys."""
    from domain.kernel.db import current_database, unit_of_work
    from domain.keys.service import cipher_for, keyring_for

    database = current_database()
    async with unit_of_work(tenant) as uow:
        tenant_cipher = await cipher_for(uow)
        rows = await database.execute("SELECT id, email_ciphertext, phone_ciphertext, national_id_ciphertext FROM "
                                      "candidates WHERE tenant_id = {} AND email_ciphertext IS NOT NULL", str(tenant))
        ring = await keyring_for(uow, [v for row in rows for k, v in row.items() if k != "id"])
        for row in rows:
            row_id = uuid.UUID(str(row["id"]))
            values = [tenant_cipher.seal(ring.open(row[f"{name}_ciphertext"], "candidates", name, row_id),
                                         "candidates", name, row_id) for name in ("email", "phone", "national_id")]
            await database.execute("UPDATE candidates SET email_ciphertext = {}, phone_ciphertext = {}, "
                                   "national_id_ciphertext = {} WHERE tenant_id = {} AND id = {}", *values,
                                   str(tenant), str(row_id))


async def main(count: int, size: int) -> None:
    from domain.kernel.db import unit_of_work
    from domain.privacy.erasure import erase_person

    async with running_app(["tenant_admin", "recruiter"]) as bench:
        ids = []
        for number in range(count):
            answer = await bench.client.post("/v1/candidates", headers=bench.headers, json={
                "full_name": f"Bench {number}", "email": f"bench-{uuid.uuid4().hex[:10]}@example.com",
                "phone": f"+86 139{random.randint(0, 99_999_999):08d}", "national_id": cn_id(),
                "national_id_country": "CN"})
            assert answer.status_code == 201, answer.text
            ids.append(uuid.UUID(answer.json()["id"]))
        load = os.getloadavg()[0]
        await pages(bench, size, 1)  # warm up (and, on PostgreSQL, let the listener prove itself)
        await asyncio.sleep(1)
        person_cold = await pages(bench, size, 1)
        person_warm = await pages(bench, size, 3)
        erasures = []
        for candidate in ids[:20]:
            started = time.perf_counter()
            async with unit_of_work(bench.tenant_id) as uow:
                await erase_person(uow, "candidate", candidate, reason="benchmark")
            erasures.append(time.perf_counter() - started)
        await to_tenant_key(bench.tenant_id)
        tenant_keyed = await pages(bench, size, 3)
        print(f"Person keys, {bench.database}, {count:,} candidates, pages of {size} read in clear "
              f"(load average {load:.1f} on {os.cpu_count()} cores: measured under load)")
        print(f"  sealed under the tenant's key:        {tenant_keyed:6.1f} ms a page")
        print(f"  sealed under person keys, first read: {person_cold:6.1f} ms a page")
        print(f"  sealed under person keys, again:      {person_warm:6.1f} ms a page "
              f"({'keys remembered between requests' if bench.database == 'PostgreSQL' else 'nothing remembered'})")
        print(f"  one erasure (its own transaction):    {sum(erasures) / len(erasures) * 1000:6.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--postgres")
    arguments = parser.parse_args()
    configure(arguments.postgres)
    asyncio.run(main(arguments.candidates, arguments.page))
