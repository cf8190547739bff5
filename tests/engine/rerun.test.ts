import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineError, getRun, rerunRun, waitForRun } from '@pincer/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';

let engine: TestEngine;
let server: Server;
let base: string;
const hits = { fetch: 0, flaky: 0 };

beforeAll(async () => {
  // /fetch counts its calls; /flaky fails its first call and answers after that.
  server = createServer((request, response) => {
    if (request.url === '/fetch') {
      hits.fetch += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ rows: 42, call: hits.fetch }));
      return;
    }
    hits.flaky += 1;
    response.writeHead(hits.flaky === 1 ? 400 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ok: hits.flaky > 1 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  engine = await startTestEngine({ allowPrivateHosts: ['127.0.0.1'] });
  await engine.save(`
workflow:
  name: nightly
  steps:
    - { name: fetch, type: http_request, url: "${base}/fetch" }
    - { name: upload, type: http_request, method: POST, url: "${base}/flaky", retry: { max_attempts: 1 } }
    - name: report
      type: transform
      value: { rows: "{{ steps.fetch.output.body.rows }}", call: "{{ steps.fetch.output.body.call }}", uploaded: "{{ steps.upload.output.body.ok }}" }
`);
});

afterAll(async () => {
  await engine?.stop();
  server?.close();
});

describe('re-running a run', () => {
  it('from a failed step keeps the earlier steps’ outputs and runs only that step and what follows', async () => {
    const failed = await engine.run('nightly');
    expect(failed.status).toBe('failed');
    expect(failed.steps.map((step) => [step.name, step.status])).toEqual([
      ['fetch', 'succeeded'],
      ['upload', 'failed'],
      ['report', 'skipped'],
    ]);

    const again = await rerunRun(engine.db, engine.client, {
      runId: failed.id,
      fromStep: 'upload',
      actor: 'ada',
    });
    await waitForRun(engine.db, engine.client, again.runId);
    const rerun = await getRun(engine.db, again.runId);

    expect(rerun.status).toBe('succeeded');
    expect(hits.fetch).toBe(1);
    expect(rerun.output).toEqual({ rows: 42, call: 1, uploaded: true });
    expect(rerun.steps.find((step) => step.name === 'fetch')).toMatchObject({
      status: 'succeeded',
      input: { kept_from_run: failed.id },
    });
    expect(rerun.actor).toBe('ada');
    const audit = await engine.db.auditEvent.findFirst({
      where: { targetId: again.runId, action: 'run.started' },
    });
    expect(audit?.data).toMatchObject({ rerunOf: failed.id, keptSteps: ['fetch'] });
  });

  it('whole, runs every step again with the same input', async () => {
    const first = (await engine.db.run.findFirstOrThrow({ where: { workflow: { name: 'nightly' } } })).id;
    const again = await rerunRun(engine.db, engine.client, { runId: first, actor: 'ada' });
    await waitForRun(engine.db, engine.client, again.runId);
    expect((await getRun(engine.db, again.runId)).output).toMatchObject({ call: 2 });
    expect(hits.fetch).toBe(2);
  });

  it('refuses a step the run does not have, listing the ones it has', async () => {
    const first = (await engine.db.run.findFirstOrThrow({ where: { workflow: { name: 'nightly' } } })).id;
    const refused = rerunRun(engine.db, engine.client, { runId: first, fromStep: 'uplod', actor: 'ada' });
    await expect(refused).rejects.toThrow(EngineError);
    await expect(refused).rejects.toThrow('its steps: fetch, upload, report');
  });
});
