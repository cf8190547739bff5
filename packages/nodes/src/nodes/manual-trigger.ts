import { z } from 'zod';
import { defineNode } from '../define.ts';
import { triggerNodeType } from '../kinds.ts';

export const manualTrigger = defineNode({
  type: triggerNodeType('manual'),
  title: 'Manual trigger',
  description: 'Starts the workflow by hand, from the API or the CLI, with the input given at the start.',
  category: 'trigger',
  capability: 'core',
  execution: 'control',
  sideEffects: 'none',
  config: z.strictObject({
    input_schema: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        'JSON Schema of the run input, e.g. { type: object, properties: { name: { type: string } } }, for the form shown before a run. Manual, API, CLI, chat and sub-workflow starts are checked against it; a mismatch is refused before anything runs.',
      ),
  }),
  docs: {
    example: `
workflow:
  name: greet
  triggers:
    - type: manual
      input_schema:
        type: object
        properties:
          name: { type: string }
  steps:
    - name: greet
      type: transform
      value: "{{ 'Hello, ' & trigger.name }}"
`,
    notes: 'The run input is `trigger` in expressions.',
    minimal: {},
  },
  outputs: ['main'],
});

export type ManualTriggerConfig = z.output<typeof manualTrigger.config>;
