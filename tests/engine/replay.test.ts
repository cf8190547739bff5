import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decideApproval, getRun, type RunView, waitForRun } from '@pincer/engine';
import { workflowsPath } from '@pincer/temporal-worker';
import { runWorkflowId } from '@pincer/workflow/runtime';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';
import { signalHandled } from '../support/temporal.ts';

/**
 * Runs started on older interpreter code must replay on the current code (see "Changing the
 * interpreter" in docs/development.md). `histories/` holds real histories recorded from earlier
 * versions of it; a change that breaks their replay fails here instead of failing users' runs.
 * `PINCER_RECORD_HISTORY=<name> npx vitest run tests/engine/replay.test.ts` adds the history of a
 * run on the current code as histories/<name>.bin (the History protobuf, as Temporal stores it);
 * `PINCER_RECORD_GUARDED_HISTORY=<name>` does the same for the guarded fixture's run.
 */
const HISTORIES = path.join(import.meta.dirname, 'histories');

/** Every kind of step the interpreter handles itself or hands to an activity, in one run. */
const FIXTURE = `
workflow:
  name: replay_fixture
  steps:
    - name: total
      type: transform
      value: "{{ $sum(trigger.items) }}"
    - name: check
      type: condition
      condition: "{{ steps.total.output > 10 }}"
    - name: big
      type: transform
      needs: [check.true]
      value: big
    - name: small
      type: transform
      needs: [check.false]
      value: small
    - name: tier
      type: switch
      needs: [total]
      value: "{{ steps.total.output }}"
      cases:
        - { name: fifteen, equals: 15 }
    - name: squares
      type: for_each
      needs: [total]
      items: "{{ trigger.items }}"
      concurrency: 2
      step:
        type: transform
        value: "{{ item * item }}"
    - name: pause
      type: delay
      needs: [squares, tier.fifteen]
      duration: 10ms
    - name: ask
      type: approval
      message: Go on?
    - name: answer
      type: respond
      status: 201
      body: { total: "{{ steps.total.output }}", squares: "{{ steps.squares.output }}" }
    - name: after
      type: transform
      value: "{{ steps.answer.output.status }}"
`;

/** Approvers checked by the run itself, and expressions with limits and RE2 (patches of December 2026). */
const GUARDED_FIXTURE = `
workflow:
  name: guarded_fixture
  steps:
    - name: words
      type: transform
      value: "{{ $split(trigger.text, /[ ,]+/) }}"
    - name: ask
      type: approval
      message: Count them?
      approvers: [boss@example.com]
    - name: counted
      type: transform
      value: "{{ $count(steps.words.output) }}"
`;

const { History } = temporal.api.history.v1;

let bundle: { code: string };

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath, logger: undefined });
});

describe('interpreter determinism', () => {
  it('replays every recorded history of earlier interpreter code', async () => {
    const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.bin'));
    expect(files.length).toBeGreaterThan(0);
    const histories = files.map((file) => ({
      workflowId: file,
      history: History.decode(readFileSync(path.join(HISTORIES, file))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  describe('a run on the current code', () => {
    let engine: TestEngine;
    beforeAll(async () => {
      engine = await startTestEngine();
    });
    afterAll(async () => {
      await engine?.stop();
    });

    it('succeeds and replays from its own history', { timeout: 180_000 }, async () => {
      await engine.save(FIXTURE);
      const runId = await engine.start('replay_fixture', { items: [1, 2, 3, 4, 5] });
      await waitForStep(engine, runId, 'ask', 'waiting_approval');
      await decideApproval(engine.db, engine.client, { runId, step: 'ask', approved: true, actor: 'test' });
      const result = await waitForRun(engine.db, engine.client, runId);
      expect(result).toMatchObject({
        status: 'succeeded',
        output: 201,
        response: { status: 201, body: { total: 15, squares: [1, 4, 9, 16, 25] } },
      });
      const workflowId = runWorkflowId(runId);
      const history = await engine.client.workflow.getHandle(workflowId).fetchHistory();
      const name = process.env.PINCER_RECORD_HISTORY;
      if (name) writeFileSync(path.join(HISTORIES, `${name}.bin`), History.encode(history).finish());
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
    });

    it('takes the approval only from its approver, and replays from its own history', {
      timeout: 180_000,
    }, async () => {
      await engine.save(GUARDED_FIXTURE);
      const runId = await engine.start('guarded_fixture', { text: 'one, two three' });
      await waitForStep(engine, runId, 'ask', 'waiting_approval');
      const workflowId = runWorkflowId(runId);
      // Not an approver: the run ignores it and waits on.
      await signalHandled(engine.client, workflowId, { step: 'ask', approved: false, by: 'chat:telegram:7' });
      await decideApproval(engine.db, engine.client, {
        runId,
        step: 'ask',
        approved: true,
        actor: 'user:boss@example.com',
        approver: 'boss@example.com',
      });
      const result = await waitForRun(engine.db, engine.client, runId);
      expect(result).toMatchObject({ status: 'succeeded', output: 3 });
      const history = await engine.client.workflow.getHandle(workflowId).fetchHistory();
      const name = process.env.PINCER_RECORD_GUARDED_HISTORY;
      if (name) writeFileSync(path.join(HISTORIES, `${name}.bin`), History.encode(history).finish());
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
    });
  });
});

async function waitForStep(
  engine: TestEngine,
  runId: string,
  step: string,
  status: string,
): Promise<RunView> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const run = await getRun(engine.db, runId);
    if (run.steps.some((candidate) => candidate.name === step && candidate.status === status)) return run;
    await sleep(200);
  }
  throw new Error(`step ${step} of run ${runId} never reached ${status}`);
}
