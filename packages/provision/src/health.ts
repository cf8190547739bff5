import { PINCER_VERSION, type PincerConfig } from '@pincer/config';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { describe } from './steps.ts';

export type DependencyStatus = 'up' | 'down' | 'not_configured';

export interface DependencyCheck {
  name: string;
  status: DependencyStatus;
  detail: string;
  fix?: string;
  latencyMs?: number;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  version: string;
  checkedAt: string;
  checks: DependencyCheck[];
}

/** host:port/database of a PostgreSQL URL, never its credentials. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

async function timed(
  name: string,
  work: () => Promise<string>,
  onError: (error: unknown) => Omit<DependencyCheck, 'name' | 'status'>,
): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    const detail = await work();
    return { name, status: 'up', detail, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { name, status: 'down', ...onError(error), latencyMs: Math.round(performance.now() - started) };
  }
}

export function probeDatabase(url: string, timeoutMs = 2000): Promise<DependencyCheck> {
  const where = describeDatabaseUrl(url);
  return timed(
    'database',
    async () => {
      const client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
      });
      try {
        await client.connect();
        const result = await client.query<{ version: string }>(
          "SELECT current_setting('server_version') AS version",
        );
        return `PostgreSQL ${result.rows[0]?.version ?? '?'} at ${where}`;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    (error) => ({
      detail: `PostgreSQL at ${where} is unreachable: ${describe(error)}`,
      fix: 'start that PostgreSQL server or correct DATABASE_URL; unset DATABASE_URL to use the embedded database',
    }),
  );
}

export function probeTemporal(
  address: string,
  namespace: string,
  timeoutMs = 2000,
): Promise<DependencyCheck> {
  return timed(
    'temporal',
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
      try {
        await connection.withDeadline(Date.now() + timeoutMs, () =>
          connection.workflowService.describeNamespace({ namespace }),
        );
        return `Temporal at ${address}, namespace "${namespace}"`;
      } finally {
        await connection.close().catch(() => undefined);
      }
    },
    (error) => ({
      detail: `Temporal at ${address} (namespace "${namespace}") is unreachable: ${describe(error)}`,
      fix: 'start that Temporal server or correct TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE; unset TEMPORAL_ADDRESS to use the embedded dev server',
    }),
  );
}

/** A Pincer process's own /health endpoint (worker, gateway). */
export function probeProcess(name: string, url: string, timeoutMs = 5000): Promise<DependencyCheck> {
  return timed(
    name,
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return `${name} healthy at ${url}`;
    },
    (error) => ({
      detail: `${name} not answering on ${url}: ${describe(error)}`,
      fix: `start Pincer with \`npm start\` (the supervisor runs the ${name}), or check its log lines`,
    }),
  );
}

function notConfigured(name: string, variable: string): DependencyCheck {
  return {
    name,
    status: 'down',
    detail: `${variable} is not set in this process`,
    fix: `start Pincer with \`npm start\`, which provides ${variable}, or set it`,
  };
}

/** The live state of everything a running Pincer depends on, as served by /api/health. */
export async function checkHealth(config: PincerConfig): Promise<HealthReport> {
  const checks = await Promise.all([
    config.database.url ? probeDatabase(config.database.url) : notConfigured('database', 'DATABASE_URL'),
    config.temporal.address
      ? probeTemporal(config.temporal.address, config.temporal.namespace)
      : notConfigured('temporal', 'TEMPORAL_ADDRESS'),
    probeProcess('worker', config.worker.healthUrl),
    probeProcess('gateway', config.gateway.healthUrl),
    ...(config.llmWorker.separate ? [probeProcess('llm worker', config.llmWorker.healthUrl)] : []),
  ]);
  const essential = new Set(['database', 'temporal']);
  const down = checks.filter((check) => check.status === 'down');
  const status = down.some((check) => essential.has(check.name))
    ? 'down'
    : down.length > 0
      ? 'degraded'
      : 'ok';
  return { status, version: PINCER_VERSION, checkedAt: new Date().toISOString(), checks };
}
