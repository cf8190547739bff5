import { z } from 'zod';
import { defineNode } from '../define.ts';

export const subWorkflow = defineNode({
  type: 'sub_workflow',
  title: 'Sub-workflow',
  description: 'Runs another workflow as a child run; outputs its result when waiting for it.',
  category: 'logic',
  capability: 'core',
  execution: 'control',
  config: z.strictObject({
    /** The other workflow's name. */
    workflow: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a workflow name: lowercase letters, digits, _ and -'),
    /** A published version; when absent the latest published version at the time of the run. */
    version: z.int().positive().optional(),
    input: z.unknown().optional(),
    /** false: start the child run and go on without waiting for its result. */
    wait: z.boolean().default(true),
  }),
  outputs: ['main'],
});

export type SubWorkflowConfig = z.output<typeof subWorkflow.config>;
