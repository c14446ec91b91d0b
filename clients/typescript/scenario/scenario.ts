/**
 * What a partner's first integration does, against a live server, through the generated client only:
 *   MERIDIAN_URL=http://127.0.0.1:8000 MERIDIAN_TOKEN=... npm run scenario
 * Each step prints "ok" or "FAIL" with the reason; the exit code is the number of failed steps (capped).
 */
import { createMeridianClient, orThrow, ProblemError, type components, type operations } from "../src/index.js";

const baseUrl = required("MERIDIAN_URL");
const client = createMeridianClient({ baseUrl, token: required("MERIDIAN_TOKEN"), language: "en" });
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/u;

type Candidate = components["schemas"]["CandidateView"];
type CandidatePage = operations["listCandidates"]["responses"][200]["content"]["application/json"];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name}.`);
  return value;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function jobsInJapanese(): Promise<string> {
  const result = await client.GET("/v1/jobs", { params: { query: { limit: 50 } }, headers: { "Accept-Language": "ja" } });
  const page = orThrow(result);
  check(page.items.length > 0, "the demo tenant has no job");
  const titles = page.items.map((job) => job.title);
  check(titles.every((title) => JAPANESE.test(title)), `titles are not in Japanese: ${titles.join(", ")}`);
  check(result.response.headers.get("Content-Language") === "ja",
    `Content-Language is ${result.response.headers.get("Content-Language")}, not ja`);
  return titles.join(", ");
}

async function createCandidate(): Promise<Candidate> {
  const unique = crypto.randomUUID().slice(0, 8);
  const result = await client.POST("/v1/candidates", {
    body: { full_name: `Scenario Candidate ${unique}`, email: `scenario-${unique}@example.com`, timezone: "Asia/Tokyo" },
  });
  check(result.response.status === 201, `status ${result.response.status}, not 201`);
  return orThrow(result);
}

async function everyCandidate(): Promise<Candidate[]> {
  const seen: Candidate[] = [];
  let cursor: string | null = null;
  for (let pages = 1; ; pages++) {
    check(pages <= 1000, "more than 1000 pages: next_cursor never ends");
    const page: CandidatePage = orThrow(await client.GET("/v1/candidates", { params: { query: { limit: 2, cursor } } }));
    check(page.items.length <= 2, `a page of limit 2 has ${page.items.length} items`);
    seen.push(...page.items);
    if (!page.next_cursor) return seen;
    cursor = page.next_cursor;
  }
}

async function pageThroughCandidates(created: Candidate): Promise<string> {
  const candidates = await everyCandidate();
  const ids = candidates.map((candidate) => candidate.id);
  check(new Set(ids).size === ids.length, "a candidate came back on two pages");
  check(ids.includes(created.id), "the candidate just created is on no page");
  return `${candidates.length} candidates in pages of 2`;
}

async function problemWithPointer(): Promise<string> {
  const jobs = orThrow(await client.GET("/v1/jobs", { params: { query: { limit: 1 } } }));
  const job = jobs.items[0];
  check(job !== undefined, "the demo tenant has no job");
  const result = await client.POST("/v1/applications", {
    body: { candidate_id: crypto.randomUUID(), job_id: job.id },
    headers: { "Accept-Language": "ja" },
  });
  check(!result.response.ok, `applying for an unknown candidate answered ${result.response.status}`);
  check([400, 422].includes(result.response.status), `status ${result.response.status}, not 400 or 422`);
  check(result.response.headers.get("Content-Type") === "application/problem+json", "not application/problem+json");
  try {
    orThrow(result);
  } catch (error) {
    check(error instanceof ProblemError, `not a problem: ${String(error)}`);
    check(error.pointers.includes("/candidate_id"), `pointers are ${JSON.stringify(error.pointers)}`);
    check(JAPANESE.test(error.problem.title), `the title "${error.problem.title}" is not in Japanese`);
    return `${error.problem.status} ${error.problem.code} at ${error.pointers.join(", ")}: ${error.problem.title}`;
  }
  throw new Error("the problem was not thrown");
}

async function listPayRuns(): Promise<string> {
  const result = await client.GET("/v1/pay-runs", { params: { query: { limit: 50 } } });
  const page = orThrow(result);
  check(Array.isArray(page.items), "the answer is not a page (items, next_cursor)");
  return `${page.items.length} pay runs on the first page`;
}

async function main(): Promise<void> {
  let failed = 0;
  const step = async (name: string, run: () => Promise<string>): Promise<void> => {
    try {
      console.log(`ok    ${name}: ${await run()}`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL  ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  let created: Candidate | undefined;
  await step("listJobs in Japanese", jobsInJapanese);
  await step("createCandidate", async () => {
    created = await createCandidate();
    return created.id;
  });
  await step("listCandidates page by page", async () => {
    check(created !== undefined, "no candidate was created");
    return pageThroughCandidates(created);
  });
  await step("a problem with field pointers", problemWithPointer);
  await step("listPayRuns", listPayRuns);
  console.log(`TypeScript scenario: ${5 - failed} of 5 steps passed`);
  process.exitCode = Math.min(failed, 100);
}

await main();
