import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Endpoint, schemas } from '@pincer/api';
import type { PincerConfig } from '@pincer/config';
import { createDb, type Role } from '@pincer/db';
import { createApiToken } from '@pincer/engine';
import { embeddedDatabaseUrl } from '@pincer/provision';
import type { z } from 'zod';

/** An expected failure: printed as `pincer: <message>` (plus `details`, one per line). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** The error an /api/v1 answer carries, as the CLI shows it. */
export class ApiAnswerError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    details: string[],
    readonly runId?: string,
  ) {
    super(message, 1, details);
  }
}

export function cliTokenFile(config: PincerConfig): string {
  return path.join(config.dataDir, 'cli-token');
}

/** The database this installation uses: DATABASE_URL, or the embedded PostgreSQL's. */
export async function databaseUrlOf(config: PincerConfig): Promise<string> {
  return config.database.url ?? (await embeddedDatabaseUrl(config));
}

/**
 * Creates an API token for the first owner account directly in the database: how the CLI gets
 * a token on the machine that runs Pincer, without anyone signing in.
 */
export async function createOwnerToken(config: PincerConfig, options: { name: string; role?: Role }) {
  const db = createDb(await databaseUrlOf(config));
  try {
    const owner = await db.user
      .findFirst({ where: { role: 'owner', disabledAt: null }, orderBy: { createdAt: 'asc' } })
      .catch((error: unknown) => {
        throw new CliError(
          `Cannot reach the database to create a token (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): start Pincer with \`npm start\`, or set PINCER_TOKEN.`,
        );
      });
    if (!owner) throw new CliError('There is no owner account yet: run `npm start` once to create it.');
    const created = await createApiToken(db, {
      userId: owner.id,
      name: options.name,
      role: options.role ?? 'owner',
      actor: 'cli',
    });
    return { ...created, user: owner.email };
  } finally {
    await db.$disconnect();
  }
}

async function storedToken(config: PincerConfig): Promise<string | undefined> {
  const file = cliTokenFile(config);
  if (!existsSync(file)) return undefined;
  return (await readFile(file, 'utf8')).trim() || undefined;
}

async function storeToken(config: PincerConfig, token: string): Promise<void> {
  const file = cliTokenFile(config);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** JSON-encoded unless `contentType` says otherwise (then sent as text). */
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | undefined>;
}

/** A call to an endpoint of the contract: its path parameters, query and body. */
export interface CallInput {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  /** JSON-encoded unless `contentType` says otherwise (then sent as text). */
  body?: unknown;
  contentType?: string;
}

/** What a successful call answers: the JSON of one of the endpoint's 2xx answers (none: undefined). */
export type SuccessOf<E extends Endpoint> = {
  [S in keyof E['answers'] & number]: `${S}` extends `2${string}`
    ? E['answers'][S] extends { json: infer T extends z.ZodType }
      ? z.output<T>
      : undefined
    : never;
}[keyof E['answers'] & number];

/** The endpoint's path with its parameters filled in, e.g. `/workflows/greet/runs`. */
function pathOf(spec: Endpoint, params: Record<string, string> = {}): string {
  return spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined)
      throw new Error(`internal: ${spec.operationId} needs the path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** The running instance's REST API, authenticated as PINCER_TOKEN or the CLI's own token. */
export class PincerApi {
  private token: string | undefined;

  constructor(
    private readonly config: PincerConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get baseUrl(): string {
    return `${this.config.server.publicUrl.replace(/\/$/, '')}/api/v1`;
  }

  /** Calls `spec` and returns the raw answer (for YAML and files); an error answer throws ApiAnswerError. */
  async send(spec: Endpoint, input: CallInput = {}): Promise<Response> {
    const options: RequestOptions = {
      method: spec.method.toUpperCase() as RequestOptions['method'] & string,
      ...(input.query ? { query: input.query } : {}),
      ...(input.body !== undefined ? { body: input.body } : {}),
      ...(input.contentType ? { contentType: input.contentType } : {}),
    };
    const pathname = pathOf(spec, input.params);
    let response = await this.fetchWith(pathname, options, await this.currentToken());
    if (response.status === 401 && !this.env.PINCER_TOKEN) {
      // The stored token may belong to a database that was reset: make a new one, once.
      response = await this.fetchWith(pathname, options, await this.freshToken());
    }
    if (!response.ok) throw await this.answerError(response);
    return response;
  }

  /** Calls `spec` and returns its JSON answer, checked against the schema the contract declares for it. */
  async call<E extends Endpoint>(spec: E, input: CallInput = {}): Promise<SuccessOf<E>> {
    const response = await this.send(spec, input);
    const schema = spec.answers[response.status]?.json;
    if (!schema) return undefined as SuccessOf<E>;
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new CliError(
        `${response.url} answered with something else than Pincer's API (${parsed.error.issues[0]?.message ?? 'no JSON'}): is PINCER_PUBLIC_URL right?`,
      );
    }
    return parsed.data as SuccessOf<E>;
  }

  private async currentToken(): Promise<string> {
    this.token ??= this.env.PINCER_TOKEN || (await storedToken(this.config)) || (await this.freshToken());
    return this.token;
  }

  private async freshToken(): Promise<string> {
    await this.ensureRunning();
    const { token } = await createOwnerToken(this.config, { name: 'cli' });
    await storeToken(this.config, token);
    this.token = token;
    return token;
  }

  private notRunning(reason: string): CliError {
    return new CliError(
      `Pincer is not running at ${this.config.server.publicUrl} (${reason}): start it with \`npm start\`.`,
    );
  }

  private async ensureRunning(): Promise<void> {
    try {
      await fetch(`${this.baseUrl}/openapi.json`, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw this.notRunning(networkReason(error));
    }
  }

  private async fetchWith(pathname: string, options: RequestOptions, token: string): Promise<Response> {
    const url = new URL(`${this.baseUrl}${pathname}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      body =
        typeof options.body === 'string' && options.contentType ? options.body : JSON.stringify(options.body);
    }
    try {
      return await fetch(url, {
        method: options.method ?? 'GET',
        headers,
        ...(body !== undefined ? { body } : {}),
      });
    } catch (error) {
      throw this.notRunning(networkReason(error));
    }
  }

  private async answerError(response: Response): Promise<ApiAnswerError> {
    // Not one of ours (a proxy's error page, say): then the status is all there is to report.
    const parsed = schemas.ApiErrorBody.safeParse(await response.json().catch(() => undefined));
    const error = parsed.success ? parsed.data.error : undefined;
    const message = error?.message ?? `${response.status} ${response.statusText}`;
    const details = (error?.issues ?? []).map((issue) => issue.message);
    const hint =
      response.status === 401 && this.env.PINCER_TOKEN
        ? ' (the token is PINCER_TOKEN: unset it to let the CLI use its own)'
        : '';
    return new ApiAnswerError(
      response.status,
      error?.code ?? 'http_error',
      `${message}${hint}`,
      details,
      error?.runId,
    );
  }
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
