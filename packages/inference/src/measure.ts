import { randomInt } from 'node:crypto';
import type { LlmRequest, LlmResult, ModelInfo } from '@pincer/nodes';

export const DEFAULT_TEMPERATURE = 0.7;

/** The sampling a request runs with; a seed is always chosen and recorded, so a run can be replayed. */
export function resolveSampling(request: LlmRequest, defaultMaxTokens: number): LlmResult['sampling'] {
  return {
    temperature: request.temperature ?? DEFAULT_TEMPERATURE,
    seed: request.seed ?? randomInt(0, 2 ** 31 - 1),
    maxTokens: request.maxTokens ?? defaultMaxTokens,
  };
}

export interface Measured {
  /** performance.now() when the request arrived. */
  started: number;
  firstToken: number | undefined;
  completionTokens: number;
}

/** Builds the result with its timings: time to first token from arrival, tokens/s over the generation. */
export function measureCompletion(input: {
  text: string;
  finishReason: LlmResult['finishReason'];
  info: ModelInfo;
  sampling: LlmResult['sampling'];
  measured: Measured;
  promptTokens: number;
  evaluatedPromptTokens?: number;
}): LlmResult {
  const end = performance.now();
  const { started, firstToken, completionTokens } = input.measured;
  const totalMs = end - started;
  // The first token's own time is part of the TTFT; the rate counts the ones after it.
  const generationMs = firstToken === undefined ? 0 : end - firstToken;
  const tokensPerSecond =
    completionTokens > 1 && generationMs > 0
      ? (completionTokens - 1) / (generationMs / 1000)
      : completionTokens > 0 && totalMs > 0
        ? completionTokens / (totalMs / 1000)
        : 0;
  const usage: LlmResult['usage'] = { promptTokens: input.promptTokens, completionTokens };
  if (input.evaluatedPromptTokens !== undefined) usage.evaluatedPromptTokens = input.evaluatedPromptTokens;
  return {
    text: input.text,
    finishReason: input.finishReason,
    model: input.info,
    sampling: input.sampling,
    usage,
    timings: {
      firstTokenMs: round(firstToken === undefined ? totalMs : firstToken - started),
      totalMs: round(totalMs),
      tokensPerSecond: round(tokensPerSecond),
    },
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Tokens/s over recent requests, weighted by their token counts, for the Models page. */
export class SpeedAverage {
  private readonly recent: { rate: number; tokens: number }[] = [];
  constructor(private readonly window = 20) {}

  add(rate: number, tokens: number): void {
    if (tokens <= 1 || rate <= 0) return;
    this.recent.push({ rate, tokens });
    if (this.recent.length > this.window) this.recent.shift();
  }

  value(): number | undefined {
    const tokens = this.recent.reduce((sum, entry) => sum + entry.tokens, 0);
    if (tokens === 0) return undefined;
    return round(this.recent.reduce((sum, entry) => sum + entry.rate * entry.tokens, 0) / tokens);
  }
}
