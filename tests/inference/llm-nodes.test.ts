import os from 'node:os';
import type { RunView } from '@pincer/engine';
import { createLocalInference, type LocalInference, locateModel } from '@pincer/inference';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';

let engine: TestEngine;
let model: LocalInference;

beforeAll(async () => {
  model = createLocalInference({
    location: locateModel(inject('modelPath'), os.tmpdir()),
    contextSize: 2048,
    sequences: 4,
    gpu: 'off',
    defaultMaxTokens: 64,
  });
  engine = await startTestEngine({ services: { inference: model } });
});

afterAll(async () => {
  await engine?.stop();
  await model?.close();
});

function output(run: RunView, name: string): Record<string, unknown> {
  const step = run.steps.find((candidate) => candidate.name === name);
  if (!step) throw new Error(`no step ${name} in ${JSON.stringify(run.steps.map((s) => s.name))}`);
  expect(step.status, JSON.stringify(step.error)).toBe('succeeded');
  return step.output as Record<string, unknown>;
}

const LABELS = ['billing', 'bug', 'question'];

describe('llm nodes through the engine, on the real default model', () => {
  it('chats, extracts JSON, classifies and summarizes in one workflow, recording how', async () => {
    const paragraph =
      'The city council met on Monday to discuss the new bridge. The budget is 12 million euros. ' +
      'Construction starts in May and should take two years. Residents asked for a bike lane. ';
    await engine.save(`
workflow:
  name: llm_tour
  steps:
    - name: answer
      type: llm.chat
      system: You answer in one short sentence.
      prompt: "What is the capital of France?"
      temperature: 0
      max_tokens: 32
    - name: order
      type: llm.extract
      needs: []
      text: "Order 4411 was placed by Maria Lopez."
      instructions: Extract the customer name and the order number.
      schema:
        type: object
        properties:
          customer: { type: string }
          order_number: { type: integer }
        required: [customer, order_number]
      max_tokens: 96
    - name: team
      type: llm.classify
      needs: []
      text: "I was charged twice for my subscription this month."
      labels: [${LABELS.join(', ')}]
    - name: tldr
      type: llm.summarize
      needs: []
      text: "{{ trigger.report }}"
      max_words: 30
      chunk_chars: 600
      max_tokens: 80
`);
    const run = await engine.run('llm_tour', { report: paragraph.repeat(6) });
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');

    const answer = output(run, 'answer');
    expect(answer.text).toMatch(/Paris/);
    expect(answer).toMatchObject({
      finish_reason: 'stop',
      model: { name: 'SmolLM2-135M-Instruct.Q4_1', provider: 'local' },
      sampling: { temperature: 0, max_tokens: 32 },
    });
    expect((answer.model as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof (answer.sampling as { seed: number }).seed).toBe('number');
    expect((answer.usage as { completion_tokens: number }).completion_tokens).toBeGreaterThan(0);
    expect((answer.timings as { tokens_per_second: number }).tokens_per_second).toBeGreaterThan(0);
    expect((answer.timings as { first_token_ms: number }).first_token_ms).toBeGreaterThan(0);

    const order = output(run, 'order').data as { customer: unknown; order_number: unknown };
    expect(typeof order.customer).toBe('string');
    expect(Number.isInteger(order.order_number)).toBe(true);

    expect(LABELS).toContain(output(run, 'team').label);

    const tldr = output(run, 'tldr');
    expect(tldr.chunks).toBeGreaterThan(1);
    expect(String(tldr.summary).length).toBeGreaterThan(10);
  });

  it('refuses an llm step whose config is wrong when the workflow is saved, naming the field', async () => {
    const error = await engine
      .save(`
workflow:
  name: one_label
  steps:
    - name: team
      type: llm.classify
      text: "hello"
      labels: [only]
`)
      .then(
        () => undefined,
        (reason: Error) => reason,
      );
    expect(error?.message).toContain('labels');
    expect(error?.message).toContain('give at least two labels');
  });
});
