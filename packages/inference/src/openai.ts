import type { InferenceService, LlmRequest, LlmResult, ModelInfo, ModelStatus } from '@pincer/nodes';
import { describeError, InferenceError } from './errors.ts';
import { type Measured, measureCompletion, resolveSampling, SpeedAverage } from './measure.ts';

export interface OpenAiInferenceOptions {
  /** The API root, e.g. http://127.0.0.1:11434/v1 (Ollama) or https://api.openai.com/v1. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  defaultMaxTokens: number;
}

interface StreamChunk {
  choices?: {
    delta?: { content?: string | null; tool_calls?: { index: number; function?: ToolDelta }[] };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

interface ToolDelta {
  name?: string;
  arguments?: string;
}

const FINISH: Record<string, LlmResult['finishReason']> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
};

/**
 * The OpenAI-compatible provider (Ollama, vLLM, llama.cpp's server, hosted APIs): the same
 * requests and results as the local model, over `POST {baseUrl}/chat/completions` with streaming.
 */
export function createOpenAiInference(options: OpenAiInferenceOptions): InferenceService & {
  close(): Promise<void>;
} {
  const info: ModelInfo = { name: options.model, provider: 'openai', sha256: options.model };
  const speed = new SpeedAverage();
  let active = 0;
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;

  async function complete(request: LlmRequest): Promise<LlmResult> {
    if (request.messages.length === 0) {
      throw new InferenceError('request_invalid', 'An LLM request needs at least one message.');
    }
    const started = performance.now();
    const sampling = resolveSampling(request, options.defaultMaxTokens);
    const limits: AbortSignal[] = [];
    if (request.signal) limits.push(request.signal);
    const timeout = request.timeoutMs === undefined ? undefined : AbortSignal.timeout(request.timeoutMs);
    if (timeout) limits.push(timeout);
    const signal = AbortSignal.any(limits);
    const measured: Measured = { started, firstToken: undefined, completionTokens: 0 };
    active += 1;
    let text = '';
    let finishReason: LlmResult['finishReason'] = 'stop';
    let usage: StreamChunk['usage'];
    const tools = new Map<number, { name: string; arguments: string }>();
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify(requestBody(options.model, request, sampling)),
        signal,
      });
      if (!response.ok || !response.body) {
        const body = (await response.text().catch(() => '')).slice(0, 300);
        throw new InferenceError(
          'endpoint_failed',
          `${endpoint} answered ${response.status}: ${body || '(empty body)'}`,
          'check llm.openai.baseUrl, llm.openai.model and the API key (PINCER_LLM_API_KEY).',
        );
      }
      for await (const chunk of serverSentEvents(response.body)) {
        if (chunk.error) throw new InferenceError('endpoint_failed', `${endpoint}: ${chunk.error.message}`);
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const content = choice.delta?.content;
        if (content) {
          measured.firstToken ??= performance.now();
          measured.completionTokens += 1;
          text += content;
          request.onToken?.(content);
        }
        for (const call of choice.delta?.tool_calls ?? []) {
          const entry = tools.get(call.index) ?? { name: '', arguments: '' };
          entry.name += call.function?.name ?? '';
          entry.arguments += call.function?.arguments ?? '';
          tools.set(call.index, entry);
        }
        if (choice.finish_reason) finishReason = FINISH[choice.finish_reason] ?? 'stop';
      }
    } catch (error) {
      if (!signal.aborted) {
        if (error instanceof InferenceError) throw error;
        throw new InferenceError(
          'endpoint_failed',
          `${endpoint} failed: ${describeError(error)}`,
          'check that the endpoint is up and llm.openai.baseUrl is right.',
          { cause: error },
        );
      }
      finishReason = timeout?.aborted ? 'timeout' : 'cancelled';
    } finally {
      active -= 1;
    }
    // Endpoints count tokens better than chunks do; chunks are the fallback.
    if (usage?.completion_tokens !== undefined) measured.completionTokens = usage.completion_tokens;
    const result = measureCompletion({
      text,
      finishReason,
      info,
      sampling,
      measured,
      promptTokens: usage?.prompt_tokens ?? 0,
    });
    if (request.jsonSchema && finishReason === 'stop') result.json = parseJson(text, endpoint);
    if (tools.size > 0) {
      result.toolCalls = [...tools.values()].map((call) => ({
        name: call.name,
        arguments: parseJson(call.arguments || '{}', endpoint),
      }));
    }
    speed.add(result.timings.tokensPerSecond, result.usage.completionTokens);
    return result;
  }

  return {
    complete,
    status(): ModelStatus {
      const status: ModelStatus = { model: info, state: 'ready', activeRequests: active };
      const tokensPerSecond = speed.value();
      if (tokensPerSecond !== undefined) status.tokensPerSecond = tokensPerSecond;
      return status;
    },
    async close() {},
  };
}

function requestBody(model: string, request: LlmRequest, sampling: LlmResult['sampling']) {
  return {
    model,
    messages: request.messages,
    max_tokens: sampling.maxTokens,
    temperature: sampling.temperature,
    seed: sampling.seed,
    stream: true,
    stream_options: { include_usage: true },
    ...(request.jsonSchema
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'answer', schema: request.jsonSchema, strict: true },
          },
        }
      : {}),
    ...(request.tools?.length
      ? {
          tools: request.tools.map((tool) => ({
            type: 'function',
            function: {
              name: tool.name,
              ...(tool.description ? { description: tool.description } : {}),
              parameters: tool.parameters ?? { type: 'object', properties: {} },
            },
          })),
          ...(request.toolChoice === undefined
            ? {}
            : {
                tool_choice:
                  typeof request.toolChoice === 'string'
                    ? request.toolChoice
                    : { type: 'function', function: { name: request.toolChoice.name } },
              }),
        }
      : {}),
  };
}

function parseJson(text: string, endpoint: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InferenceError(
      'endpoint_failed',
      `${endpoint} returned text that is not valid JSON although a JSON schema was requested: ${text.slice(0, 200)}`,
      'use an endpoint and model that support response_format json_schema (structured outputs).',
    );
  }
}

/** The `data:` events of an SSE stream, parsed as JSON, until `[DONE]`. */
async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamChunk> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') return;
      const parsed: StreamChunk = JSON.parse(data);
      yield parsed;
    }
  }
}
