import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAiInference } from '@pincer/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A local stand-in for an OpenAI-compatible endpoint (Ollama, vLLM, a hosted API): the
 * /v1/chat/completions protocol with server-sent events, as those servers speak it.
 */
let server: Server;
let baseUrl: string;
const received: { body: Record<string, unknown>; authorization: string | undefined }[] = [];

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function answerFor(body: Record<string, unknown>): { pieces: string[]; finish: string; tool?: string } {
  const messages = body.messages as { content: string }[];
  const last = messages.at(-1)?.content ?? '';
  if (body.tools) return { pieces: [], finish: 'tool_calls', tool: '{"city":"Paris"}' };
  if (body.response_format) return { pieces: ['{"name":', '"Ada",', '"age":36}'], finish: 'stop' };
  if (last.includes('long')) return { pieces: Array.from({ length: 200 }, () => 'word '), finish: 'length' };
  return { pieces: ['The capital', ' of France', ' is Paris.'], finish: 'stop' };
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = await readJson(request);
    received.push({ body, authorization: request.headers.authorization });
    if (body.model !== 'stand-in-model') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `model "${body.model}" not found` } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
    const { pieces, finish, tool } = answerFor(body);
    for (const piece of pieces) {
      if (response.destroyed) return;
      send({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (tool) {
      send({
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { name: 'get_weather', arguments: tool } }] },
            finish_reason: null,
          },
        ],
      });
    }
    send({ choices: [{ index: 0, delta: {}, finish_reason: finish }] });
    send({ choices: [], usage: { prompt_tokens: 11, completion_tokens: pieces.length } });
    response.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => {
  server?.close();
});

describe('the OpenAI-compatible provider', () => {
  const provider = () =>
    createOpenAiInference({ baseUrl, model: 'stand-in-model', apiKey: 'sk-test', defaultMaxTokens: 64 });

  it('streams a chat answer with usage, sampling and timings', async () => {
    const streamed: string[] = [];
    const result = await provider().complete({
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
      temperature: 0.2,
      seed: 3,
      onToken: (text) => streamed.push(text),
    });
    expect(result.text).toBe('The capital of France is Paris.');
    expect(streamed).toEqual(['The capital', ' of France', ' is Paris.']);
    expect(result).toMatchObject({
      finishReason: 'stop',
      model: { name: 'stand-in-model', provider: 'openai' },
      sampling: { temperature: 0.2, seed: 3, maxTokens: 64 },
      usage: { promptTokens: 11, completionTokens: 3 },
    });
    const sent = received.at(-1);
    expect(sent?.authorization).toBe('Bearer sk-test');
    expect(sent?.body).toMatchObject({ model: 'stand-in-model', max_tokens: 64, seed: 3, stream: true });
  });

  it('asks for structured output with the JSON schema and parses the answer', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } } };
    const result = await provider().complete({
      messages: [{ role: 'user', content: 'Ada, 36' }],
      jsonSchema: schema,
    });
    expect(result.json).toEqual({ name: 'Ada', age: 36 });
    expect(received.at(-1)?.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema, strict: true },
    });
  });

  it('returns tool calls with their parsed arguments', async () => {
    const result = await provider().complete({
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      ],
    });
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([{ name: 'get_weather', arguments: { city: 'Paris' } }]);
    expect(received.at(-1)?.body).not.toHaveProperty('tool_choice');
  });

  it('passes a forced tool choice on as tool_choice', async () => {
    await provider().complete({
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ name: 'get_weather' }],
      toolChoice: { name: 'get_weather' },
    });
    expect(received.at(-1)?.body.tool_choice).toEqual({
      type: 'function',
      function: { name: 'get_weather' },
    });
  });

  it('stops reading when cancelled, with finishReason cancelled', async () => {
    const controller = new AbortController();
    let count = 0;
    const result = await provider().complete({
      messages: [{ role: 'user', content: 'Write something long' }],
      signal: controller.signal,
      onToken: () => {
        count += 1;
        if (count === 3) controller.abort();
      },
    });
    expect(result.finishReason).toBe('cancelled');
    expect(result.text).toBe('word word word ');
  });

  it("reports the endpoint's error and what to check", async () => {
    const wrong = createOpenAiInference({ baseUrl, model: 'no-such-model', defaultMaxTokens: 8 });
    await expect(wrong.complete({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(
      /answered 404: .*no-such-model.* not found.*Fix: check llm\.openai\.baseUrl/,
    );
  });
});
