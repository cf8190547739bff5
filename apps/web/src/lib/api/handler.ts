import type { PrismaClient } from '@pincer/db';
import type { z } from 'zod';
import { getDb } from '../services.ts';
import { authorize, type Caller } from './auth.ts';
import type { Endpoint } from './endpoints.ts';
import { ApiError, errorResponse, requestInvalid } from './errors.ts';

export interface RequestContext {
  request: Request;
  caller: Caller;
  db: PrismaClient;
  /** The path parameters as Next passes them; parse them with `pathParams`. */
  rawParams: Record<string, string>;
}

/** What Next passes a route handler besides the request. */
export interface RouteContext {
  params: Promise<Record<string, string>>;
}

/**
 * A route handler for `spec`: authenticates the bearer token, checks the role, runs `handle`
 * and turns every failure into the one error shape.
 */
export function handler(spec: Endpoint, handle: (context: RequestContext) => Promise<Response>) {
  return async (request: Request, route: RouteContext): Promise<Response> => {
    try {
      const db = await getDb();
      const caller = await authorize(db, request, spec.role);
      return await handle({ request, caller, db, rawParams: await route.params });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

const NOT_FOUND: Record<Endpoint['tag'], { code: string; what: string }> = {
  workflows: { code: 'workflow_not_found', what: 'workflow' },
  runs: { code: 'run_not_found', what: 'run' },
  tokens: { code: 'token_not_found', what: 'API token' },
  schedules: { code: 'schedule_not_found', what: 'schedule' },
  nodes: { code: 'node_type_not_found', what: 'node type' },
  hooks: { code: 'webhook_not_found', what: 'webhook' },
  credentials: { code: 'credential_not_found', what: 'credential' },
  chat: { code: 'pairing_not_found', what: 'pairing' },
};

/** The path parameters parsed by `schema`; a malformed one names nothing that exists: 404. */
export function pathParams<T extends z.ZodObject>(
  spec: Pick<Endpoint, 'tag'>,
  schema: T,
  raw: Record<string, string>,
): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const { code, what } = NOT_FOUND[spec.tag];
  const shown = Object.entries(raw)
    .map(([key, value]) => `${key} "${value}"`)
    .join(', ');
  throw new ApiError(404, code, `No ${what} with ${shown}.`);
}

/** The query string parsed by `schema` (400 naming the parameter otherwise). */
export function queryParams<T extends z.ZodObject>(schema: T, request: Request): z.output<T> {
  const parsed = schema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw requestInvalid(parsed.error, 'Query');
  return parsed.data;
}

/** A value as it may be before JSON serialisation: dates where the wire has ISO strings. */
export type Wire<T> = T extends string
  ? string | Date
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/**
 * A JSON answer checked against its documented schema: an answer that does not match the
 * OpenAPI document is a bug, reported as one instead of reaching clients.
 */
export function json<T extends z.ZodType>(schema: T, value: Wire<z.input<T>>, status = 200): Response {
  const checked = schema.safeParse(JSON.parse(JSON.stringify(value)));
  if (!checked.success) {
    throw new Error(`answer does not match its schema: ${checked.error.message}`, { cause: checked.error });
  }
  return Response.json(checked.data, { status, headers: { 'Cache-Control': 'no-store' } });
}

export function noContent(): Response {
  return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
}
