import { z } from 'zod';
import { defineNode } from '../define.ts';

export const manualTrigger = defineNode({
  type: 'manual_trigger',
  title: 'Manual trigger',
  description: 'Starts the workflow from the studio, the CLI or the API, with an optional input form.',
  category: 'trigger',
  capability: 'core',
  execution: 'control',
  config: z.strictObject({
    /** JSON Schema of the run input; the studio renders it as the form shown before a run. */
    input_schema: z.record(z.string(), z.unknown()).default({}),
  }),
  outputs: ['main'],
});

export type ManualTriggerConfig = z.output<typeof manualTrigger.config>;
