import { z } from 'zod';
import { defineNode, portName } from '../define.ts';
import {
  duplicateCaseMessage,
  NO_CASES_MESSAGE,
  RESERVED_PORT_MESSAGE,
  RESERVED_PORTS,
  switchBranch,
} from '../pure.ts';

const switchCase = z.strictObject({
  name: portName
    .refine((name) => !RESERVED_PORTS.includes(name), { message: RESERVED_PORT_MESSAGE })
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
  sideEffects: 'none',
  config: z.strictObject({
    value: z
      .unknown()
      .describe('The value to compare, usually a {{ expression }} such as "{{ trigger.body.plan }}".'),
    cases: z
      .array(switchCase)
      .min(1, NO_CASES_MESSAGE)
      .superRefine((cases, context) => {
        const seen = new Set<string>();
        for (const [index, { name }] of cases.entries()) {
          if (seen.has(name)) {
            context.addIssue({
              code: 'custom',
              path: [index, 'name'],
              message: duplicateCaseMessage(name),
            });
          }
          seen.add(name);
        }
      })
      .describe(
        'The cases, tried in order. Each name is an output port a later step can need, e.g. needs: [route.premium].',
      ),
  }),
  docs: {
    example: `
workflow:
  name: route_by_plan
  steps:
    - name: route
      type: switch
      value: "{{ trigger.plan }}"
      cases:
        - { name: premium, equals: premium }
        - { name: team, equals: team }
    - name: priority
      type: transform
      needs: [route.premium, route.team]
      join: any
      value: priority support
    - name: standard
      type: transform
      needs: [route.default]
      value: standard support
`,
    notes:
      'Its ports are the names of its cases and `default`. Outputs `{ branch, value }`. Steps that need a ' +
      'port not taken are skipped.',
    minimal: { value: 'a', cases: [{ name: 'a', equals: 'a' }] },
  },
  outputs: (config) => [...config.cases.map((c) => c.name), 'default'],
  defaults: { retry: { maximumAttempts: 1 } },
  pure: switchBranch,
});
