import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';
import { cleanEnv, Job, repoRoot } from '../support/pincer.ts';
import { pythonWithTemporal } from '../support/python.ts';

let engine: TestEngine;
let pythonWorker: Job;

beforeAll(async () => {
  const python = await pythonWithTemporal();
  engine = await startTestEngine();
  pythonWorker = new Job(python, [path.join(repoRoot, 'examples/python-worker/worker.py')], {
    ...cleanEnv(),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: engine.namespace,
    TASK_QUEUE: 'python-tools',
  });
  await pythonWorker.waitFor(/python worker polling python-tools/, 60_000);
}, 600_000);

afterAll(async () => {
  pythonWorker?.forceKill();
  await engine?.stop();
});

describe('external_activity', () => {
  it('calls an activity served by a Python temporalio worker and uses its result', async () => {
    await engine.save(`
workflow:
  name: score_lead
  steps:
    - name: score
      type: external_activity
      task_queue: python-tools
      activity: score_lead
      input: { company: "{{ trigger.company }}", employees: "{{ trigger.employees }}" }
      timeout: 30s
    - name: verdict
      type: transform
      value: "{{ steps.score.output.score > 50 ? 'hot' : 'cold' }}"
`);
    const run = await engine.run('score_lead', { company: 'Acme', employees: 900 });
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((step) => step.name === 'score')?.output).toEqual({
      company: 'Acme',
      score: 100,
      worker: 'python',
    });
    expect(run.output).toBe('hot');
  });
});
