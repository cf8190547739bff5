import { z } from 'zod';
import { defineNode } from '../define.ts';

export const respond = defineNode({
  type: 'respond',
  title: 'Respond',
  description: 'Sets the answer of a webhook that waits for its run (respond: when_done).',
  category: 'data',
  capability: 'core',
  execution: 'local',
  config: z.strictObject({
    status: z.int().min(100).max(599).default(200),
    headers: z.record(z.string(), z.string()).default({}),
    /** The answer body; the webhook endpoint encodes it for the caller. */
    body: z.unknown().optional(),
  }),
  outputs: ['main'],
  defaults: { retry: { maximumAttempts: 1 } },
  async run(config): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
    return { status: config.status, headers: config.headers, body: config.body };
  },
});

export type RespondConfig = z.output<typeof respond.config>;
