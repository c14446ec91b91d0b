// The ruleset itself is tested: a document that follows every rule gives no result, and one that breaks each
// rule gives exactly the results listed here, so no rule can silently stop matching.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const clients = new URL('..', import.meta.url).pathname;

const linted = new Map();

function lint(fixture) {
  if (!linted.has(fixture)) linted.set(fixture, lintNow(fixture));
  return linted.get(fixture);
}

function lintNow(fixture) {
  const report = join(mkdtempSync(join(tmpdir(), 'spectral-')), 'report.json');
  try {
    execFileSync(join(clients, 'node_modules/.bin/spectral'), [
      'lint', '--quiet', '--ruleset', join(clients, 'spectral.yaml'), '--fail-severity', 'hint',
      '--format', 'json', '--output', report, join(clients, 'spectral-fixtures', fixture),
    ], { stdio: 'pipe' });
  } catch (error) {
    if (error.status !== 1) throw error; // 1 means "results found"; anything else is a broken ruleset
  }
  const counts = {};
  for (const result of JSON.parse(readFileSync(report, 'utf8'))) counts[result.code] = (counts[result.code] ?? 0) + 1;
  return counts;
}

test('a document following every rule gives no result', () => {
  assert.deepEqual(lint('good.yaml'), {});
});

test('a document breaking every rule gives one result per break', () => {
  assert.deepEqual(lint('bad.yaml'), {
    'meridian-accept-language-parameter': 1,
    'meridian-created-location-header': 1,
    'meridian-idempotency-key-parameter': 1,
    'meridian-no-empty-request-schema': 1,
    'meridian-no-empty-response-schema': 1,
    'meridian-operation-id-camel-case': 2,
    'meridian-operation-summary': 1,
    'meridian-path-kebab-case': 2,
    'meridian-rate-limited-retry-after-header': 1,
    'meridian-request-example': 1,
    'meridian-response-example': 1,
    'meridian-schema-description': 1,
    'meridian-schema-name': 1,
    'meridian-schema-title-unique': 1,
    'meridian-success-response-headers': 3,
    'oas3-unused-component': 1,
    'operation-description': 1,
    'operation-operationId': 1,
    'operation-operationId-unique': 1,
    'operation-tags': 1,
  });
});

test('every Meridian rule is broken by the bad fixture', () => {
  const rules = [...readFileSync(join(clients, 'spectral.yaml'), 'utf8').matchAll(/^ {2}(meridian-[a-z-]+):/gm)]
    .map((match) => match[1]);
  const broken = lint('bad.yaml');
  assert.deepEqual(rules.filter((rule) => !(rule in broken)), []);
});
