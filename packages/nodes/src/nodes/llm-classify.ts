import { z } from 'zod';
import { defineNode, type LlmResult, type NodeContext } from '../define.ts';
import { NodeError } from '../errors.ts';
import { calibratedChoice, channelMessages, classifyMessages, NEUTRAL_TEXT } from '../llm-prompts.ts';
import { ask, type LlmRunFacts, refuseTruncated, runFacts, samplingFields } from './llm-shared.ts';

const fields = z.strictObject({
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
    .array(
      z.strictObject({
        text: z.string().min(1).describe('A text like the ones to classify.'),
        label: z.string().min(1).describe('The label it should get (one of labels).'),
      }),
    )
    .optional()
    .describe(
      'Worked examples, e.g. [{ text: "I was charged twice", label: billing }], shown to the model first.',
    ),
  method: z
    .enum(['calibrated', 'channel', 'likelihood', 'generate'])
    .default('calibrated')
    .describe(
      "likelihood: the local model scores every label and the likeliest wins (no sampling); calibrated (default): the same, less each label's score for an empty text (the prompt's own bias); channel: how likely the text is after each label's description and examples; generate: the model writes the label.",
    ),
  ...samplingFields({ temperature: 0, maxTokens: 64 }),
});
const config = fields.refine(
  (config) => (config.examples ?? []).every((example) => config.labels.includes(example.label)),
  { message: 'every example must use one of the labels', path: ['examples'] },
);
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
    const classify = (text: string) =>
      ask('llm.classify', context, {
        messages: classifyMessages(instructions, config.labels, text, config),
        jsonSchema: { enum: config.labels },
        ...(config.method === 'generate' ? {} : { choices: config.labels }),
        maxTokens: config.max_tokens,
        temperature: config.temperature,
        ...(config.seed === undefined ? {} : { seed: config.seed }),
      });
    if (config.method === 'channel') return channel(config, context);
    const result = await classify(config.text);
    refuseTruncated('llm.classify', result);
    let label = result.json;
    if (config.method === 'calibrated' && result.choiceScores) {
      const neutral = await classify(NEUTRAL_TEXT);
      if (neutral.choiceScores) label = calibratedChoice(result.choiceScores, neutral.choiceScores);
    }
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

/** The label under whose description and examples the text is likeliest. */
async function channel(
  config: LlmClassifyConfig,
  context: NodeContext,
): Promise<{ label: string } & LlmRunFacts> {
  const results = await Promise.all(
    config.labels.map((label) =>
      ask('llm.classify', context, {
        messages: channelMessages(label, config.text, config),
        scoreOnly: true,
      }),
    ),
  );
  let best = 0;
  for (const [index, result] of results.entries()) {
    if (result.logProbability === undefined) {
      throw new NodeError(
        'llm_cannot_score',
        'llm.classify: method channel needs the local model, which can score text; use method generate with an endpoint',
        { retryable: false },
      );
    }
    if (result.logProbability > (results[best]?.logProbability ?? -Infinity)) best = index;
  }
  const label = config.labels[best] as string;
  return { label, ...runFacts(results[best] as LlmResult) };
}
