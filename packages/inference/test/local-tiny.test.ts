import { createHash } from 'node:crypto';
import { copyFile, readFile, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalInference,
  InferenceError,
  type LocalInference,
  locateModel,
  verifyModelFile,
} from '../src/index.ts';
import { createJsonGrammar } from '../src/json-grammar.ts';
import { type LoadedTinyModel, loadTinyModel } from './tiny-gguf.ts';

// A tiny llama model with random weights, written fresh: fast tests of everything around the
// model's answers (loading, file checks, token counts, grammars, cancellation) on real llama.cpp.
let tiny: LoadedTinyModel;
let file: string;
let model: LocalInference;

beforeAll(async () => {
  tiny = await loadTinyModel({ seed: 1, sequences: 2 });
  ({ file, model } = tiny);
});

afterAll(async () => {
  await tiny?.remove();
});

describe('the local provider on a tiny generated GGUF', () => {
  it('loads the model and reports it ready with the file, its sha256 and its size', async () => {
    const bytes = await readFile(file);
    const status = model.status();
    expect(status.state).toBe('ready');
    expect(status.activeRequests).toBe(0);
    expect(status.model).toMatchObject({
      name: 'tiny-random-llama',
      provider: 'local',
      file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sizeBytes: bytes.length,
      contextSize: 512,
    });
    expect(status.residentBytes).toBeGreaterThan(0);
  });

  it('stops at maxTokens with finishReason length and counts the tokens', async () => {
    const result = await model.complete({
      messages: [{ role: 'user', content: 'Tell me a long story about the sea.' }],
      maxTokens: 6,
      temperature: 0,
      seed: 3,
    });
    expect(result.finishReason).toBe('length');
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.promptTokens).toBeGreaterThan(5);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeLessThanOrEqual(6);
    expect(result.sampling).toEqual({ temperature: 0, seed: 3, maxTokens: 6 });
    expect(result.model).toMatchObject({ name: 'tiny-random-llama', file });
    expect(model.status().activeRequests).toBe(0);
  });

  it('returns JSON valid for the schema even from random weights (the grammar forces it)', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { enum: ['yes', 'no', 'maybe'] }, done: { type: 'boolean' } },
      required: ['answer', 'done'],
    };
    for (const seed of [1, 2, 3]) {
      const result = await model.complete({
        messages: [{ role: 'user', content: 'Answer as JSON.' }],
        jsonSchema: schema,
        temperature: 1,
        seed,
        maxTokens: 200,
      });
      expect(result.finishReason, result.text).toBe('stop');
      expect(result.json).toEqual(JSON.parse(result.text));
      const json = result.json as { answer: unknown; done: unknown };
      expect(Object.keys(json).sort()).toEqual(['answer', 'done']);
      expect(['yes', 'no', 'maybe']).toContain(json.answer);
      expect(typeof json.done).toBe('boolean');
    }
  });

  it('samples a JSON answer cut off by max_tokens twice more, recording the sampling of the last try', async () => {
    const result = await model.complete({
      messages: [{ role: 'user', content: 'Answer as JSON.' }],
      jsonSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      temperature: 1,
      seed: 10,
      maxTokens: 3,
    });
    expect(result.finishReason).toBe('length');
    expect(result.json).toBeUndefined();
    expect(result.sampling).toEqual({ temperature: 1, seed: 12, maxTokens: 3, repeatPenalty: 1.15 });
    expect(result.usage.completionTokens).toBeLessThanOrEqual(3);
    expect(model.status().activeRequests).toBe(0);
  });

  it('answers an integer field with a safe integer and a number field with a finite number, never 1e999', async () => {
    // node-llama-cpp's grammar alone lets a number carry an exponent (1e999 is Infinity, 5e-3 no
    // integer); random weights write exponents within these seeds when nothing stops them.
    const schema = {
      type: 'object',
      properties: {
        counts: { type: 'array', items: { type: 'integer' }, minItems: 4, maxItems: 4 },
        ratio: { type: 'number' },
      },
      required: ['counts', 'ratio'],
    };
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const result = await model.complete({
        messages: [{ role: 'user', content: 'Count as JSON.' }],
        jsonSchema: schema,
        temperature: 1,
        seed,
        maxTokens: 200,
      });
      expect(result.finishReason, result.text).toBe('stop');
      const json = result.json as { counts: unknown[]; ratio: unknown };
      expect(json.counts, result.text).toHaveLength(4);
      for (const count of json.counts) expect(Number.isSafeInteger(count), result.text).toBe(true);
      expect(Number.isFinite(json.ratio), result.text).toBe(true);
    }
  });

  it('refuses an answer the schema grammar parses but whose numbers are not finite or not integers', async () => {
    const llama = await getLlama({
      build: 'never',
      gpu: false,
      maxThreads: 1,
      logLevel: LlamaLogLevel.error,
    });
    try {
      const { check } = await createJsonGrammar(llama, {
        type: 'object',
        properties: { n: { type: 'integer' }, x: { type: 'number' } },
      });
      expect(check('{"n": 3, "x": 2.5e3}')).toEqual({ value: { n: 3, x: 2500 } });
      expect(check('{"n": 3, "x": 1e999}')).toEqual({ problem: '$.x is not a finite number' });
      expect(check('{"n": 5e-3, "x": 1}')).toMatchObject({ problem: expect.stringContaining('integer') });
      expect(check('{"n": 3')).toMatchObject({ problem: expect.any(String) });
    } finally {
      await llama.dispose();
    }
  });

  it('makes a valid call of the named tool when the call is forced, even from random weights', async () => {
    const tools = [
      {
        name: 'get_weather',
        parameters: {
          type: 'object',
          properties: { unit: { enum: ['celsius', 'fahrenheit'] }, hourly: { type: 'boolean' } },
          required: ['unit', 'hourly'],
        },
      },
      { name: 'send_mail', parameters: { type: 'object', properties: { urgent: { type: 'boolean' } } } },
    ];
    const named = await model.complete({
      messages: [{ role: 'user', content: 'Weather?' }],
      tools,
      toolChoice: { name: 'get_weather' },
      temperature: 1,
      seed: 4,
      maxTokens: 200,
    });
    expect(named.finishReason, named.text).toBe('tool_calls');
    expect(named.toolCalls).toHaveLength(1);
    const call = named.toolCalls?.[0] as { name: string; arguments: { unit: string; hourly: boolean } };
    expect(call.name).toBe('get_weather');
    expect(['celsius', 'fahrenheit']).toContain(call.arguments.unit);
    expect(typeof call.arguments.hourly, JSON.stringify(call)).toBe('boolean');

    const required = await model.complete({
      messages: [{ role: 'user', content: 'Do something.' }],
      tools,
      toolChoice: 'required',
      temperature: 1,
      seed: 5,
      maxTokens: 200,
    });
    expect(required.finishReason, required.text).toBe('tool_calls');
    expect(['get_weather', 'send_mail']).toContain(required.toolCalls?.[0]?.name);

    await expect(
      model.complete({ messages: [{ role: 'user', content: 'x' }], tools, toolChoice: { name: 'nope' } }),
    ).rejects.toThrow(/"nope", which is not among the tools \(get_weather, send_mail\)/);
  });

  it('answers a request whose signal is already aborted with finishReason cancelled', async () => {
    const result = await model.complete({
      messages: [{ role: 'user', content: 'Say something.' }],
      maxTokens: 50,
      signal: AbortSignal.abort(),
    });
    expect(result.finishReason).toBe('cancelled');
    expect(result.text).toBe('');
    expect(result.usage.completionTokens).toBe(0);
    expect(model.status().activeRequests).toBe(0);
  });

  it('stops generating when the request is cancelled mid-answer, and the sequence is free again', async () => {
    const controller = new AbortController();
    let streamed = 0;
    const result = await model.complete({
      messages: [{ role: 'user', content: 'Write a very long story.' }],
      maxTokens: 400,
      temperature: 0,
      seed: 5,
      signal: controller.signal,
      onToken: () => {
        streamed += 1;
        if (streamed === 3) controller.abort();
      },
    });
    expect(result.finishReason).toBe('cancelled');
    expect(result.usage.completionTokens).toBeLessThan(400);
    expect(model.status().activeRequests).toBe(0);
    const next = await model.complete({ messages: [{ role: 'user', content: 'Hi.' }], maxTokens: 4 });
    expect(next.usage.completionTokens).toBeGreaterThan(0);
  });

  it('refuses a truncated copy of the model with an error naming the file', async () => {
    const broken = path.join(path.dirname(file), 'truncated.gguf');
    await copyFile(file, broken);
    const { size } = await stat(file);
    await truncate(broken, Math.floor(size / 2));

    // A provisioned model is checked against its expected size before llama.cpp sees it.
    const expected = await verifyModelFile(file, 'regenerate it');
    const refused = await verifyModelFile(broken, 'regenerate it', expected).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InferenceError);
    expect(refused).toMatchObject({ code: 'model_corrupt' });
    expect((refused as Error).message).toContain(broken);
    expect((refused as Error).message).toContain(`expected ${size}`);

    // A model given by path is loaded as it is: llama.cpp's refusal comes back naming the file,
    // and the provider reports itself failed instead of crashing.
    const provider = createLocalInference({
      location: locateModel(broken, path.dirname(file)),
      contextSize: 512,
      sequences: 1,
      threads: 1,
      gpu: 'off',
      defaultMaxTokens: 16,
    });
    try {
      const error = await provider.ready.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(InferenceError);
      expect(error).toMatchObject({ code: 'model_load_failed' });
      expect((error as Error).message).toContain(broken);
      expect(provider.status().state).toBe('failed');
      await expect(provider.complete({ messages: [{ role: 'user', content: 'Hi.' }] })).rejects.toThrow(
        /failed to load/,
      );
    } finally {
      await provider.close();
    }
  });
});
