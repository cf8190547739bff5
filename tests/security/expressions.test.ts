import { getRun, waitForRun } from '@pincer/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';

/**
 * Expressions run inside the worker, on data anyone may send (a webhook's body). None of them may
 * stall or take down the worker: a pathological one fails its own step with a message that says
 * what it hit, and the other steps and runs go on.
 */
const HOSTILE = `
workflow:
  name: hostile_expressions
  steps:
    - name: redos
      type: transform
      needs: []
      value: "{{ $match(trigger.text, /(a+)+$/) }}"
    - name: huge
      type: transform
      needs: []
      on_error: continue
      value: "{{ $pad('', 50000000) }}"
    - name: endless
      type: transform
      needs: []
      on_error: continue
      value: "{{ ($f := function($n){ 1 + $f($n + 1) }; $f(0)) }}"
    - name: summary
      type: transform
      needs: [redos, huge, endless]
      value: "{{ steps.redos.status & ' ' & steps.huge.status & ' ' & steps.endless.status }}"
`;

const CALM = `
workflow:
  name: calm
  steps:
    - name: hello
      type: transform
      value: "{{ 'hello ' & trigger.name }}"
`;

let engine: TestEngine;

beforeAll(async () => {
  engine = await startTestEngine();
  await engine.save(HOSTILE);
  await engine.save(CALM);
});

afterAll(async () => {
  await engine?.stop();
});

describe('expressions on hostile input', () => {
  it('fail only their own step, with the limit they hit, while other runs go on', async () => {
    const hostile = await engine.start('hostile_expressions', { text: `${'a'.repeat(40)}!` });
    const calm = await engine.run('calm', { name: 'Ada' });
    expect(calm).toMatchObject({ status: 'succeeded', output: 'hello Ada' });

    const result = await waitForRun(engine.db, engine.client, hostile);
    expect(result).toMatchObject({ status: 'succeeded', output: 'succeeded failed failed' });
    const run = await getRun(engine.db, hostile);
    const errorOf = (name: string) => JSON.stringify(run.steps.find((step) => step.name === name)?.error);
    expect(errorOf('huge')).toContain('stopped: $pad to 50000000 characters is over 2000000');
    expect(errorOf('endless')).toContain('Stack overflow');
  });
});
