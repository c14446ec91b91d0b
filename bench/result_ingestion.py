"""Signed AI-interview results ingested per second, end to end: signature check, replay guard,
contract decoding, reference mapping, sealed storage, evaluation against the model, audit; one result per
signed request, then batches of up to 100 results per signed request (figures in results per second).

    .venv/bin/python bench/result_ingestion.py [--count 500] [--batch-size 100] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid

from harness import configure, measure, print_rates, running_app

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


async def main(count: int, batch_size: int) -> None:
    async with running_app(["tenant_admin", "hr_admin"]) as bench:
        client, headers = bench.client, bench.headers
        entity = (await client.post("/v1/legal-entities", headers=headers, json={
            "name": "Bench", "country": "DE", "currency": "EUR", "timezone": "UTC"})).json()["id"]
        job = (await client.post("/v1/jobs", headers=headers, json={
            "legal_entity_id": entity, "location": "Remote", "title": {"en": "Engineer"}})).json()["id"]
        await client.post(f"/v1/jobs/{job}/competency-model-versions", headers=headers, json=MODEL)
        candidate = (await client.post("/v1/candidates", headers=headers, json={"full_name": "Bench"})).json()["id"]
        application = (await client.post("/v1/applications", headers=headers, json={
            "candidate_id": candidate, "job_id": job})).json()["id"]
        vendor = (await client.post("/v1/vendors", headers=headers, json={"name": "Bench AI"})).json()
        vendor_id, secret = vendor["vendor"]["id"], vendor["secret"].encode()
        await client.post(f"/v1/vendors/{vendor_id}/references", headers=headers, json={
            "kind": "application", "reference": "app-1", "application_id": application})
        url = f"/v1/vendor-deliveries/{bench.tenant_id}/{vendor_id}/results"

        async def deliver(i: int) -> None:
            body = result(f"r-{uuid.uuid4().hex}", "app-1" if i % 2 == 0 else f"unknown-{i}")
            response = await client.post(url, content=body, headers={
                "Meridian-Signature": sign(secret, int(time.time()), body), "Content-Type": "application/json"})
            assert response.status_code == 200, response.text

        async def deliver_batch(i: int) -> None:
            results = b",".join(result(f"r-{uuid.uuid4().hex}", "app-1" if n % 2 == 0 else f"unknown-{i}-{n}")
                                for n in range(batch_size))
            body = b'{"schema":"meridian.interview-result-batch.v1","results":[' + results + b"]}"
            response = await client.post(f"{url[:-len('results')]}result-batches", content=body, headers={
                "Meridian-Signature": sign(secret, int(time.time()), body), "Content-Type": "application/json"})
            assert response.status_code == 200 and response.json()["refused"] == 0, response.text

        rows = [await measure("one result per signed request (half evaluated, half parked)", deliver, count,
                              concurrency) for concurrency in (1, 10)]
        batches = max(1, count // batch_size)
        rows += [in_results(await measure(f"batches of {batch_size} results (half evaluated, half parked)",
                                          deliver_batch, batches, concurrency), batch_size)
                 for concurrency in (1, 4)]
        database = bench.database
    print_rates(f"Interview results ingested, in process, {database} (per second = results per second)",
                "delivery", rows)


def in_results(row: tuple[str, int, int, float, float], batch_size: int) -> tuple[str, int, int, float, float]:
    """A row measured in signed requests, restated in results (count, per second, ms each)."""
    label, concurrency, requests, per_second, ms = row
    return label, concurrency, requests * batch_size, per_second * batch_size, ms / batch_size


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="owner URL of a PostgreSQL database to benchmark against")
    parser.add_argument("--count", type=int, default=500, help="results delivered in each measurement")
    parser.add_argument("--batch-size", type=int, default=100, help="results per batch (at most 100)")
    arguments = parser.parse_args()
    configure(arguments.postgres)
    asyncio.run(main(arguments.count, arguments.batch_size))
