import { z } from 'zod';
import { defineNode } from '../define.ts';
import { NodeError } from '../errors.ts';
import { ask, type LlmRunFacts, refuseTruncated, runFacts, samplingFields } from './llm-shared.ts';

const config = z.strictObject({
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
  ...samplingFields({ temperature: 0, maxTokens: 64 }),
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
  sideEffects: 'none',
  config,
  docs: {
    example: `
workflow:
  name: triage
  steps:
    - name: team
      type: llm.classify
      text: "{{ trigger.message }}"
      labels: [billing, bug, question]
    - name: route
      type: switch
      value: "{{ steps.team.output.label }}"
      cases:
        - { name: billing, equals: billing }
        - { name: bug, equals: bug }
`,
    notes: 'The model can only produce one of `labels`; `label` is always one of them.',
    minimal: { text: 'I love it', labels: ['good', 'bad'] },
  },
  outputs: ['main'],
  defaults: { timeoutMs: 300_000, retry: { maximumAttempts: 2 } },
  async run(config, context): Promise<{ label: string } & LlmRunFacts> {
    const instructions = config.instructions ?? 'Classify the text.';
    const result = await ask('llm.classify', context, {
      messages: [
        {
          role: 'system',
          content: `${instructions} Answer with exactly one of these labels: ${config.labels.join(', ')}.`,
        },
        { role: 'user', content: config.text },
      ],
      jsonSchema: { enum: config.labels },
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
