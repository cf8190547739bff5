import { z } from 'zod';
import type { LlmResult, NodeContext } from '../define.ts';
import { defineNode } from '../define.ts';
import { limitWords } from '../llm-prompts.ts';
import { ask, type LlmRunFacts, runFacts, samplingFields } from './llm-shared.ts';

const config = z.strictObject({
  text: z
    .string()
    .min(1)
    .describe('The text to summarize; long text is summarized in chunks, then as a whole.'),
  max_words: z
    .int()
    .min(5)
    .max(1000)
    .default(60)
    .describe(
      'The longest the summary may be, in words (default 60): a longer answer is cut at the last sentence end within it.',
    ),
  chunk_chars: z
    .int()
    .min(500)
    .max(200_000)
    .default(3000)
    .describe(
      "Text longer than this many characters is cut into chunks of at most this size at paragraph or sentence ends (default 3000, which fits the default model's context).",
    ),
  ...samplingFields({ temperature: 0.2, maxTokens: 256 }),
});
export type LlmSummarizeConfig = z.output<typeof config>;

/** Rounds of chunk-and-summarize before the last summary is taken as it is. */
const MAX_ROUNDS = 4;

export const llmSummarize = defineNode({
  type: 'llm.summarize',
  title: 'LLM summarize',
  description:
    'Turns long text into a short TL;DR: chunks are summarized side by side, then their summaries together; outputs { summary, chunks }.',
  category: 'ai',
  capability: 'llm',
  execution: 'activity',
  sideEffects: 'none',
  config,
  docs: {
    example: `
workflow:
  name: tldr
  steps:
    - name: fetch
      type: http_request
      url: https://example.com/report
      response_type: text
    - name: summary
      type: llm.summarize
      text: "{{ steps.fetch.output.body }}"
      max_words: 50
`,
    notes:
      'Text longer than `chunk_chars` is cut at paragraph or sentence ends; the chunks are summarized side by ' +
      'side (one batch on the local model), then their summaries together. `chunks` says how many there were.',
    minimal: { text: 'A long text.' },
  },
  outputs: ['main'],
  defaults: { timeoutMs: 600_000, retry: { maximumAttempts: 2 } },
  async run(config, context): Promise<{ summary: string; chunks: number; cut: boolean } & LlmRunFacts> {
    let text = config.text;
    let chunkCount = 1;
    const results: LlmResult[] = [];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const chunks = splitIntoChunks(text, config.chunk_chars);
      if (round === 0) chunkCount = chunks.length;
      if (chunks.length === 1) break;
      // The chunks go to the model at once: it evaluates them side by side in one batch.
      const partial = await Promise.all(
        chunks.map((chunk) => summarize(chunk, Math.max(20, config.max_words), config, context)),
      );
      results.push(...partial);
      text = partial.map((result) => result.text.trim()).join('\n\n');
    }
    const final = await summarize(text, config.max_words, config, context);
    results.push(final);
    const facts = runFacts(final);
    facts.usage = {
      prompt_tokens: sum(results.map((result) => result.usage.promptTokens)),
      completion_tokens: sum(results.map((result) => result.usage.completionTokens)),
    };
    const { text: summary, cut } = limitWords(final.text, config.max_words);
    return { summary, chunks: chunkCount, cut, ...facts };
  },
});

function summarize(
  text: string,
  maxWords: number,
  config: LlmSummarizeConfig,
  context: NodeContext,
): Promise<LlmResult> {
  return ask('llm.summarize', context, {
    messages: [
      {
        role: 'system',
        content: `Summarize the text the user gives in at most ${maxWords} words (${sentencesFor(maxWords)}). Keep names, numbers and decisions. Answer with the summary only.`,
      },
      { role: 'user', content: text },
    ],
    maxTokens: config.max_tokens,
    temperature: config.temperature,
    ...(config.seed === undefined ? {} : { seed: config.seed }),
  });
}

/** A length a small model can aim for: it counts sentences better than words. */
function sentencesFor(maxWords: number): string {
  const sentences = Math.max(1, Math.floor(maxWords / 20));
  return sentences === 1 ? 'one short sentence' : `${sentences} short sentences`;
}

/** Cuts text into pieces of at most `size` characters, preferring paragraph, then sentence, then word ends. */
export function splitIntoChunks(text: string, size: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > size) {
    const window = rest.slice(0, size);
    const cut =
      lastBreak(window, /\n\s*\n/g, size / 2) ??
      lastBreak(window, /[.!?]["')\]]?\s/g, size / 2) ??
      lastBreak(window, /\s/g, size / 2) ??
      size;
    chunks.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) chunks.push(rest);
  return chunks;
}

/** The end of the last match of `pattern` in `window` that is past `minimum`, if any. */
function lastBreak(window: string, pattern: RegExp, minimum: number): number | undefined {
  let found: number | undefined;
  for (const match of window.matchAll(pattern)) {
    const end = match.index + match[0].length;
    if (end >= minimum) found = end;
  }
  return found;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
