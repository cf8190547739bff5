import { z } from 'zod';
import type { InferenceService, LlmRequest, LlmResult, NodeContext } from '../define.ts';
import { NodeError } from '../errors.ts';

/** Fields every llm node shares: how the answer is sampled. */
export const samplingFields = (defaults: { temperature: number; maxTokens: number }) => ({
  max_tokens: z
    .int()
    .min(1)
    .max(32768)
    .default(defaults.maxTokens)
    .describe(`The longest answer, in tokens (default ${defaults.maxTokens}).`),
  temperature: z
    .number()
    .min(0)
    .max(2)
    .default(defaults.temperature)
    .describe(
      `Randomness of the answer: 0 always picks the likeliest token (default ${defaults.temperature}).`,
    ),
  seed: z
    .int()
    .min(0)
    .optional()
    .describe('Random seed; the one used is recorded in the output either way, so a run can be replayed.'),
});

/** What every llm node outputs besides its answer: enough to reproduce the step and judge its speed. */
export interface LlmRunFacts {
  finish_reason: LlmResult['finishReason'];
  model: { name: string; provider: string; sha256: string | null };
  sampling: { temperature: number; seed: number; max_tokens: number; repeat_penalty?: number };
  usage: { prompt_tokens: number; completion_tokens: number };
  timings: { first_token_ms: number; total_ms: number; tokens_per_second: number };
}

export function runFacts(result: LlmResult): LlmRunFacts {
  return {
    finish_reason: result.finishReason,
    model: { name: result.model.name, provider: result.model.provider, sha256: result.model.sha256 ?? null },
    sampling: {
      temperature: result.sampling.temperature,
      seed: result.sampling.seed,
      max_tokens: result.sampling.maxTokens,
      ...(result.sampling.repeatPenalty === undefined
        ? {}
        : { repeat_penalty: result.sampling.repeatPenalty }),
    },
    usage: { prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens },
    timings: {
      first_token_ms: result.timings.firstTokenMs,
      total_ms: result.timings.totalMs,
      tokens_per_second: result.timings.tokensPerSecond,
    },
  };
}

function inferenceOf(type: string, context: NodeContext): InferenceService {
  const inference = context.services.inference;
  if (inference) return inference;
  throw new NodeError(
    'llm_unavailable',
    `${type}: this worker has no language model; run a worker that serves the llm capability (worker.capabilities in pincer.yaml, or PINCER_WORKER_CAPABILITIES, must include llm)`,
    { retryable: false },
  );
}

const HEARTBEAT_MS = 10_000;

/**
 * Sends one request to the worker's model for the step: cancelled with the run, given up at the
 * step's timeout, heart-beating while it waits or generates. Failures become NodeErrors with
 * stable `llm_*` codes.
 */
export async function ask(type: string, context: NodeContext, request: LlmRequest): Promise<LlmResult> {
  const inference = inferenceOf(type, context);
  const beat = setInterval(() => context.heartbeat(), HEARTBEAT_MS);
  let result: LlmResult;
  try {
    result = await inference.complete({ ...request, signal: context.signal, timeoutMs: context.timeoutMs });
  } catch (error) {
    throw asNodeError(type, inference, error);
  } finally {
    clearInterval(beat);
  }
  if (result.finishReason === 'cancelled') {
    throw new NodeError('llm_cancelled', `${type}: the run was cancelled during generation`, {
      retryable: false,
    });
  }
  if (result.finishReason === 'timeout') {
    throw new NodeError(
      'llm_timeout',
      `${type}: no complete answer within the step's timeout (${context.timeoutMs} ms); raise the step's timeout or lower max_tokens`,
      { retryable: true, details: { partial_text: result.text } },
    );
  }
  context.log(`${type} answered`, {
    model: result.model.name,
    completionTokens: result.usage.completionTokens,
    tokensPerSecond: result.timings.tokensPerSecond,
  });
  return result;
}

function asNodeError(type: string, inference: InferenceService, error: unknown): NodeError {
  if (error instanceof NodeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'failed';
  const status = inference.status();
  // Still loading: worth trying again in a moment. A model that failed to load stays failed.
  const retryable = status.state === 'loading' || code === 'endpoint_failed';
  return new NodeError(`llm_${code}`, `${type}: ${message}`, {
    retryable,
    cause: error,
    details: { model: status.model.name, model_state: status.state },
  });
}

/** A step whose answer was cut by max_tokens cannot be parsed: say which knob to turn. */
export function refuseTruncated(type: string, result: LlmResult): void {
  if (result.finishReason === 'length') {
    throw new NodeError(
      'llm_output_truncated',
      `${type}: the answer reached max_tokens (${result.sampling.maxTokens}) before it was complete; raise max_tokens`,
      { retryable: false, details: { partial_text: result.text } },
    );
  }
}
