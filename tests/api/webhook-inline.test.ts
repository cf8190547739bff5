import { setTimeout as sleep } from 'node:timers/promises';
import { getRun, listRuns } from '@pincer/engine';
import { freePort } from '@pincer/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, waitUntilServing } from '../support/api.ts';
import { Job } from '../support/pincer.ts';

// No workers at all: a webhook whose steps are all pure is answered by the web server alone.
let server: TestServer;
const jobs: Job[] = [];

beforeAll(async () => {
  server = await startTestServer({ workers: false });
}, 180_000);

afterAll(async () => {
  for (const job of jobs) job.forceKill();
  await server?.stop();
});

const DOUBLER = `
workflow:
  name: doubler
  triggers:
    - { type: webhook, name: double, method: POST, respond: when_done, timeout: 20s }
  steps:
    - name: double
      type: transform
      value:
        doubled: "{{ trigger.body.n * 2 }}"
    - name: check
      type: condition
      condition: "{{ steps.double.output.doubled > 100 }}"
    - name: reply
      type: respond
      status: "{{ trigger.body.status ? trigger.body.status : 200 }}"
      body:
        doubled: "{{ steps.double.output.doubled }}"
        branch: "{{ steps.check.output.branch }}"
`;

async function importDoubler(): Promise<{ url: string; secret: string }> {
  const imported = await server.api('/workflows', {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: DOUBLER,
    as: 'editor',
  });
  expect(imported.status).toBe(201);
  const { triggers } = (await imported.json()) as {
    triggers: { webhooks: { url: string; secret?: string }[] };
  };
  const hook = triggers.webhooks[0];
  return { url: new URL(hook?.url ?? '').pathname, secret: hook?.secret ?? '' };
}

let hook: { url: string; secret: string };

function post(base: string, body: unknown): Promise<Response> {
  return fetch(`${base}${hook.url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pincer-secret': hook.secret },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

describe('a webhook whose steps are all pure', () => {
  it('is answered without a worker, and its run is recorded and visible like any other', async () => {
    hook = await importDoubler();
    const big = await post(server.url, { n: 60 });
    expect(big.status).toBe(200);
    expect(await big.json()).toEqual({ doubled: 120, branch: 'true' });
    const runId = big.headers.get('x-pincer-run') ?? '';

    const shown = await server.api(`/runs/${runId}`, { as: 'viewer' });
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({
      id: runId,
      workflow: 'doubler',
      status: 'succeeded',
      trigger: 'webhook',
      input: { method: 'POST', body: { n: 60 } },
      output: { status: 200, body: { doubled: 120, branch: 'true' } },
      steps: [
        { name: 'double', status: 'succeeded', output: { doubled: 120 } },
        { name: 'check', status: 'succeeded', output: { branch: 'true', value: true } },
        { name: 'reply', status: 'succeeded', output: { body: { doubled: 120, branch: 'true' } } },
      ],
    });
    const small = await post(server.url, { n: 10 });
    expect(await small.json()).toEqual({ doubled: 20, branch: 'false' });
    const listed = await listRuns(server.engine.db, { workflow: 'doubler' });
    expect(listed.map((run) => run.id)).toContain(runId);
    expect(listed.every((run) => run.status === 'succeeded' && run.finishedAt !== null)).toBe(true);
  });

  it('records a step that fails as a failed run, and says so in the answer', async () => {
    const refused = await post(server.url, { n: 60, status: 'teapot' });
    expect(refused.status).toBe(500);
    const runId = refused.headers.get('x-pincer-run') ?? '';
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('run_failed');
    const run = await getRun(server.engine.db, runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ step: 'reply', type: 'StepConfigInvalid' });
    expect(run.steps.find((step) => step.name === 'reply')).toMatchObject({
      status: 'failed',
      error: { message: expect.stringContaining('status') },
    });
  });

  it('loses no acknowledged request when the web server is killed with SIGKILL under load', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const victim = new Job(process.execPath, ['--import', 'tsx', 'apps/web/src/server.ts'], {
      ...server.env,
      PINCER_PORT: String(port),
    });
    jobs.push(victim);
    await waitUntilServing(base, victim);

    const acknowledged: { runId: string; n: number }[] = [];
    let killed = false;
    const client = async (lane: number) => {
      for (let n = lane; !killed; n += 10) {
        try {
          const answer = await post(base, { n });
          if (answer.status !== 200) continue;
          const body = (await answer.json()) as { doubled: number };
          expect(body.doubled).toBe(n * 2);
          acknowledged.push({ runId: answer.headers.get('x-pincer-run') ?? '', n });
        } catch {
          // refused or cut off by the kill: never acknowledged
        }
      }
    };
    const lanes = Array.from({ length: 10 }, (_, lane) => client(lane));
    while (acknowledged.length < 50) await sleep(20);
    process.kill(victim.pid, 'SIGKILL');
    killed = true;
    await Promise.all(lanes);
    await victim.exit;

    expect(acknowledged.length).toBeGreaterThanOrEqual(50);
    for (const { runId, n } of acknowledged) {
      const run = await getRun(server.engine.db, runId);
      expect(run.status, runId).toBe('succeeded');
      expect(run.steps.map((step) => [step.name, step.status])).toEqual([
        ['double', 'succeeded'],
        ['check', 'succeeded'],
        ['reply', 'succeeded'],
      ]);
      expect(run.steps[0]?.output).toEqual({ doubled: n * 2 });
    }
    // A run is recorded whole or not at all: none is left half-written by the crash.
    const runs = await listRuns(server.engine.db, { workflow: 'doubler', limit: 500 });
    expect(runs.filter((run) => run.status !== 'succeeded' && run.status !== 'failed')).toEqual([]);
  });
});
