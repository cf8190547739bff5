import { type Endpoint, TAGS } from '@pincer/api';
import type { PrismaClient } from '@pincer/db';
import type { z } from 'zod';
import { getDb } from '../services.ts';
import { authorize, type Caller } from './auth.ts';
import { readDefinition, readJson } from './body.ts';
import { ApiError, errorResponse, requestInvalid } from './errors.ts';

/** What Next passes a route handler besides the request. */
export interface RouteContext {
  params: Promise<Record<string, string>>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** A request to `E`, parsed by its spec: the handler never reads params, query or body itself. */
export interface RequestOf<E extends Endpoint> {
  request: Request;
  caller: Caller;
  db: PrismaClient;
  params: Parsed<E['params']>;
  query: Parsed<E['query']>;
  /** The JSON body parsed by the spec's schema; for `workflow`, the definition as parsed YAML/JSON. */
  body: E['body'] extends z.ZodType
    ? z.output<E['body']>
    : E['body'] extends 'workflow'
      ? unknown
      : undefined;
}

/** A value as it may be before JSON serialisation: dates where the wire has ISO strings. */
export type Wire<T> = T extends string
  ? string | Date
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** The body of an answer: what its JSON schema accepts (none without one). */
type BodyOf<A> = A extends { json: infer T extends z.ZodType }
  ? { body: Wire<z.input<T>> }
  : { body?: never };

/** An answer the spec declares: its status and, for a JSON answer, a body its schema accepts. */
export type ReplyOf<E extends Endpoint> = {
  [S in keyof E['answers'] & number]: { status: S } & BodyOf<E['answers'][S]>;
}[keyof E['answers'] & number];

const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * A route handler for `spec`, `handler(spec)(async ({ params, query, body, caller, db }) => reply)`: authenticates the bearer token, checks the role, parses the path
 * parameters, query and body by the spec, runs `handle` and checks its answer against the spec
 * (in every environment: an answer the OpenAPI document does not promise is a bug, reported as a
 * 500 instead of reaching clients). Every failure becomes the one error shape. `handle` returns a
 * `Response` itself only for non-JSON answers (YAML, files).
 */
export function handler<E extends Endpoint>(spec: E) {
  // Curried, so E is fixed before `handle` is typed: its replies keep their literal statuses.
  return (handle: (request: RequestOf<E>) => Promise<ReplyOf<E> | Response>) =>
    async (request: Request, route: RouteContext): Promise<Response> => {
      try {
        const db = await getDb();
        const caller = await authorize(db, request, spec.role);
        const parsed = {
          request,
          caller,
          db,
          params: pathParams(spec, await route.params),
          query: spec.query ? queryParams(spec.query, request) : {},
          body: await bodyOf(spec, request),
        } as RequestOf<E>;
        const reply = await handle(parsed);
        return reply instanceof Response ? reply : answer(spec, reply);
      } catch (error) {
        return errorResponse(error);
      }
    };
}

function bodyOf(spec: Endpoint, request: Request): Promise<unknown> {
  if (spec.body === 'workflow') return readDefinition(request);
  if (spec.body) return readJson(request, spec.body);
  return Promise.resolve(undefined);
}

/** The path parameters parsed by the spec; a malformed one names nothing that exists: 404. */
export function pathParams<E extends Endpoint>(spec: E, raw: Record<string, string>): Parsed<E['params']> {
  if (!spec.params) return {} as Parsed<E['params']>;
  const parsed = spec.params.safeParse(raw);
  if (parsed.success) return parsed.data as Parsed<E['params']>;
  const { code, what } = TAGS[spec.tag].notFound;
  const shown = Object.entries(raw)
    .map(([key, value]) => `${key} "${value}"`)
    .join(', ');
  throw new ApiError(404, code, `No ${what} with ${shown}.`);
}

/** The query string parsed by `schema` (400 naming the parameter otherwise). */
function queryParams(schema: z.ZodObject, request: Request): unknown {
  const parsed = schema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw requestInvalid(parsed.error, 'Query');
  return parsed.data;
}

/** The reply as a response, after checking that the spec declares its status and its body. */
function answer(spec: Endpoint, reply: { status: number; body?: unknown }): Response {
  const declared = spec.answers[reply.status];
  if (!declared)
    throw new Error(`internal: ${spec.operationId} answered ${reply.status}, which it does not declare`);
  if (!declared.json) return new Response(null, { status: reply.status, headers: NO_STORE });
  const checked = declared.json.safeParse(JSON.parse(JSON.stringify(reply.body)));
  if (!checked.success) {
    throw new Error(
      `internal: the ${spec.operationId} answer does not match its schema: ${checked.error.message}`,
      {
        cause: checked.error,
      },
    );
  }
  return Response.json(checked.data, { status: reply.status, headers: NO_STORE });
}
