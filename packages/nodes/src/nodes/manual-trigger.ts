import { z } from 'zod';
import { defineNode } from '../define.ts';

export const manualTrigger = defineNode({
  type: 'manual_trigger',
  title: 'Manual trigger',
  description: 'Starts the workflow by hand, from the API or the CLI, with the input given at the start.',
  category: 'trigger',
  capability: 'core',
  execution: 'control',
  config: z.strictObject({
    input_schema: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        'JSON Schema of the run input, e.g. { type: object, properties: { name: { type: string } } }, for the form shown before a run. Manual, API, CLI, chat and sub-workflow starts are checked against it; a mismatch is refused before anything runs.',
      ),
  }),
  outputs: ['main'],
});

export type ManualTriggerConfig = z.output<typeof manualTrigger.config>;
