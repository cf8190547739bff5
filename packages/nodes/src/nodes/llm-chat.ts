import { z } from 'zod';
import { defineNode, type LlmMessage } from '../define.ts';
import { HONESTY_INSTRUCTION } from '../llm-prompts.ts';
import { ask, type LlmRunFacts, runFacts, samplingFields } from './llm-shared.ts';

const config = z.strictObject({
  prompt: z.string().min(1).describe('What the user says, e.g. "{{ trigger.message.text }}".'),
  system: z
    .string()
    .optional()
    .describe('Instructions for the assistant, e.g. "You answer in one sentence."'),
  history: z
    .array(
      z.strictObject({
        role: z.enum(['user', 'assistant']).describe('Who said it: user, or assistant (the model).'),
        content: z.string().describe('What that side said, as plain text.'),
      }),
    )
    .default([])
    .describe('Earlier turns of the conversation, oldest first, as { role: user|assistant, content }.'),
  session: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A conversation id (e.g. the chat id): turns with the same session reuse the already evaluated prompt, so long conversations answer faster.',
    ),
  admit_unknown: z
    .boolean()
    .default(true)
    .describe(
      'Tell the model to answer "I don\'t know" rather than invent facts (default true; added to the system prompt).',
    ),
  ...samplingFields({ temperature: 0.7, maxTokens: 512 }),
});
export type LlmChatConfig = z.output<typeof config>;

export const llmChat = defineNode({
  type: 'llm.chat',
  title: 'LLM chat',
  description:
    'Answers a prompt with the language model (local or OpenAI-compatible); outputs { text } with token counts, time to first token and tokens/s.',
  category: 'ai',
  capability: 'llm',
  execution: 'activity',
  sideEffects: 'none',
  config,
  docs: {
    example: `
workflow:
  name: answer
  steps:
    - name: reply
      type: llm.chat
      system: You answer in one short sentence.
      prompt: "{{ trigger.question }}"
      session: "{{ trigger.chat_id }}"
      max_tokens: 200
`,
    notes:
      'Outputs `text` with `finish_reason`, `model` (name, provider, file sha256), `sampling` (temperature, seed, ' +
      'max_tokens: enough to replay the step), `usage` (prompt and completion tokens) and `timings` ' +
      '(first_token_ms, total_ms, tokens_per_second). The model is configured under `llm` in pincer.yaml ' +
      '(see docs/inference.md).',
    minimal: { prompt: 'Hello' },
  },
  outputs: ['main'],
  defaults: { timeoutMs: 300_000, retry: { maximumAttempts: 2 } },
  async run(config, context): Promise<{ text: string } & LlmRunFacts> {
    const messages: LlmMessage[] = [];
    const system = [config.system, config.admit_unknown ? HONESTY_INSTRUCTION : undefined].filter(Boolean);
    if (system.length > 0) messages.push({ role: 'system', content: system.join('\n\n') });
    messages.push(...config.history, { role: 'user', content: config.prompt });
    const result = await ask('llm.chat', context, {
      messages,
      maxTokens: config.max_tokens,
      temperature: config.temperature,
      ...(config.seed === undefined ? {} : { seed: config.seed }),
      ...(config.session ? { sessionKey: config.session } : {}),
    });
    return { text: result.text, ...runFacts(result) };
  },
});
