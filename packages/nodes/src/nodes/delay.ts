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
  sideEffects: 'none',
  config: z
    .strictObject({
      duration: duration
        .optional()
        .describe('How long to wait: "10m", "24h", "1h30m" or milliseconds. Set this or until, not both.'),
      until: z.iso
        .datetime({ offset: true })
        .optional()
        .describe(
          'When to go on: an ISO 8601 date-time with an offset, e.g. "2025-06-01T09:00:00Z", often a {{ expression }}. A time in the past does not wait. Set this or duration, not both.',
        ),
    })
    .refine((config) => (config.duration === undefined) !== (config.until === undefined), {
      message: 'set exactly one of duration (e.g. 10m) or until (an ISO date-time)',
    }),
  docs: {
    example: `
workflow:
  name: follow_up
  steps:
    - name: cool_down
      type: delay
      duration: 2h
    - name: until_send_time
      type: delay
      until: "{{ trigger.send_at }}"
    - name: remind
      type: transform
      value: "{{ 'Reminder for ' & trigger.email }}"
`,
    notes: "Outputs `{ waitedMs }`. The step's `timeout` and `retry` do not apply.",
    minimal: { duration: '10m' },
  },
  outputs: ['main'],
});

export type DelayConfig = z.output<typeof delay.config>;
