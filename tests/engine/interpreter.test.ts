import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { cancelRun, decideApproval, getRun, listRuns, type RunView, startRun } from '@pincer/engine';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';

let engine: TestEngine;
let server: Server;
let base: string;
const hits = new Map<string, number>();
let inFlight = 0;
let maxInFlight = 0;

/** A local HTTP peer: /flaky fails twice then answers, /slow never answers in time, /count tracks concurrency. */
function startPeer(): Promise<void> {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const count = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, count);
    if (url.pathname === '/flaky') {
      response.writeHead(count <= 2 ? 503 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ attempt: count }));
    } else if (url.pathname === '/slow') {
      setTimeout(() => response.end('late'), 10_000).unref();
    } else if (url.pathname === '/count') {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ item: url.searchParams.get('item') }));
      }, 150);
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

beforeAll(async () => {
  await startPeer();
  engine = await startTestEngine({ allowPrivateHosts: ['127.0.0.1'] });
});

afterAll(async () => {
  await engine?.stop();
  server?.close();
});

function step(run: RunView, name: string, iteration = '') {
  const found = run.steps.find((candidate) => candidate.name === name && candidate.iteration === iteration);
  if (!found)
    throw new Error(`run has no step ${name}[${iteration}]: ${JSON.stringify(run.steps.map((s) => s.name))}`);
  return found;
}

async function waitForStep(runId: string, name: string, status: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const run = await getRun(engine.db, runId);
    if (run.steps.some((candidate) => candidate.name === name && candidate.status === status)) return;
    await sleep(100);
  }
  throw new Error(`step ${name} never reached ${status}`);
}

describe('the interpreter on Temporal', () => {
  it('runs steps in order, independent steps in parallel, and joins them', async () => {
    await engine.save(`
workflow:
  name: fan_out
  steps:
    - name: start
      type: transform
      value: "{{ trigger.n }}"
    - name: double
      type: transform
      value: "{{ steps.start.output * 2 }}"
    - name: square
      type: transform
      needs: [start]
      value: "{{ steps.start.output * steps.start.output }}"
    - name: total
      type: transform
      needs: [double, square]
      value: "{{ steps.double.output + steps.square.output }}"
`);
    const run = await engine.run('fan_out', { n: 5 });
    expect(run.status).toBe('succeeded');
    expect(run.output).toBe(35);
    expect(step(run, 'double').output).toBe(10);
    expect(step(run, 'square').output).toBe(25);
    expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // Local steps are recorded in one write, with their input and both times.
    expect(step(run, 'double')).toMatchObject({ input: { value: 10 } });
    expect(step(run, 'double').startedAt).not.toBeNull();
    expect(step(run, 'double').finishedAt).not.toBeNull();
  });

  it('marks a run failed, not queued, when Temporal refuses to start it', async () => {
    const elsewhere = new Client({ connection: engine.client.connection, namespace: 'no-such-namespace' });
    await expect(startRun(engine.db, elsewhere, { workflow: 'fan_out', actor: 'test' })).rejects.toThrow();
    const [latest] = await listRuns(engine.db, { workflow: 'fan_out', limit: 1 });
    expect(latest?.status).toBe('failed');
    expect(JSON.stringify((await getRun(engine.db, latest?.id ?? '')).error)).toContain('not started');
  });

  it('takes the branch a condition chooses and skips the other', async () => {
    await engine.save(`
workflow:
  name: branches
  steps:
    - name: check
      type: condition
      condition: "{{ trigger.amount > 100 }}"
    - name: big
      type: transform
      needs: [check.true]
      value: big
    - name: small
      type: transform
      needs: [check.false]
      value: small
    - name: after_big
      type: transform
      needs: [big]
      value: done
`);
    const large = await engine.run('branches', { amount: 500 });
    expect(large.status).toBe('succeeded');
    expect(step(large, 'big').status).toBe('succeeded');
    expect(step(large, 'small').status).toBe('skipped');
    expect(step(large, 'after_big').status).toBe('succeeded');

    const little = await engine.run('branches', { amount: 5 });
    expect(step(little, 'big').status).toBe('skipped');
    expect(step(little, 'after_big').status).toBe('skipped');
    expect(step(little, 'small').output).toBe('small');
  });

  it('skips a step whose when is false', async () => {
    await engine.save(`
workflow:
  name: guarded
  steps:
    - name: maybe
      type: transform
      when: "{{ trigger.go = true }}"
      value: ran
`);
    expect(step(await engine.run('guarded', { go: false }), 'maybe').status).toBe('skipped');
    expect(step(await engine.run('guarded', { go: true }), 'maybe').output).toBe('ran');
  });

  it('retries a failing step by its policy until it succeeds, and records the attempts', async () => {
    await engine.save(`
workflow:
  name: flaky
  steps:
    - name: call
      type: http_request
      url: "${base}/flaky"
      retry: { max_attempts: 4, initial_interval: 100ms, backoff: 1 }
`);
    const run = await engine.run('flaky');
    expect(run.status).toBe('succeeded');
    expect(step(run, 'call').attempts).toBe(3);
    expect(step(run, 'call').output).toMatchObject({ status: 200, body: { attempt: 3 } });
  });

  it('fails a step that outlives its timeout, and the run with it', async () => {
    await engine.save(`
workflow:
  name: slow
  steps:
    - name: call
      type: http_request
      url: "${base}/slow"
      timeout: 1s
    - name: never
      type: transform
      value: x
`);
    const run = await engine.run('slow');
    expect(run.status).toBe('failed');
    expect(step(run, 'call').status).toBe('failed');
    expect(JSON.stringify(step(run, 'call').error)).toMatch(/timed out|timeout/i);
    expect(step(run, 'never').status).toBe('skipped');
    expect(run.error).toMatchObject({ step: 'call' });
  });

  it('continues past a failure with on_error: continue, and routes one to a handler', async () => {
    await engine.save(`
workflow:
  name: failures
  steps:
    - name: soft
      type: transform
      value: "{{ $error('soft failure') }}"
      on_error: continue
    - name: hard
      type: transform
      value: "{{ $error('hard failure') }}"
      on_error: cleanup
    - name: cleanup
      type: transform
      value: "{{ 'handled: ' & steps.hard.error.message }}"
`);
    const run = await engine.run('failures');
    expect(step(run, 'soft').status).toBe('failed');
    expect(step(run, 'hard').status).toBe('failed');
    expect(step(run, 'cleanup').status).toBe('succeeded');
    expect(String(step(run, 'cleanup').output)).toContain('hard failure');
    expect(run.status).toBe('succeeded');
  });

  it("gives a handler the failing node's error code and details", async () => {
    await engine.save(`
workflow:
  name: missing_page
  steps:
    - name: fetch
      type: http_request
      url: "${base}/nothing-here"
      on_error: explain
    - name: explain
      type: transform
      value: "{{ steps.fetch.error.type & ' ' & $string(steps.fetch.error.details.status) }}"
`);
    const run = await engine.run('missing_page');
    expect(run.status).toBe('succeeded');
    expect(step(run, 'explain').output).toBe('http_status 404');
  });

  it('waits for an approval, and continues when approved', async () => {
    await engine.save(`
workflow:
  name: gated
  steps:
    - name: ask
      type: approval
      message: Ship it?
    - name: ship
      type: transform
      value: shipped
`);
    const runId = await engine.start('gated');
    await waitForStep(runId, 'ask', 'waiting_approval');
    // The step's record and the run's are separate writes: the run's may land a moment later.
    await expect
      .poll(async () => (await getRun(engine.db, runId)).status, { timeout: 60_000, interval: 200 })
      .toBe('waiting');
    await decideApproval(engine.db, engine.client, {
      runId,
      step: 'ask',
      approved: true,
      actor: 'alice@example.com',
    });
    const run = await waitForEnd(runId);
    expect(run.status).toBe('succeeded');
    expect(step(run, 'ask').output).toMatchObject({ approved: true, by: 'alice@example.com' });
    expect(step(run, 'ship').output).toBe('shipped');
  });

  it('fails the run when an approval is rejected or times out', async () => {
    await engine.save(`
workflow:
  name: gated_short
  steps:
    - name: ask
      type: approval
      timeout: 1s
    - name: ship
      type: transform
      value: shipped
`);
    const rejectedId = await engine.start('gated');
    await waitForStep(rejectedId, 'ask', 'waiting_approval');
    await decideApproval(engine.db, engine.client, {
      runId: rejectedId,
      step: 'ask',
      approved: false,
      actor: 'bob@example.com',
      comment: 'not today',
    });
    const rejected = await waitForEnd(rejectedId);
    expect(rejected.status).toBe('failed');
    expect(JSON.stringify(step(rejected, 'ask').error)).toContain('rejected by bob@example.com: not today');
    expect(step(rejected, 'ship').status).toBe('skipped');

    const timedOut = await engine.run('gated_short');
    expect(timedOut.status).toBe('failed');
    expect(JSON.stringify(step(timedOut, 'ask').error)).toContain('approval timed out');
  });

  it('runs a sub-workflow as a child run and uses its output', async () => {
    await engine.save(`
workflow:
  name: child
  steps:
    - name: greet
      type: transform
      value: "{{ 'hello ' & trigger.who }}"
`);
    await engine.save(`
workflow:
  name: parent
  steps:
    - name: call_child
      type: sub_workflow
      workflow: child
      input: { who: "{{ trigger.name }}" }
    - name: shout
      type: transform
      value: "{{ $uppercase(steps.call_child.output.output) }}"
`);
    const run = await engine.run('parent', { name: 'ada' });
    expect(run.status).toBe('succeeded');
    expect(run.output).toBe('HELLO ADA');
    const childRunId = (step(run, 'call_child').output as { runId: string }).runId;
    const child = await getRun(engine.db, childRunId);
    expect(child).toMatchObject({
      workflow: 'child',
      status: 'succeeded',
      parentRunId: run.id,
      trigger: 'subworkflow',
    });
  });

  it('runs a for-each over items with at most `concurrency` at a time', async () => {
    await engine.save(`
workflow:
  name: each
  steps:
    - name: fetch_all
      type: for_each
      items: "{{ trigger.items }}"
      concurrency: 2
      step:
        type: http_request
        url: "${base}/count?item={{ item }}"
    - name: items_seen
      type: transform
      value: "{{ steps.fetch_all.output.body.item }}"
`);
    maxInFlight = 0;
    const run = await engine.run('each', { items: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(run.status).toBe('succeeded');
    expect(run.output).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(maxInFlight).toBe(2);
    expect(step(run, 'fetch_all', '5').status).toBe('succeeded');
  });

  it('runs a long for-each in its own workflow that continues as new, and keeps every result', async () => {
    await engine.save(`
workflow:
  name: many
  steps:
    - name: squares
      type: for_each
      items: "{{ [1..250] }}"
      concurrency: 10
      step:
        type: transform
        value: "{{ item * item }}"
    - name: total
      type: transform
      value: "{{ $sum(steps.squares.output) }}"
`);
    const run = await engine.run('many');
    expect(run.status).toBe('succeeded');
    expect(run.output).toBe(5_239_625);
    expect(run.steps.filter((s) => s.name === 'squares' && s.iteration !== '')).toHaveLength(250);
    const loop = engine.client.workflow.getHandle(`run-${run.id}-squares-items`);
    const executions = [];
    for await (const execution of engine.client.workflow.list({
      query: `WorkflowId = "run-${run.id}-squares-items"`,
    })) {
      executions.push(execution.runId);
    }
    expect((await loop.describe()).status.name).toBe('COMPLETED');
    expect(executions.length).toBe(3);
  });

  it('cancels a running run: the run and its waiting step end cancelled', async () => {
    await engine.save(`
workflow:
  name: sleepy
  steps:
    - name: nap
      type: delay
      duration: 1h
    - name: wake
      type: transform
      value: up
`);
    const runId = await engine.start('sleepy');
    await waitForStep(runId, 'nap', 'running');
    await cancelRun(engine.db, engine.client, runId, 'test');
    const run = await waitForEnd(runId);
    expect(run.status).toBe('cancelled');
    expect(step(run, 'nap').status).toBe('cancelled');
    expect(run.steps.find((s) => s.name === 'wake')?.status ?? 'cancelled').toBe('cancelled');
  });
});

async function waitForEnd(runId: string): Promise<RunView> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const run = await getRun(engine.db, runId);
    if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') return run;
    await sleep(100);
  }
  throw new Error(`run ${runId} did not end`);
}
