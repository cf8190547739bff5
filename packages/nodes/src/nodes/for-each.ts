import { z } from 'zod';
import { defineNode } from '../define.ts';

export const forEach = defineNode({
  type: 'for_each',
  title: 'For each',
  description: 'Runs one step for every item of a list, a few items at a time.',
  category: 'logic',
  capability: 'core',
  execution: 'control',
  config: z.strictObject({
    /** The list, usually a {{ expression }}; it must resolve to an array. */
    items: z.unknown(),
    /** How many items run at the same time. */
    concurrency: z.int().min(1).max(100).default(4),
    /**
     * The step run for each item. Only `type` is checked here: the compiler validates the rest
     * against that node type's own schema.
     */
    step: z.looseObject({
      type: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a node type such as http_request'),
    }),
  }),
  outputs: ['main'],
});

export type ForEachConfig = z.output<typeof forEach.config>;
