import { z } from 'zod';
import { defineNode } from '../define.ts';
import { conditionBranch } from '../pure.ts';

export const condition = defineNode({
  type: 'condition',
  title: 'Condition',
  description:
    'Goes on through its `true` or `false` port depending on a value, usually a {{ expression }}; the other branch is skipped.',
  category: 'logic',
  capability: 'core',
  execution: 'local',
  sideEffects: 'none',
  config: z.strictObject({
    condition: z
      .unknown()
      .describe(
        'The value that picks the branch, usually a whole {{ expression }}, e.g. "{{ trigger.body.amount > 1000 }}". It is false when empty, 0, null or false (JSONata\'s $boolean), true otherwise.',
      ),
  }),
  docs: {
    example: `
workflow:
  name: big_orders
  steps:
    - name: is_big
      type: condition
      condition: "{{ trigger.amount > 1000 }}"
    - name: flag
      type: transform
      needs: [is_big.true]
      value: "{{ 'Big order: ' & $string(trigger.amount) }}"
    - name: pass
      type: transform
      needs: [is_big.false]
      value: ok
`,
    notes: 'Outputs `{ branch, value }`. Steps that need the port not taken are skipped.',
    minimal: { condition: true },
  },
  outputs: ['true', 'false'],
  defaults: { retry: { maximumAttempts: 1 } },
  pure: conditionBranch,
});
