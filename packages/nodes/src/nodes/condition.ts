import { z } from 'zod';
import { defineNode } from '../define.ts';

/**
 * JSONata's `$boolean()`, so a condition means the same as the same expression inside a template:
 * empty strings, 0, NaN, null, false, empty arrays and empty objects are false; an array is true
 * when any of its items is.
 */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTruthy);
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'function') return false;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return false;
}

export const condition = defineNode({
  type: 'condition',
  title: 'Condition',
  description:
    'Goes on through its `true` or `false` port depending on a value, usually a {{ expression }}; the other branch is skipped.',
  category: 'logic',
  capability: 'core',
  execution: 'local',
  config: z.strictObject({
    condition: z
      .unknown()
      .describe(
        'The value that picks the branch, usually a whole {{ expression }}, e.g. "{{ trigger.body.amount > 1000 }}". It is false when empty, 0, null or false (JSONata\'s $boolean), true otherwise.',
      ),
  }),
  outputs: ['true', 'false'],
  defaults: { retry: { maximumAttempts: 1 } },
  pure(config): { branch: 'true' | 'false'; value: unknown } {
    return { branch: isTruthy(config.condition) ? 'true' : 'false', value: config.condition };
  },
});
