import { z } from 'zod';
import { defineNode, type LlmMessage } from '../define.ts';
import { NodeError } from '../errors.ts';
import {
  extractionPrompt,
  groundedSchema,
  mergeVerified,
  unverifiedValues,
  verificationRequest,
} from '../llm-prompts.ts';
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
  copy_from_text: z
    .boolean()
    .default(true)
    .describe(
      'Required text and number fields can only take a phrase or number that is in the text (the model picks, it cannot invent); default true. Turn off for values the text does not spell out, e.g. a date in another format.',
    ),
  verify: z
    .enum(['off', 'flag', 'retry'])
    .default('flag')
    .describe(
      'Checks each extracted text and number against the source text: flag (default) lists the ones not in it in `unverified`; retry also asks the model once more for them; off skips the check.',
    ),
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
  async run(config, context): Promise<{ data: unknown; unverified?: string[] } & LlmRunFacts> {
    const instructions =
      config.instructions ?? 'Extract the information the JSON Schema asks for from the text.';
    const messages: LlmMessage[] = [
      { role: 'system', content: extractionPrompt(instructions, config.schema) },
      { role: 'user', content: config.text },
    ];
    const extract = async (conversation: LlmMessage[]) => {
      const result = await ask('llm.extract', context, {
        messages: conversation,
        jsonSchema: config.copy_from_text ? groundedSchema(config.schema, config.text) : config.schema,
        maxTokens: config.max_tokens,
        temperature: config.temperature,
        ...(config.seed === undefined ? {} : { seed: config.seed }),
      });
      refuseTruncated('llm.extract', result);
      if (result.json === undefined) {
        throw new NodeError(
          'llm_invalid_json',
          `llm.extract: the model's answer is not JSON valid for the schema: ${result.text}`,
          { retryable: true },
        );
      }
      return result;
    };
    const result = await extract(messages);
    if (config.verify === 'off') return { data: result.json, ...runFacts(result) };
    let data = result.json;
    let unverified = unverifiedValues(data, config.schema, config.text);
    if (config.verify === 'retry' && unverified.length > 0 && isRecord(data)) {
      const again = await extract([...messages, ...verificationRequest(data, unverified)]);
      const stillUnverified = unverifiedValues(again.json, config.schema, config.text);
      data = mergeVerified(data, again.json, unverified, stillUnverified);
      unverified = unverifiedValues(data, config.schema, config.text);
    }
    return { data, unverified, ...runFacts(result) };
  },
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
