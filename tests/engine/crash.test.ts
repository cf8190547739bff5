import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type CountingPeer,
  chainWorkflow,
  hitsWithinAttempts,
  startCoreWorker,
  startCountingPeer,
  succeededSteps,
  waitForRunEnd,
  waitForSteps,
} from '../support/crash.ts';
import { startTestEngine, type TestEngine } from '../support/engine.ts';
import type { Job } from '../support/pincer.ts';

let engine: TestEngine;
let peer: CountingPeer;
const workers: Job[] = [];

async function startWorkerProcess(): Promise<Job> {
  const job = await startCoreWorker({
    databaseUrl: engine.databaseUrl,
    temporalAddress: inject('temporalAddress'),
    namespace: engine.namespace,
    secretKey: engine.secretKey,
  });
  workers.push(job);
  return job;
}

beforeAll(async () => {
  // Slow enough that the worker is killed in the middle of the run.
  peer = await startCountingPeer(400);
  engine = await startTestEngine({ workers: false });
});

afterAll(async () => {
  for (const job of workers) job.forceKill();
  await engine?.stop();
  peer?.close();
});

describe('a worker killed in the middle of a run', () => {
  it('loses nothing: a new worker finishes the run and completed steps ran once', async () => {
    await engine.save(chainWorkflow('ten_steps', peer.base, 10, 3));

    const first = await startWorkerProcess();
    const runId = await engine.start('ten_steps');
    await waitForSteps(engine.db, runId, 4, () => first.output);
    process.kill(first.pid, 'SIGKILL');
    await first.exit;
    const doneBeforeCrash = await succeededSteps(engine.db, runId);
    expect(doneBeforeCrash).toBeLessThan(10);

    await startWorkerProcess();
    const run = await waitForRunEnd(engine.db, runId);

    expect(run.status).toBe('succeeded');
    expect(run.steps).toHaveLength(10);
    expect(run.steps.every((step) => step.status === 'succeeded')).toBe(true);
    // A step run once reached the server once. The one in flight when the worker died may have a
    // second attempt, and its first may have died before its request went out: never more hits than attempts.
    expect(hitsWithinAttempts(run, peer.hits)).toEqual([]);
    for (const step of run.steps.filter((step) => step.attempts === 1)) {
      expect(peer.hits.get(step.name.replace('step_', '')), step.name).toBe(1);
    }
    // At most the one step that was in flight when the worker died ran twice.
    expect(run.steps.filter((step) => step.attempts > 1).length).toBeLessThanOrEqual(1);
    expect(run.steps.slice(0, doneBeforeCrash).every((step) => step.attempts === 1)).toBe(true);
  });
});
