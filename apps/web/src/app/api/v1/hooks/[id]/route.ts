import { authenticateWebhook, runInline, startRun, waitForAnswer } from '@pincer/engine';
import type { RunAnswer, RunResponse } from '@pincer/workflow/runtime';
import { readText } from '../../../../../lib/api/body.ts';
import { ApiError, errorResponse } from '../../../../../lib/api/errors.ts';
import { sealHookAnswer, stepHeaders } from '../../../../../lib/hook-answer.ts';
import { getDb, getTemporal } from '../../../../../lib/services.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Headers a workflow never sees: the webhook secret and credentials meant for Pincer. */
const HIDDEN_HEADERS = new Set(['x-pincer-secret', 'authorization', 'cookie', 'proxy-authorization']);

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return null;
  if ((contentType ?? '').includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError(
        400,
        'body_invalid',
        'The webhook body is not valid JSON although its content-type says so.',
      );
    }
  }
  return text;
}

function triggerPayload(request: Request, body: unknown) {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    if (!HIDDEN_HEADERS.has(key)) headers[key] = value;
  });
  const query = Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'secret'));
  return { method: request.method, path: url.pathname, query, headers, body };
}

/**
 * What a respond step set: status, headers (not cookies or security headers), body (text as
 * text/plain, anything else as JSON).
 */
function responded({ status, headers, body }: RunResponse, runId: string): Response {
  const isText = typeof body === 'string';
  return new Response(body === undefined ? null : isText ? body : JSON.stringify(body), {
    status,
    headers: {
      'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
      ...stepHeaders(headers),
      'x-pincer-run': runId,
    },
  });
}

/** The run's answer: its `respond` step's if one ran, else the last step's output as JSON. */
function answer(answered: RunAnswer, runId: string): Response {
  if ('response' in answered) return responded(answered.response, runId);
  const { result } = answered;
  if (result.response) return responded(result.response, runId);
  if (result.status !== 'succeeded') {
    return Response.json(
      {
        error: {
          code: 'run_failed',
          message: `The run failed at step "${result.error?.step}": ${result.error?.message}`,
          runId,
        },
      },
      { status: 500, headers: { 'x-pincer-run': runId } },
    );
  }
  return Response.json(result.output ?? null, { headers: { 'x-pincer-run': runId } });
}

/**
 * `/api/v1/hooks/{id}`: starts the webhook's workflow with the request as its trigger. The secret
 * goes in the `X-Pincer-Secret` header (or `?secret=`). Answers 202 with the run id at once, or,
 * for `respond: when_done`, with the answer of its respond step as soon as that has run (the run
 * goes on), or else with the run's result when it ends.
 */
async function handle(request: Request, route: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await route.params;
    const secret = request.headers.get('x-pincer-secret') ?? new URL(request.url).searchParams.get('secret');
    const db = await getDb();
    const hook = await authenticateWebhook(db, id, secret);
    if (!hook) {
      throw new ApiError(
        404,
        'webhook_not_found',
        'No webhook with this id and secret: check the URL and the X-Pincer-Secret header.',
      );
    }
    if (request.method !== hook.config.method) {
      throw new ApiError(405, 'method_not_allowed', `This webhook accepts ${hook.config.method} only.`, {
        headers: { allow: hook.config.method },
      });
    }
    const body = parseBody(await readText(request), request.headers.get('content-type'));
    const start = {
      workflow: hook.workflow,
      versionRef: hook.version,
      input: triggerPayload(request, body),
      triggerKind: 'webhook' as const,
      triggerId: hook.id,
      actor: `webhook:${hook.id}`,
    };
    // All pure steps: run here and recorded before the answer (see @pincer/engine inline-runs.ts).
    const inline = await runInline(db, start);
    if (inline) {
      if (hook.config.respond === 'immediately')
        return Response.json(
          { runId: inline.runId, status: inline.result.status },
          { status: 202, headers: { 'x-pincer-run': inline.runId } },
        );
      return answer({ result: inline.result }, inline.runId);
    }
    const temporal = await getTemporal();
    const run = await startRun(db, temporal, start);
    if (hook.config.respond === 'immediately') {
      return Response.json(
        { runId: run.runId, status: 'running' },
        { status: 202, headers: { 'x-pincer-run': run.runId } },
      );
    }
    const deadline = AbortSignal.timeout(hook.config.timeout);
    try {
      const answered = await temporal.withAbortSignal(deadline, () => waitForAnswer(temporal, run.runId));
      return answer(answered, run.runId);
    } catch (error) {
      if (!deadline.aborted) throw error;
      throw new ApiError(
        504,
        'run_still_running',
        `The run did not finish within ${hook.config.timeout} ms; it goes on.`,
        {
          runId: run.runId,
        },
      );
    }
  } catch (error) {
    return errorResponse(error);
  }
}

/** Every answer of a hook, whatever wrote it, is sealed: see lib/hook-answer.ts. */
async function sealed(request: Request, route: { params: Promise<{ id: string }> }): Promise<Response> {
  return sealHookAnswer(await handle(request, route));
}

export const GET = sealed;
export const POST = sealed;
export const PUT = sealed;
export const PATCH = sealed;
export const DELETE = sealed;
