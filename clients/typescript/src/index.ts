/**
 * A typed client for the Meridian API: openapi-fetch over the types openapi-typescript generates from the
 * OpenAPI document (`schema.d.ts`), with the bearer token, the language and idempotency keys filled in.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** Every error of the API is an RFC 9457 problem (`application/problem+json`). */
export type Problem = components["schemas"]["Problem"];

export type MeridianClient = Client<paths>;

export interface MeridianClientOptions {
  /** The server, for example `https://hr.example.com` (no trailing `/v1`). */
  baseUrl: string;
  /** A bearer token (`meridian tokens issue`, or one from your identity provider). */
  token: string;
  /** The language of titles and problems, as `Accept-Language` (BCP 47: `en`, `zh-CN`, `ja`). */
  language?: string;
  /** A `fetch` of your own (tests, proxies); the global one otherwise. */
  fetch?: typeof globalThis.fetch;
}

/** A client whose every call sends the token and the language, and an `Idempotency-Key` on each POST. */
export function createMeridianClient(options: MeridianClientOptions): MeridianClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  client.use(meridianHeaders(options));
  return client;
}

function meridianHeaders(options: MeridianClientOptions): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${options.token}`);
      if (options.language && !request.headers.has("Accept-Language")) {
        request.headers.set("Accept-Language", options.language);
      }
      // A retried POST with the same key is answered once, so a network error never creates a thing twice.
      if (request.method === "POST" && !request.headers.has("Idempotency-Key")) {
        request.headers.set("Idempotency-Key", crypto.randomUUID());
      }
      return request;
    },
  };
}

/** Thrown by {@link orThrow}: the problem the API answered, with the HTTP response it came in. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly response: Response,
  ) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = "ProblemError";
  }

  /** The fields the problem points at (`/email`, `/lines/0/amount`), as JSON Pointers into the request. */
  get pointers(): string[] {
    return (this.problem.errors ?? []).map((error) => error.pointer);
  }
}

/** Whether an error body is an RFC 9457 problem of this API. */
export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "code" in value && "status" in value && "type" in value;
}

/** The data of a successful call, or a {@link ProblemError} thrown for an error answer. */
export function orThrow<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    if (isProblem(result.error)) throw new ProblemError(result.error, result.response);
    throw new Error(`HTTP ${result.response.status} without a problem body`);
  }
  return result.data as T;
}
