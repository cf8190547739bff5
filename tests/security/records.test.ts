import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBrowserService, type RunningBrowserService } from '@pincer/browser';
import { type RunView, setCredential } from '@pincer/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';

/**
 * Issue 13, finding 5: a secret a step resolved never reaches what is recorded about the step
 * (its output, the run's output, the Temporal history, its error, its text artifacts); and
 * finding 12: output holding a NUL character is stored, not lost.
 */
const SECRET = 'bot-token-7f3a9c2e1b5d';
let engine: TestEngine;
let browser: RunningBrowserService;
let server: Server;
let base: string;

beforeAll(async () => {
  // Echoes the path it was asked for, as many error pages do; /fail answers 500.
  server = createServer((request, response) => {
    if (request.url === '/nul') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('before\u0000after');
      return;
    }
    if (request.url?.startsWith('/page')) {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<html><body><p>You asked for ${request.url}</p></body></html>`);
      return;
    }
    response.writeHead(500, { 'content-type': 'text/plain' });
    response.end(`no such bot at ${request.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await createBrowserService({ size: 1, maxConcurrent: 1, warm: false, retries: 0 });
  engine = await startTestEngine({
    allowPrivateHosts: ['127.0.0.1'],
    services: { browser: browser.service },
  });
  await setCredential(engine.db, engine.secretKey, { name: 'bot_token', value: SECRET, actor: 'test' });
});

afterAll(async () => {
  await engine?.stop();
  await browser?.close();
  server?.close();
});

/** Everything recorded about a run: its rows, its view, its Temporal history, its artifacts. */
async function records(run: RunView): Promise<string> {
  const rows = await engine.db.stepRun.findMany({ where: { runId: run.id } });
  const runRow = await engine.db.run.findUniqueOrThrow({ where: { id: run.id } });
  const history = await engine.client.workflow.getHandle(`run-${run.id}`).fetchHistory();
  const artifacts = await Promise.all(
    (await engine.artifacts.list(run.id)).map(async (artifact) =>
      (await engine.artifacts.read(artifact.id))?.data.toString('utf8'),
    ),
  );
  return JSON.stringify([rows, runRow, run, history, artifacts]);
}

describe('secrets in records', () => {
  it('are masked in a transform step output, the run output and the Temporal history', async () => {
    await engine.save(`
workflow:
  name: leak_transform
  steps:
    - name: reveal
      type: transform
      value: { header: "Bearer {{ secrets.bot_token }}", raw: "{{ secrets.bot_token }}" }
`);
    const run = await engine.run('leak_transform');
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((step) => step.name === 'reveal')?.output).toEqual({
      header: 'Bearer ****',
      raw: '****',
    });
    expect(run.output).toEqual({ header: 'Bearer ****', raw: '****' });
    expect(await records(run)).not.toContain(SECRET);
  });

  it('are masked in an http_request error that carries the URL (a bot token in the path)', async () => {
    await engine.save(`
workflow:
  name: leak_http
  steps:
    - name: call
      type: http_request
      url: "${base}/bot{{ secrets.bot_token }}/sendMessage"
`);
    const run = await engine.run('leak_http');
    expect(run.status).toBe('failed');
    const error = JSON.stringify(run.steps.find((step) => step.name === 'call')?.error);
    expect(error).toContain('/bot****/sendMessage');
    expect(await records(run)).not.toContain(SECRET);
  });

  it("are masked in a failing browser step's error and its failure-page.html", async () => {
    await engine.save(`
workflow:
  name: leak_browser
  steps:
    - name: open
      type: browser
      actions:
        - { action: navigate, url: "${base}/page/{{ secrets.bot_token }}" }
        - { action: click, selector: "#missing", timeout_ms: 300, retries: 0 }
`);
    const run = await engine.run('leak_browser');
    expect(run.status).toBe('failed');
    const html = await Promise.all(
      (await engine.artifacts.list(run.id))
        .filter((artifact) => artifact.name === 'failure-page.html')
        .map(async (artifact) => (await engine.artifacts.read(artifact.id))?.data.toString('utf8')),
    );
    expect(html).toEqual([expect.stringContaining('You asked for /page/****')]);
    expect(JSON.stringify(run.steps.find((step) => step.name === 'open')?.error)).toContain('/page/****');
    expect(await records(run)).not.toContain(SECRET);
  });
});

describe('a NUL character in step output', () => {
  it('is stored as U+FFFD: the step and the run succeed and keep the rest of the output', async () => {
    await engine.save(`
workflow:
  name: nul_output
  steps:
    - name: fetch
      type: http_request
      url: "${base}/nul"
    - name: after
      type: transform
      value: "{{ steps.fetch.output.body }}"
`);
    const run = await engine.run('nul_output');
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((step) => step.name === 'fetch')?.output).toMatchObject({
      body: 'before\uFFFDafter',
    });
    expect(run.output).toBe('before\uFFFDafter');
  });
});
