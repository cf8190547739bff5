import { copyFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createLocalInference,
  DEFAULT_MODEL,
  type LocalInference,
  locateModel,
  MODEL_CATALOG,
} from '@pincer/inference';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const modelPath = inject('modelPath');
let model: LocalInference;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'pincer-llm-'));
  model = createLocalInference({
    location: locateModel(modelPath, scratch),
    contextSize: 1024,
    sequences: 8,
    gpu: 'off',
    defaultMaxTokens: 64,
  });
  await model.ready;
});

afterAll(async () => {
  await model?.close();
  await rm(scratch, { recursive: true, force: true });
});

const PEOPLE = [
  'Alice Martin is 34 and lives in Lyon.',
  'Our new hire, Bob Chen, turned 27 last week.',
  'Carla (age 41) runs the bakery.',
  'The report was written by David Okafor, 52.',
  'Eva Novak, 19, won the chess tournament.',
  'Frank is sixty years old; his surname is Muller.',
  'Grace Hopper was 85 when she died.',
  'Hiro Tanaka, aged 30, joined the team.',
  'Ines Duarte is a 23-year-old engineer.',
  'Jamal Wright, 45, coaches football.',
];

const PERSON = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer' } },
  required: ['name', 'age'],
} as const;

describe('the local model (SmolLM2 135M, real)', () => {
  it('answers a chat with the model, recording model, hash, seed and sampling', async () => {
    const result = await model.complete({
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
      temperature: 0,
      seed: 7,
      maxTokens: 32,
    });
    expect(result.text).toMatch(/Paris/);
    expect(result.finishReason).toBe('stop');
    expect(result.model).toMatchObject({
      name: 'SmolLM2-135M-Instruct.Q4_1',
      provider: 'local',
      sha256: MODEL_CATALOG[DEFAULT_MODEL].sha256,
      file: modelPath,
    });
    expect(result.sampling).toEqual({ temperature: 0, seed: 7, maxTokens: 32 });
    expect(result.usage.promptTokens).toBeGreaterThan(5);
    expect(result.usage.completionTokens).toBeGreaterThan(2);
    expect(result.timings.firstTokenMs).toBeGreaterThan(0);
    expect(result.timings.tokensPerSecond).toBeGreaterThan(0);
    const status = model.status();
    expect(status.state).toBe('ready');
    expect(status.residentBytes).toBeGreaterThan(MODEL_CATALOG[DEFAULT_MODEL].sizeBytes / 2);
    expect(status.tokensPerSecond).toBeGreaterThan(0);
  });

  it('returns JSON valid for the schema 20 times out of 20', async () => {
    const texts = [...PEOPLE, ...PEOPLE.map((text) => `Note: ${text}`)];
    const results = await Promise.all(
      texts.map((text) =>
        model.complete({
          messages: [
            { role: 'system', content: 'Extract the person as JSON with their name and age.' },
            { role: 'user', content: text },
          ],
          jsonSchema: PERSON,
          temperature: 0.5,
          maxTokens: 128,
        }),
      ),
    );
    for (const result of results) {
      expect(result.finishReason, result.text).toBe('stop');
      const parsed = JSON.parse(result.text);
      expect(result.json).toEqual(parsed);
      expect(Object.keys(parsed).sort()).toEqual(['age', 'name']);
      expect(typeof parsed.name).toBe('string');
      expect(Number.isInteger(parsed.age)).toBe(true);
    }
  });

  it('calls a named tool with arguments taken from the question', async () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Current weather of a city',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string', maxLength: 40 } },
          required: ['city'],
        },
      },
    ];
    for (const [question, city] of [
      ['What is the weather in Paris?', /paris/i],
      ['Will it rain in Berlin tomorrow?', /berlin/i],
    ] as const) {
      const result = await model.complete({
        messages: [{ role: 'user', content: question }],
        tools,
        toolChoice: { name: 'get_weather' },
        temperature: 0,
        seed: 1,
        maxTokens: 96,
      });
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls?.[0]?.name).toBe('get_weather');
      expect(result.toolCalls?.[0]?.arguments).toMatchObject({ city: expect.stringMatching(city) });
    }
  });

  it('answers only with one of the allowed labels', async () => {
    const labels = ['positive', 'negative', 'neutral'];
    const texts = ['I love this phone!', 'Worst service ever.', 'The box is blue.', 'Great, thanks', 'meh'];
    const results = await Promise.all(
      texts.map((text, seed) =>
        model.complete({
          messages: [
            { role: 'system', content: `Classify the sentiment: ${labels.join(', ')}.` },
            { role: 'user', content: text },
          ],
          jsonSchema: { enum: labels },
          temperature: 1,
          seed,
        }),
      ),
    );
    for (const result of results) expect(labels).toContain(result.json);
  });

  it('scores each of several choices on its own: their order changes no score', async () => {
    const choices = ['account question', 'feature request ideas', 'billing and refunds'];
    const ask = (order: string[]) =>
      model.complete({
        messages: [
          { role: 'system', content: 'Which team handles this?' },
          { role: 'user', content: 'I was charged twice this month.' },
        ],
        choices: order,
      });
    const forward = await ask(choices);
    const backward = await ask([...choices].reverse());
    expect(choices).toContain(forward.text);
    expect(backward.text).toBe(forward.text);
    for (const choice of choices) {
      expect(backward.choiceScores?.[choice]).toBeCloseTo(forward.choiceScores?.[choice] ?? Number.NaN, 3);
    }
  });

  it('completes 8 concurrent requests, evaluated side by side', async () => {
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        model.complete({
          messages: [{ role: 'user', content: `Tell me a fact about the number ${index + 1}.` }],
          maxTokens: 24,
          seed: index,
          onToken: () => {
            peak = Math.max(peak, model.status().activeRequests);
          },
        }),
      ),
    );
    expect(results).toHaveLength(8);
    for (const result of results) {
      expect(['stop', 'length']).toContain(result.finishReason);
      expect(result.text.length).toBeGreaterThan(0);
    }
    expect(peak).toBe(8);
    expect(model.status().activeRequests).toBe(0);
  });

  it('stops generating when the request is cancelled', async () => {
    const controller = new AbortController();
    let streamed = 0;
    const result = await model.complete({
      messages: [{ role: 'user', content: 'Write a very long story about a dragon.' }],
      maxTokens: 1000,
      temperature: 0.8,
      signal: controller.signal,
      onToken: () => {
        streamed += 1;
        if (streamed === 5) controller.abort();
      },
    });
    expect(result.finishReason).toBe('cancelled');
    expect(result.usage.completionTokens).toBeLessThan(50);
    expect(model.status().activeRequests).toBe(0);
    // The sequence is free again for the next request.
    const next = await model.complete({ messages: [{ role: 'user', content: 'Say hi.' }], maxTokens: 8 });
    expect(next.usage.completionTokens).toBeGreaterThan(0);
  });

  it('gives up at timeoutMs with finishReason timeout', async () => {
    const result = await model.complete({
      messages: [{ role: 'user', content: 'Write a very long story about a dragon.' }],
      maxTokens: 1000,
      timeoutMs: 1,
    });
    expect(result.finishReason).toBe('timeout');
  });

  it('reuses the evaluated prefix of a conversation on its next turn', async () => {
    const turn1 = [
      { role: 'system' as const, content: 'You are a helpful assistant who answers about geography.' },
      { role: 'user' as const, content: 'Name a large river in Europe.' },
    ];
    const first = await model.complete({
      messages: turn1,
      sessionKey: 'chat-42',
      maxTokens: 24,
      temperature: 0,
    });
    const second = await model.complete({
      messages: [
        ...turn1,
        { role: 'assistant', content: first.text },
        { role: 'user', content: 'And one in Africa?' },
      ],
      sessionKey: 'chat-42',
      maxTokens: 24,
      temperature: 0,
    });
    expect(second.usage.evaluatedPromptTokens).toBeLessThan(second.usage.promptTokens / 2);
  });
});

describe('a missing or broken model file', () => {
  async function failure(location: ReturnType<typeof locateModel>) {
    const broken = createLocalInference({ location, contextSize: 512, sequences: 1, defaultMaxTokens: 8 });
    await expect(broken.ready).rejects.toThrow();
    const status = broken.status();
    const error = await broken
      .complete({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: Error) => e);
    await broken.close();
    return { status, error };
  }

  it('names the missing file and how to provision it', async () => {
    const missing = path.join(scratch, 'nothing-here.gguf');
    const { status, error } = await failure(locateModel(missing, scratch));
    expect(status.state).toBe('failed');
    expect(status.error).toContain(`The model file ${missing} does not exist`);
    expect(status.error).toMatch(/Fix: set llm\.model in pincer\.yaml to an existing/);
    expect(String(error)).toContain(missing);
  });

  it('refuses a damaged provisioned model, naming it and the fix', async () => {
    const models = path.join(scratch, 'models');
    const location = locateModel(DEFAULT_MODEL, models);
    if (location.kind !== 'catalog') throw new Error('expected the catalog model');
    await import('node:fs/promises').then((fs) => fs.mkdir(models, { recursive: true }));
    await copyFile(modelPath, location.file);
    const handle = await open(location.file, 'r+');
    await handle.truncate(50 * 1024 * 1024);
    await handle.close();
    const { status } = await failure(location);
    expect(status.error).toContain(`The model file ${location.file} has ${50 * 1024 * 1024} bytes`);
    expect(status.error).toContain('Fix: run `npm start`');
  });

  it('refuses a file that is not a GGUF model', async () => {
    const file = path.join(scratch, 'notes.gguf');
    await writeFile(file, 'these are my notes, not a model');
    const { status } = await failure(locateModel(file, scratch));
    expect(status.error).toContain(`The model file ${file} is not a GGUF file`);
  });
});
