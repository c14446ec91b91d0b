"""Signed AI-interview results ingested per second, end to end: signature check, replay guard,
contract decoding, reference mapping, sealed storage, evaluation against the model, audit; one result per
signed request, then batches of up to 100 results per signed request (figures in results per second).

    .venv/bin/python bench/result_ingestion.py [--count 500] [--batches 20] [--batch-size 100] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable

from harness import configure, running_app

from domain.assessments.signatures import sign

MODEL = {"effective_from": "2020-01-01", "overall_pass_threshold": "60", "competencies": [
    {"code": f"c{i}", "names": {"en": f"Competency {i}"}, "weight": "0.2", "pass_threshold": "50"} for i in range(5)]}


def result(result_id: str, reference: str) -> bytes:
    return json.dumps({
        "schema": "meridian.interview-result.v1", "result_id": result_id, "vendor": "Bench AI", "model": "m",
        "model_version": "1", "rubric_version": "1", "reference": {"application_reference": reference},
        "interview_language": "en", "completed_at": "2026-05-01T10:00:00Z",
        "competencies": [{"code": f"c{i}", "name": f"C{i}", "score": str(3 + i % 3), "scale_min": "1",
                          "scale_max": "5", "confidence": "0.9",
                          "evidence": [{"start_seconds": "1", "end_seconds": "9", "quote": "An answer."}]}
                         for i in range(5)],
    }).encode()


async def main(count: int, batches: int, batch_size: int) -> None:
    async with running_app(["tenant_admin", "hr_admin"]) as bench:
        client, headers = bench.client, bench.headers
        entity = (await client.post("/v1/legal-entities", headers=headers, json={
            "name": "Bench", "country": "DE", "currency": "EUR", "timezone": "UTC"})).json()["id"]
        job = (await client.post("/v1/jobs", headers=headers, json={
            "legal_entity_id": entity, "location": "Remote", "title": {"en": "Engineer"}})).json()["id"]
        await client.post(f"/v1/jobs/{job}/competency-model-versions", headers=headers, json=MODEL)
        candidate = (await client.post("/v1/candidates", headers=headers, json={"full_name": "Bench"})).json()["id"]
        await client.post(f"/v1/candidates/{candidate}/consents", headers=headers, json={
            "purpose": "ai_interview_analysis", "given_at": "2026-01-01T00:00:00Z", "evidence": "bench"})
        application = (await client.post("/v1/applications", headers=headers, json={
            "candidate_id": candidate, "job_id": job})).json()["id"]
        vendor = (await client.post("/v1/vendors", headers=headers, json={"name": "Bench AI"})).json()
        vendor_id, secret = vendor["vendor"]["id"], vendor["secret"].encode()
        await client.post(f"/v1/vendors/{vendor_id}/references", headers=headers, json={
            "kind": "application", "reference": "app-1", "application_id": application})
        url = f"/v1/vendor-deliveries/{bench.tenant_id}/{vendor_id}"

        def single(i: int) -> bytes:
            return result(f"r-{uuid.uuid4().hex}", "app-1" if i % 2 == 0 else f"unknown-{uuid.uuid4().hex}")

        def batch(i: int) -> bytes:
            results = b",".join(single(n) for n in range(batch_size))
            return b'{"schema":"meridian.interview-result-batch.v1","results":[' + results + b"]}"

        async def send(path: str, body: bytes) -> bytes:
            response = await client.post(f"{url}/{path}", content=body, headers={
                "Meridian-Signature": sign(secret, int(time.time()), body), "Content-Type": "application/json"})
            assert response.status_code == 200, response.text
            return bytes(response.content)

        async def deliver(body: bytes) -> None:
            await send("results", body)

        async def deliver_batch(body: bytes) -> None:
            assert b'"refused":0' in await send("result-batches", body)

        await deliver(single(0))  # warm up: the tenant's cipher, prepared statements
        rows = [await measured("one result per signed request", deliver, single, count, concurrency, 1)
                for concurrency in (1, 10)]
        if batches:  # --batches 0 measures single deliveries only (an installation without the batch route)
            await deliver_batch(batch(0))
            rows += [await measured(f"batches of {batch_size} results", deliver_batch, batch, batches, concurrency,
                                    batch_size) for concurrency in (1, 4)]
        database = bench.database
    print_results(f"Signed interview results ingested, in process, {database} (half evaluated, half parked)", rows)


Row = tuple[str, int, int, float, float, float]


async def measured(label: str, deliver: Callable[[bytes], Awaitable[None]], body: Callable[[int], bytes],
                   requests: int, concurrency: int, per_request: int) -> Row:
    """Results per second over ``requests`` signed requests of ``per_request`` results each, sent ``concurrency`` at
    a time; bodies are built before the clock starts. CPU is this process's (the app and its client), which a busy
    machine inflates less than it does the wall clock."""
    bodies = [body(i) for i in range(requests)]
    cpu, started = time.process_time(), time.perf_counter()
    for first in range(0, requests, concurrency):
        await asyncio.gather(*[deliver(b) for b in bodies[first:first + concurrency]])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    results = requests * per_request
    return label, concurrency, results, results / elapsed, elapsed / results * 1000, cpu / results * 1000


def print_results(title: str, rows: list[Row]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in ("delivery", "concurrency", "results", "results per second", "ms per result",
                   "CPU ms per result"):
        table.add_column(column, justify="right")
    for label, concurrency, results, per_second, ms, cpu_ms in rows:
        table.add_row(label, str(concurrency), f"{results:,}", f"{per_second:,.0f}", f"{ms:.2f}", f"{cpu_ms:.2f}")
    Console(width=140).print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="owner URL of a PostgreSQL database to benchmark against")
    parser.add_argument("--count", type=int, default=500, help="single-result deliveries in each measurement")
    parser.add_argument("--batches", type=int, default=20, help="batch deliveries in each measurement")
    parser.add_argument("--batch-size", type=int, default=100, help="results per batch (at most 100)")
    arguments = parser.parse_args()
    configure(arguments.postgres)
    asyncio.run(main(arguments.count, arguments.batches, arguments.batch_size))
