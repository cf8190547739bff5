import { createRun, EngineError, recordBatch, recordRun } from '@pincer/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';

let engine: TestEngine;

beforeAll(async () => {
  // The records alone: no workers, so nothing but these calls writes the rows.
  engine = await startTestEngine({ workers: false });
  await engine.save(`
workflow:
  name: recorded
  steps:
    - { name: first, type: transform, value: 1 }
    - { name: second, type: transform, value: 2 }
`);
});

afterAll(async () => {
  await engine?.stop();
});

async function newRun(): Promise<string> {
  return (await createRun(engine.db, { workflow: 'recorded', actor: 'test' })).runId;
}

describe('run records', () => {
  it('write a batch in order, keep what a later record leaves out, and write the same rows when replayed', async () => {
    const runId = await newRun();
    const step = { runId, iteration: '', type: 'transform' };
    const batch = {
      steps: [
        {
          ...step,
          step: 'first',
          status: 'running' as const,
          attempt: 2,
          input: { value: 1 },
          startedAt: 1000,
        },
        { ...step, step: 'first', status: 'succeeded' as const, output: 1, finishedAt: 2000 },
        { ...step, step: 'second', status: 'succeeded' as const, input: { value: 2 }, output: null },
      ],
      runs: [
        { runId, status: 'running' as const, at: 500, temporalRunId: 'temporal-run-1' },
        { runId, status: 'succeeded' as const, output: { done: true }, at: 3000 },
      ],
    };
    await recordBatch(engine.db, batch);
    await recordBatch(engine.db, batch);

    const steps = await engine.db.stepRun.findMany({ where: { runId }, orderBy: { stepName: 'asc' } });
    expect(steps).toHaveLength(2);
    expect(steps[0]).toMatchObject({
      stepName: 'first',
      status: 'succeeded',
      attempt: 2,
      input: { value: 1 },
      output: 1,
      startedAt: new Date(1000),
      finishedAt: new Date(2000),
    });
    expect(steps[1]).toMatchObject({ stepName: 'second', status: 'succeeded', attempt: 1, output: null });
    const run = await engine.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({
      status: 'succeeded',
      output: { done: true },
      temporalRunId: 'temporal-run-1',
      startedAt: new Date(500),
      finishedAt: new Date(3000),
    });
  });

  it('refuse a record of a run that does not exist', async () => {
    const missing = recordRun(engine.db, {
      runId: '00000000-0000-7000-8000-000000000000',
      status: 'running',
      at: Date.now(),
    });
    await expect(missing).rejects.toBeInstanceOf(EngineError);
    await expect(missing).rejects.toMatchObject({ code: 'run_not_found' });
  });

  it('find the run of a schedule again when its start is replayed, with one audit event', async () => {
    const request = {
      workflow: 'recorded',
      actor: 'schedule:nightly',
      triggerKind: 'schedule' as const,
      temporalWorkflowId: `scheduled-${Date.now()}`,
      temporalRunId: 'first-execution',
    };
    const first = await createRun(engine.db, request);
    const again = await createRun(engine.db, request);
    expect(again.runId).toBe(first.runId);
    expect(await engine.db.run.count({ where: { temporalWorkflowId: request.temporalWorkflowId } })).toBe(1);
    expect(
      await engine.db.auditEvent.count({ where: { action: 'run.started', targetId: first.runId } }),
    ).toBe(1);
  });
});
