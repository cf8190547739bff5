import { MAX_BODY_BYTES } from '@pincer/api';
import { parseWorkflowYaml } from '@pincer/workflow';
import type { z } from 'zod';
import { ApiError, requestInvalid } from './errors.ts';

const YAML_TYPES = new Set([
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'text/plain',
]);

function tooLarge(): ApiError {
  return new ApiError(
    413,
    'body_too_large',
    `The request body is over ${MAX_BODY_BYTES / 1024 / 1024} MiB; keep data out of definitions and inputs (read it with a step instead).`,
  );
}

/** The body as text, refusing more than MAX_BODY_BYTES without reading it all. */
export async function readText(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(400, 'body_invalid', `The request body is not valid JSON: ${reason}.`);
  }
}

/** A JSON body validated by `schema`; an empty body counts as `{}`. */
export async function readJson<T extends z.ZodType>(request: Request, schema: T): Promise<z.output<T>> {
  const type = mediaType(request);
  if (type && type !== 'application/json') {
    throw new ApiError(415, 'unsupported_media_type', `Send this body as application/json, not ${type}.`);
  }
  const text = await readText(request);
  const parsed = schema.safeParse(text.trim() ? parseJson(text) : {});
  if (!parsed.success) throw requestInvalid(parsed.error, 'Body');
  return parsed.data;
}

/**
 * A workflow definition from YAML (application/yaml, text/yaml, text/plain) or JSON, with or
 * without the top-level `workflow:` key. Not validated yet: the compiler does that, step by step.
 */
export async function readDefinition(request: Request): Promise<unknown> {
  const type = mediaType(request);
  const isJson = type === 'application/json';
  if (!isJson && !YAML_TYPES.has(type)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Send the workflow as application/yaml (or text/yaml, text/plain) or application/json${type ? `, not ${type}` : ''}.`,
    );
  }
  const text = await readText(request);
  if (!text.trim())
    throw new ApiError(400, 'body_invalid', 'The request body is empty: send a workflow definition.');
  if (!isJson) return parseWorkflowYaml(text);
  const value = parseJson(text);
  const isDocument =
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    'workflow' in value;
  return isDocument ? value.workflow : value;
}
