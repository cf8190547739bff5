import { z } from 'zod';
import { defineNode } from '../define.ts';
import { transformValue } from '../pure.ts';

export const transform = defineNode({
  type: 'transform',
  title: 'Transform',
  description: 'Reshapes data: its output is `value` with every {{ expression }} in it resolved.',
  category: 'data',
  capability: 'core',
  execution: 'local',
  sideEffects: 'none',
  config: z.strictObject({
    value: z
      .unknown()
      .describe(
        'The output: any value, whose strings may hold {{ jsonata }} templates at any depth, e.g. { total: "{{ $sum(steps.fetch.output.body.items.price) }}" }.',
      ),
  }),
  docs: {
    example: `
workflow:
  name: cart_summary
  steps:
    - name: fetch
      type: http_request
      url: https://shop.example.com/api/cart
    - name: summary
      type: transform
      value:
        items: "{{ $count(steps.fetch.output.body.items) }}"
        total: "{{ $sum(steps.fetch.output.body.items.price) }}"
`,
    minimal: { value: { a: 1 } },
  },
  outputs: ['main'],
  // The same value always gives the same output: trying again cannot help.
  defaults: { retry: { maximumAttempts: 1 } },
  pure: transformValue,
});
