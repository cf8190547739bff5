import { randomUUID } from 'node:crypto';
import { setCredential } from '@pincer/engine';
import { INTERPRETER_WORKFLOW, type Plan, planFromJson, type RunInput } from '@pincer/workflow';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';

/**
 * Temporal does not authenticate who starts a workflow: a local process that reaches its port can
 * start `interpretPlan` with a plan of its own. The worker must not run such a plan's steps as a
 * run of Pincer's, least of all read a secret for it.
 */
const SECRET = 'sk-local-7e1d4a90c2';

const BENIGN = `
workflow:
  name: benign
  steps:
    - name: ask
      type: approval
      message: Go on?
    - name: greet
      type: transform
      value: hello
`;

let engine: TestEngine;
let plan: Plan;
let versionId: string;

beforeAll(async () => {
  engine = await startTestEngine();
  await setCredential(engine.db, engine.secretKey, { name: 'api_key', value: SECRET, actor: 'test' });
  await engine.save(BENIGN);
  const version = await engine.db.workflowVersion.findFirstOrThrow({
    where: { workflow: { name: 'benign' } },
  });
  plan = planFromJson(version.plan);
  versionId = version.id;
});

afterAll(async () => {
  await engine?.stop();
});

/** The crafted plan: one step that copies the secret into its output. */
function leakingPlan(stepName: string): Plan {
  const greet = plan.steps.find((step) => step.name === 'greet');
  if (!greet) throw new Error('no greet step');
  return {
    ...plan,
    steps: [{ ...greet, name: stepName, needs: [], config: { value: '{{ secrets.api_key }}' } }],
  };
}

/** Starts a crafted workflow directly on Temporal, as a local user could, and collects what it gave. */
async function startDirectly(workflowId: string, start: RunInput | { scheduled: unknown }) {
  const handle = await engine.client.workflow.start(INTERPRETER_WORKFLOW, {
    taskQueue: 'pincer-core',
    workflowId,
    args: [start],
  });
  const outcome = await handle.result().then(
    (result: unknown) => JSON.stringify(result),
    (error: unknown) => describeError(error),
  );
  const history = await handle.fetchHistory();
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  return { outcome, leakedInHistory: bytes.includes(SECRET) };
}

function describeError(error: unknown): string {
  const messages: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause)
    messages.push(current.message);
  return messages.join(' <- ');
}

describe('a plan started on Temporal directly', () => {
  it('cannot read a secret as a run that does not exist', async () => {
    const { outcome, leakedInHistory } = await startDirectly(`crafted-${randomUUID()}`, {
      runId: randomUUID(),
      workflow: { name: 'benign', version: 1, versionId },
      plan: leakingPlan('greet'),
      trigger: {},
    });
    expect(outcome).not.toContain(SECRET);
    expect(leakedInHistory).toBe(false);
    expect(outcome).toMatch(/which does not exist\. This worker runs only the runs Pincer starts/);
  });

  it("cannot read a secret posing as a real run's for-each loop whose step does not name it", async () => {
    const runId = await engine.start('benign');
    const run = await engine.db.run.findUniqueOrThrow({ where: { id: runId } });
    const { outcome, leakedInHistory } = await startDirectly(`${run.temporalWorkflowId}-greet-items`, {
      runId,
      workflow: { name: 'benign', version: 1, versionId },
      plan: leakingPlan('greet'),
      trigger: {},
    });
    expect(outcome).not.toContain(SECRET);
    expect(leakedInHistory).toBe(false);
    expect(outcome).toMatch(
      /Step \\"greet\\" of this run's pinned version does not name the secret \\"api_key\\"/,
    );
    await engine.client.workflow.getHandle(run.temporalWorkflowId).cancel();
  });

  it('cannot pose as a schedule Pincer did not publish', async () => {
    const { outcome } = await startDirectly(`crafted-${randomUUID()}`, {
      scheduled: { workflow: 'benign', scheduleId: randomUUID(), input: {} },
    });
    expect(outcome).toMatch(/was not started by Pincer's schedule .* of benign: refused/);
    expect(await engine.db.run.count({ where: { triggerKind: 'schedule' } })).toBe(0);
  });
});
