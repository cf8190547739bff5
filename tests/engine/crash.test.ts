import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getRun, type RunView } from '@pincer/engine';
import { freePort } from '@pincer/provision';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';
import { cleanEnv, Job, repoRoot } from '../support/pincer.ts';

let engine: TestEngine;
let server: Server;
let base: string;
const hits = new Map<string, number>();
const workers: Job[] = [];

function startPeer(): Promise<void> {
  server = createServer((request, response) => {
    const step = new URL(request.url ?? '/', 'http://x').searchParams.get('step') ?? '?';
    hits.set(step, (hits.get(step) ?? 0) + 1);
    // Slow enough that the worker is killed in the middle of the run.
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ step }));
    }, 400);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

/** The real worker process, as the supervisor starts it. */
async function startWorkerProcess(): Promise<Job> {
  const job = new Job(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'apps/temporal-worker/src/main.ts')],
    {
      ...cleanEnv(),
      DATABASE_URL: engine.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: engine.namespace,
      PINCER_WORKER_HEALTH_PORT: String(await freePort()),
      PINCER_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
      PINCER_SECRET_KEY: engine.secretKey.toString('base64'),
      PINCER_LOG_LEVEL: 'warn',
      // http_request steps only: no sandbox (its podman and warm pool) competing with the steps.
      PINCER_WORKER_CAPABILITIES: 'core',
    },
  );
  workers.push(job);
  return job;
}

beforeAll(async () => {
  await startPeer();
  engine = await startTestEngine({ workers: false });
});

afterAll(async () => {
  for (const job of workers) job.forceKill();
  await engine?.stop();
  server?.close();
});

async function succeededSteps(runId: string): Promise<number> {
  return (await getRun(engine.db, runId)).steps.filter((step) => step.status === 'succeeded').length;
}

describe('a worker killed in the middle of a run', () => {
  it('loses nothing: a new worker finishes the run and completed steps ran once', async () => {
    const steps = Array.from(
      { length: 10 },
      (_, index) => `
    - name: step_${index + 1}
      type: http_request
      url: "${base}/work?step=${index + 1}"
      timeout: 5s
      retry: { max_attempts: 3, initial_interval: 200ms }`,
    ).join('');
    await engine.save(`workflow:\n  name: ten_steps\n  steps:${steps}\n`);

    const first = await startWorkerProcess();
    const runId = await engine.start('ten_steps');
    for (let waited = 0; (await succeededSteps(runId)) < 4; waited++) {
      if (waited > 600) throw new Error(`the run did not progress:\n${first.output}`);
      await sleep(50);
    }
    process.kill(first.pid, 'SIGKILL');
    await first.exit;
    const doneBeforeCrash = await succeededSteps(runId);
    expect(doneBeforeCrash).toBeLessThan(10);

    await startWorkerProcess();
    let run: RunView = await getRun(engine.db, runId);
    for (let waited = 0; run.status !== 'succeeded' && run.status !== 'failed'; waited++) {
      if (waited > 1200)
        throw new Error(`the run did not finish after the restart: ${JSON.stringify(run.steps)}`);
      await sleep(100);
      run = await getRun(engine.db, runId);
    }

    expect(run.status).toBe('succeeded');
    expect(run.steps).toHaveLength(10);
    expect(run.steps.every((step) => step.status === 'succeeded')).toBe(true);
    // A step run once reached the server once. The one in flight when the worker died may have a
    // second attempt, and its first may have died before its request went out: never more hits than attempts.
    for (const step of run.steps) {
      const seen = hits.get(step.name.replace('step_', '')) ?? 0;
      if (step.attempts === 1) expect(seen, step.name).toBe(1);
      else expect(seen, step.name).toBeGreaterThanOrEqual(1);
      expect(seen, step.name).toBeLessThanOrEqual(step.attempts);
    }
    // At most the one step that was in flight when the worker died ran twice.
    expect(run.steps.filter((step) => step.attempts > 1).length).toBeLessThanOrEqual(1);
    expect(run.steps.slice(0, doneBeforeCrash).every((step) => step.attempts === 1)).toBe(true);
  });
});
