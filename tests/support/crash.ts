import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PrismaClient } from '@pincer/db';
import { getRun, type RunView } from '@pincer/engine';
import { freePort } from '@pincer/provision';
import { cleanEnv, Job, repoRoot } from './pincer.ts';

// What the crash tests share: a slow peer that counts calls, a chain of steps calling it, the real
// worker process to kill, and waits on the run's record.

export interface CountingPeer {
  base: string;
  /** Calls seen, by the `step` query parameter. */
  hits: Map<string, number>;
  close(): void;
}

/** An HTTP peer that answers `?step=N` after `delayMs`, so a crash lands in the middle of a run. */
export function startCountingPeer(delayMs: number): Promise<CountingPeer> {
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    const step = new URL(request.url ?? '/', 'http://x').searchParams.get('step') ?? '?';
    hits.set(step, (hits.get(step) ?? 0) + 1);
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ step }));
    }, delayMs);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        hits,
        close: () => server.close(),
      }),
    ),
  );
}

/** A workflow of `count` http_request steps `step_1`…, each calling the peer once. */
export function chainWorkflow(name: string, base: string, count: number, maxAttempts: number): string {
  const steps = Array.from(
    { length: count },
    (_, index) => `
    - name: step_${index + 1}
      type: http_request
      url: "${base}/work?step=${index + 1}"
      timeout: 5s
      retry: { max_attempts: ${maxAttempts}, initial_interval: 200ms }`,
  ).join('');
  return `workflow:\n  name: ${name}\n  steps:${steps}\n`;
}

/** The real worker process as the supervisor starts it, with only the core capability. */
export async function startCoreWorker(options: {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  secretKey: Buffer;
}): Promise<Job> {
  return new Job(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'apps/temporal-worker/src/main.ts')],
    {
      ...cleanEnv(),
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: options.namespace,
      PINCER_WORKER_HEALTH_PORT: String(await freePort()),
      PINCER_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
      PINCER_SECRET_KEY: options.secretKey.toString('base64'),
      PINCER_LOG_LEVEL: 'warn',
      // http_request steps only: no sandbox (its podman and warm pool) competing with the steps.
      PINCER_WORKER_CAPABILITIES: 'core',
    },
  );
}

export async function succeededSteps(db: PrismaClient, runId: string): Promise<number> {
  return (await getRun(db, runId)).steps.filter((step) => step.status === 'succeeded').length;
}

/** Waits until `count` steps have succeeded; `output` says what the worker printed if they never do. */
export async function waitForSteps(db: PrismaClient, runId: string, count: number, output: () => string) {
  for (let waited = 0; (await succeededSteps(db, runId)) < count; waited++) {
    if (waited > 1200) throw new Error(`the run did not progress:\n${output()}`);
    await sleep(50);
  }
}

/** Waits until the run has succeeded or failed, and returns it. */
export async function waitForRunEnd(db: PrismaClient, runId: string): Promise<RunView> {
  let run = await getRun(db, runId);
  for (let waited = 0; run.status !== 'succeeded' && run.status !== 'failed'; waited++) {
    if (waited > 1800)
      throw new Error(`the run did not finish after the restart: ${JSON.stringify(run.steps)}`);
    await sleep(100);
    run = await getRun(db, runId);
  }
  return run;
}

/** Each step reached the peer at least once and never more often than it was attempted. */
export function hitsWithinAttempts(run: RunView, hits: Map<string, number>): Array<[string, number, number]> {
  return run.steps
    .map((step): [string, number, number] => [
      step.name,
      hits.get(step.name.replace('step_', '')) ?? 0,
      step.attempts,
    ])
    .filter(([, seen, attempts]) => seen < 1 || seen > attempts);
}
