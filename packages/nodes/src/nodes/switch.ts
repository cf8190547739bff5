import { z } from 'zod';
import { defineNode, portName } from '../define.ts';

/** Ports every switch has besides its cases, so no case may take their names. */
const RESERVED_PORTS = ['default', 'error'];

/** Structural equality of JSON values: `1` and `"1"` differ, key order does not matter. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => jsonEqual(item, b[i]))
    );
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const switchCase = z.strictObject({
  name: portName
    .refine((name) => !RESERVED_PORTS.includes(name), {
      message: `"default" and "error" are ports every switch has; name the case something else`,
    })
    .describe(
      'The output port taken when this case matches, e.g. premium; snake_case, not default or error.',
    ),
  equals: z
    .unknown()
    .describe(
      'The value to match, compared as JSON without conversion: 1 and "1" differ, key order does not matter.',
    ),
});

export const switchNode = defineNode({
  type: 'switch',
  title: 'Switch',
  description:
    'Goes on through the port of the first case whose `equals` matches `value`, or else through `default`.',
  category: 'logic',
  capability: 'core',
  execution: 'local',
  config: z.strictObject({
    value: z
      .unknown()
      .describe('The value to compare, usually a {{ expression }} such as "{{ trigger.body.plan }}".'),
    cases: z
      .array(switchCase)
      .min(1, 'a switch needs at least one case')
      .superRefine((cases, context) => {
        const seen = new Set<string>();
        for (const [index, { name }] of cases.entries()) {
          if (seen.has(name)) {
            context.addIssue({
              code: 'custom',
              path: [index, 'name'],
              message: `case "${name}" appears twice; case names are output ports and must be unique`,
            });
          }
          seen.add(name);
        }
      })
      .describe(
        'The cases, tried in order. Each name is an output port a later step can need, e.g. needs: [route.premium].',
      ),
  }),
  outputs: (config) => [...config.cases.map((c) => c.name), 'default'],
  defaults: { retry: { maximumAttempts: 1 } },
  pure(config): { branch: string; value: unknown } {
    const match = config.cases.find((c) => jsonEqual(c.equals, config.value));
    return { branch: match?.name ?? 'default', value: config.value };
  },
});
