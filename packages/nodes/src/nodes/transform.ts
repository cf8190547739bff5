import { z } from 'zod';
import { defineNode } from '../define.ts';

export const transform = defineNode({
  type: 'transform',
  title: 'Transform',
  description: 'Reshapes data: its output is `value` with every {{ expression }} in it resolved.',
  category: 'data',
  capability: 'core',
  execution: 'local',
  config: z.strictObject({
    /** Any value; strings, objects and arrays may hold {{ jsonata }} templates. */
    value: z.unknown(),
  }),
  outputs: ['main'],
  // The same value always gives the same output: trying again cannot help.
  defaults: { retry: { maximumAttempts: 1 } },
  async run(config) {
    return config.value;
  },
});
