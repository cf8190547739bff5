import { z } from 'zod';
import { defineNode } from '../define.ts';
import { NodeError } from '../errors.ts';
import { classifyMessages } from '../llm-prompts.ts';
import { ask, type LlmRunFacts, refuseTruncated, runFacts, samplingFields } from './llm-shared.ts';

const config = z
  .strictObject({
    text: z.string().min(1).describe('The text to classify, e.g. "{{ trigger.message.text }}".'),
    labels: z
      .array(z.string().min(1))
      .min(2, 'give at least two labels')
      .refine((labels) => new Set(labels).size === labels.length, 'labels must be different from each other')
      .describe('The allowed labels, e.g. [billing, bug, question]; the answer is always one of them.'),
    instructions: z
      .string()
      .optional()
      .describe('How to choose, e.g. "Which team should handle this support request?"'),
    descriptions: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'What each label means, e.g. { billing: "charges, refunds, invoices" }; helps a small model most.',
      ),
    examples: z
      .array(z.strictObject({ text: z.string().min(1), label: z.string().min(1) }))
      .optional()
      .describe(
        'Worked examples, e.g. [{ text: "I was charged twice", label: billing }], shown to the model first.',
      ),
    method: z
      .enum(['likelihood', 'generate'])
      .default('likelihood')
      .describe(
        'likelihood (default): the local model scores every label and the likeliest wins (more accurate, no sampling); generate: the model writes the label.',
      ),
    ...samplingFields({ temperature: 0, maxTokens: 64 }),
  })
  .refine((config) => (config.examples ?? []).every((example) => config.labels.includes(example.label)), {
    message: 'every example must use one of the labels',
    path: ['examples'],
  });
export type LlmClassifyConfig = z.output<typeof config>;

export const llmClassify = defineNode({
  type: 'llm.classify',
  title: 'LLM classify',
  description:
    'Puts text into one of the given labels (the model can only answer with one of them); outputs { label }.',
  category: 'ai',
  capability: 'llm',
  execution: 'activity',
  config,
  outputs: ['main'],
  defaults: { timeoutMs: 300_000, retry: { maximumAttempts: 2 } },
  async run(config, context): Promise<{ label: string } & LlmRunFacts> {
    const instructions = config.instructions ?? 'Classify the text.';
    const result = await ask('llm.classify', context, {
      messages: classifyMessages(instructions, config.labels, config.text, config),
      jsonSchema: { enum: config.labels },
      ...(config.method === 'likelihood' ? { choices: config.labels } : {}),
      maxTokens: config.max_tokens,
      temperature: config.temperature,
      ...(config.seed === undefined ? {} : { seed: config.seed }),
    });
    refuseTruncated('llm.classify', result);
    const label = result.json;
    if (typeof label !== 'string' || !config.labels.includes(label)) {
      throw new NodeError(
        'llm_invalid_label',
        `llm.classify: the model answered ${JSON.stringify(result.text)}, which is not one of ${config.labels.join(', ')}`,
        { retryable: true },
      );
    }
    return { label, ...runFacts(result) };
  },
});
