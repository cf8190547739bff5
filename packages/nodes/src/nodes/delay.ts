import { z } from 'zod';
import { defineNode } from '../define.ts';
import { duration } from '../duration.ts';

export const delay = defineNode({
  type: 'delay',
  title: 'Delay',
  description: 'Waits for a duration or until a point in time; a durable timer that survives restarts.',
  category: 'logic',
  capability: 'core',
  execution: 'control',
  config: z
    .strictObject({
      /** How long to wait, e.g. 10m or 24h. */
      duration: duration.optional(),
      /** When to go on: an ISO date-time with offset (2025-06-01T09:00:00Z), often a {{ expression }}. */
      until: z.iso.datetime({ offset: true }).optional(),
    })
    .refine((config) => (config.duration === undefined) !== (config.until === undefined), {
      message: 'set exactly one of duration (e.g. 10m) or until (an ISO date-time)',
    }),
  outputs: ['main'],
});

export type DelayConfig = z.output<typeof delay.config>;
