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
  config: z.strictObject({
    condition: z
      .unknown()
      .describe(
        'The value that picks the branch, usually a whole {{ expression }}, e.g. "{{ trigger.body.amount > 1000 }}". It is false when empty, 0, null or false (JSONata\'s $boolean), true otherwise.',
      ),
  }),
  outputs: ['true', 'false'],
  defaults: { retry: { maximumAttempts: 1 } },
  pure: conditionBranch,
});
