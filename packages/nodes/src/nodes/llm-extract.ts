import { z } from 'zod';
import { defineNode } from '../define.ts';
import { NodeError } from '../errors.ts';
import { ask, type LlmRunFacts, refuseTruncated, runFacts, samplingFields } from './llm-shared.ts';

const config = z.strictObject({
  text: z.string().min(1).describe('The text to extract from, e.g. "{{ steps.fetch.output.body }}".'),
  schema: z
    .record(z.string(), z.unknown())
    .refine(
      (schema) => Object.keys(schema).length > 0,
      'give a JSON Schema, e.g. { type: object, properties: ... }',
    )
    .describe(
      'JSON Schema of the data to extract, e.g. { type: object, properties: { name: { type: string } }, required: [name] }. The model can only produce JSON valid for it.',
    ),
  instructions: z
    .string()
    .optional()
    .describe('What to extract, in words, e.g. "the customer\'s name and order number".'),
  ...samplingFields({ temperature: 0, maxTokens: 512 }),
});
export type LlmExtractConfig = z.output<typeof config>;

export const llmExtract = defineNode({
  type: 'llm.extract',
  title: 'LLM extract JSON',
  description:
    'Extracts structured data from text as JSON valid for a JSON Schema (generation is constrained by a grammar); outputs { data }.',
  category: 'ai',
  capability: 'llm',
  execution: 'activity',
  sideEffects: 'none',
  config,
  docs: {
    example: `
workflow:
  name: read_order
  steps:
    - name: order
      type: llm.extract
      text: "{{ trigger.email_body }}"
      instructions: Extract the customer and the order number.
      schema:
        type: object
        properties:
          customer: { type: string }
          order_number: { type: integer }
        required: [customer, order_number]
`,
    notes:
      'Generation is constrained by a grammar built from the schema, so `data` is always JSON valid for it. ' +
      'An answer cut by `max_tokens` fails the step with `llm_output_truncated`.',
    minimal: { text: 'Alice, 30', schema: { type: 'object' } },
  },
  outputs: ['main'],
  defaults: { timeoutMs: 300_000, retry: { maximumAttempts: 2 } },
  async run(config, context): Promise<{ data: unknown } & LlmRunFacts> {
    const instructions =
      config.instructions ?? 'Extract the information the JSON Schema asks for from the text.';
    const result = await ask('llm.extract', context, {
      messages: [
        {
          role: 'system',
          content: `${instructions} Answer with JSON only, valid for this JSON Schema: ${JSON.stringify(config.schema)}`,
        },
        { role: 'user', content: config.text },
      ],
      jsonSchema: config.schema,
      maxTokens: config.max_tokens,
      temperature: config.temperature,
      ...(config.seed === undefined ? {} : { seed: config.seed }),
    });
    refuseTruncated('llm.extract', result);
    if (result.json === undefined) {
      throw new NodeError(
        'llm_invalid_json',
        `llm.extract: the model's answer is not JSON valid for the schema: ${result.text}`,
        {
          retryable: true,
        },
      );
    }
    return { data: result.json, ...runFacts(result) };
  },
});
