import path from 'node:path';
import {
  type InferenceService,
  type LlmRequest,
  llmChat,
  llmClassify,
  llmExtract,
  llmSummarize,
  type NodeContext,
  type NodeDefinition,
} from '@pincer/nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalInference, InferenceError, type LocalInference, locateModel } from '../src/index.ts';
import { type LoadedTinyModel, loadTinyModel } from './tiny-gguf.ts';

// The mechanics of the quality techniques (bench:quality measures what they are worth) on a tiny
// random-weights model: what is sent to the model, and what comes back, never how good it is.
let tiny: LoadedTinyModel;
let file: string;
let model: LocalInference;

beforeAll(async () => {
  // One sequence: every request below runs on the same one, after the one before.
  tiny = await loadTinyModel({ seed: 5, sequences: 1 });
  ({ file, model } = tiny);
});

afterAll(async () => {
  await tiny?.remove();
});

/** The model, recording each request the steps send it. */
function recording(): InferenceService & { requests: LlmRequest[] } {
  const requests: LlmRequest[] = [];
  return {
    requests,
    complete(request) {
      requests.push(request);
      return model.complete(request);
    },
    status: () => model.status(),
  };
}

async function runStep<Output>(
  node: NodeDefinition,
  raw: Record<string, unknown>,
  inference: InferenceService,
): Promise<Output> {
  const context: NodeContext = {
    runId: 'run-quality',
    stepName: 'step',
    attempt: 1,
    timeoutMs: 60_000,
    signal: new AbortController().signal,
    heartbeat() {},
    log() {},
    secret: async () => '',
    settings: { allowPrivateHosts: [] },
    services: { inference },
  };
  const run = node.run;
  if (!run) throw new Error(`${node.type} has no run()`);
  return (await run(node.config.parse(raw), context)) as Output;
}

const classifyRequest = (choices: string[], seed = 1): LlmRequest => ({
  messages: [
    { role: 'system', content: `Answer with one of: ${choices.join(', ')}.` },
    { role: 'user', content: 'I was charged twice this month.' },
  ],
  choices,
  jsonSchema: { enum: choices },
  temperature: 0,
  seed,
});

describe('choices scored by likelihood', () => {
  it('returns the likeliest choice with every choice scored as a log-probability', async () => {
    const choices = ['billing', 'bug', 'account question', 'feature_request'];
    const result = await model.complete(classifyRequest(choices));
    const scores = result.choiceScores ?? {};
    expect(Object.keys(scores).sort()).toEqual([...choices].sort());
    for (const score of Object.values(scores)) {
      expect(score).toBeLessThanOrEqual(0);
      expect(Number.isFinite(score)).toBe(true);
    }
    // Probabilities of different answers to the same prompt cannot add up to more than 1.
    const total = Object.values(scores).reduce((sum, score) => sum + Math.exp(score), 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(1 + 1e-6);
    const best = choices.reduce((top, choice) =>
      (scores[choice] ?? -1e9) > (scores[top] ?? -1e9) ? choice : top,
    );
    expect(result).toMatchObject({ text: best, json: best, finishReason: 'stop' });
    expect(result.usage.completionTokens).toBe(0);
  });

  it('scores the same whatever the seed, and again with the prompt still cached', async () => {
    const choices = ['yes', 'no', 'maybe'];
    const first = await model.complete(classifyRequest(choices, 1));
    const again = await model.complete(classifyRequest(choices, 99));
    expect(again.usage.evaluatedPromptTokens).toBeLessThan(first.usage.promptTokens);
    for (const choice of choices) {
      expect(again.choiceScores?.[choice]).toBeCloseTo(first.choiceScores?.[choice] ?? Number.NaN, 3);
    }
  });

  it('leaves the sequence as a generation expects it: the same answer before and after scoring', async () => {
    const ask = () =>
      model.complete({
        messages: [{ role: 'user', content: 'I was charged twice this month.' }],
        maxTokens: 8,
        temperature: 0,
        seed: 4,
      });
    const before = await ask();
    await model.complete(classifyRequest(['billing', 'bug']));
    const after = await ask();
    expect(after.text).toBe(before.text);
  });

  it('refuses empty or repeated choices with a request_invalid error', async () => {
    for (const choices of [
      ['a', ''],
      ['a', 'a'],
    ]) {
      const error = await model.complete(classifyRequest(choices)).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(InferenceError);
      expect(error).toMatchObject({ code: 'request_invalid' });
    }
  });
});

describe('scoring a message instead of answering', () => {
  const score = async (text: string) => {
    const result = await model.complete({
      messages: [
        { role: 'system', content: 'A message about billing.' },
        { role: 'user', content: text },
      ],
      scoreOnly: true,
    });
    expect(result).toMatchObject({ text: '', finishReason: 'stop' });
    expect(result.usage.completionTokens).toBe(0);
    return result.logProbability ?? Number.NaN;
  };

  it("gives the last user message's log-probability, lower for a longer text that starts the same", async () => {
    const short = await score('I was charged twice');
    const long = await score('I was charged twice this month and nobody answers my mails');
    expect(short).toBeLessThan(0);
    expect(long).toBeLessThan(short);
    expect(await score('I was charged twice')).toBeCloseTo(short, 3);
  });
});

describe('a forced call among several tools', () => {
  const tools = [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string', maxLength: 10 } },
        required: ['city'],
      },
    },
    {
      name: 'send_email',
      description: 'Send an e-mail',
      parameters: { type: 'object', properties: { to: { type: 'string', maxLength: 10 } }, required: ['to'] },
    },
    {
      name: 'convert_currency',
      description: 'Convert money',
      parameters: { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] },
    },
  ];

  it('picks a tool first (by channel scoring, by likelihood, or by the grammar) and calls it validly', async () => {
    for (const toolSelection of ['channel', 'likelihood', 'grammar'] as const) {
      const provider = createLocalInference({
        location: locateModel(file, path.dirname(file)),
        contextSize: 1024,
        sequences: 1,
        threads: 1,
        gpu: 'off',
        defaultMaxTokens: 48,
        toolSelection,
      });
      try {
        const result = await provider.complete({
          messages: [{ role: 'user', content: 'Will it rain in Lisbon tomorrow?' }],
          tools,
          toolChoice: 'required',
          temperature: 0,
          seed: 1,
        });
        if (result.finishReason === 'length') continue;
        expect(result.finishReason, toolSelection).toBe('tool_calls');
        const call = result.toolCalls?.[0];
        const tool = tools.find((candidate) => candidate.name === call?.name);
        expect(tool, toolSelection).toBeDefined();
        const [argument] = tool?.parameters.required ?? [];
        expect(Object.keys(call?.arguments as object)).toEqual([argument]);
      } finally {
        await provider.close();
      }
    }
  });
});

describe('the llm steps with their quality techniques', () => {
  it('llm.classify scores the labels by default and generates them with method generate', async () => {
    const inference = recording();
    const base = {
      text: 'The app crashes on start.',
      labels: ['billing', 'bug'],
      descriptions: { bug: 'something is broken' },
      examples: [{ text: 'Refund me', label: 'billing' }],
    };
    const scored = await runStep<{ label: string }>(llmClassify, base, inference);
    const generated = await runStep<{ label: string }>(
      llmClassify,
      { ...base, method: 'generate' },
      inference,
    );
    expect(base.labels).toContain(scored.label);
    expect(base.labels).toContain(generated.label);
    const [likelihood, , generate] = inference.requests;
    expect(likelihood?.choices).toEqual(base.labels);
    expect(generate?.choices).toBeUndefined();
    expect(generate?.jsonSchema).toEqual({ enum: base.labels });
    expect(likelihood?.messages.map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
    ]);
    expect(likelihood?.messages[0]?.content).toContain('- bug: something is broken');
  });

  it('llm.classify with method channel scores the text once under each label', async () => {
    const inference = recording();
    const output = await runStep<{ label: string }>(
      llmClassify,
      {
        text: 'The app crashes on start.',
        labels: ['billing', 'bug'],
        method: 'channel',
        descriptions: { bug: 'something is broken' },
        examples: [{ text: 'Export does nothing', label: 'bug' }],
      },
      inference,
    );
    expect(['billing', 'bug']).toContain(output.label);
    expect(inference.requests).toHaveLength(2);
    const [billing, bug] = inference.requests;
    expect(billing).toMatchObject({ scoreOnly: true });
    expect(billing?.messages[0]?.content).toBe('A message about billing.');
    expect(bug?.messages[0]?.content).toBe(
      'A message about bug (something is broken).\nExamples:\n- Export does nothing',
    );
    expect(bug?.messages.at(-1)).toEqual({ role: 'user', content: 'The app crashes on start.' });
  });

  it('llm.classify calibrated scores the labels for the text and for an empty one', async () => {
    const inference = recording();
    await runStep(llmClassify, { text: 'The app crashes on start.', labels: ['billing', 'bug'] }, inference);
    expect(inference.requests.map((request) => request.messages.at(-1)?.content)).toEqual([
      'The app crashes on start.',
      'N/A',
    ]);
    expect(inference.requests.every((request) => request.choices?.length === 2)).toBe(true);
  });

  it('llm.summarize never returns more than max_words and says when it cut', async () => {
    const output = await runStep<{ summary: string; cut: boolean }>(
      llmSummarize,
      { text: 'The council met on Monday. '.repeat(10), max_words: 5, max_tokens: 48, temperature: 0 },
      model,
    );
    expect(output.summary.match(/\S+/g)?.length ?? 0).toBeLessThanOrEqual(5);
    expect(output.cut).toBe(true);
  });

  it('llm.extract lists the values not in the text and asks once more for them with retry', async () => {
    const schema = {
      type: 'object',
      properties: { total: { type: 'integer', description: 'The amount due' } },
      required: ['total'],
    };
    const text = 'Invoice from Northwind Ltd. Total due: 42 pounds.';
    const flagged = await runStep<{ data: { total: number }; unverified: string[] }>(
      llmExtract,
      { text, schema, verify: 'flag', temperature: 0, seed: 2, max_tokens: 48 },
      model,
    );
    // Random weights rarely write 42; whatever they wrote, the check says whether it is in the text.
    expect(flagged.unverified).toEqual(flagged.data.total === 42 ? [] : ['$.total']);

    const inference = recording();
    const retried = await runStep<{ unverified: string[] }>(
      llmExtract,
      { text, schema, verify: 'retry', temperature: 0, seed: 2, max_tokens: 48 },
      inference,
    );
    expect(Array.isArray(retried.unverified)).toBe(true);
    const [first, second] = inference.requests;
    expect(first?.messages[0]?.content).toContain('- total (whole number): The amount due');
    if (flagged.unverified.length > 0) {
      expect(inference.requests).toHaveLength(2);
      expect(second?.messages.at(-1)?.content).toContain('$.total');
    } else expect(inference.requests).toHaveLength(1);

    const off = await runStep<Record<string, unknown>>(
      llmExtract,
      { text, schema, verify: 'off', temperature: 0, seed: 2, max_tokens: 48 },
      model,
    );
    expect(off).not.toHaveProperty('unverified');
  });

  it('llm.chat tells the model to admit not knowing unless admit_unknown is false', async () => {
    const inference = recording();
    await runStep(
      llmChat,
      { prompt: 'Capital of Veltravia?', system: 'Be brief.', max_tokens: 4 },
      inference,
    );
    await runStep(
      llmChat,
      { prompt: 'Capital of Veltravia?', admit_unknown: false, max_tokens: 4 },
      inference,
    );
    const [honest, plain] = inference.requests;
    expect(honest?.messages[0]?.role).toBe('system');
    expect(honest?.messages[0]?.content).toMatch(/^Be brief\.\n\n.*I don't know/s);
    expect(plain?.messages.map((message) => message.role)).toEqual(['user']);
  });
});
