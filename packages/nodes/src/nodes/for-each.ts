import { z } from 'zod';
import { defineNode, NODE_TYPE_PATTERN } from '../define.ts';

export const forEach = defineNode({
  type: 'for_each',
  title: 'For each',
  description:
    'Runs one step for every item of a list, a few items at a time; outputs the list of their outputs, in item order.',
  category: 'logic',
  capability: 'core',
  execution: 'control',
  sideEffects: 'none',
  config: z.strictObject({
    items: z
      .unknown()
      .describe(
        'The list to go through, usually a {{ expression }} such as "{{ steps.fetch.output.body.users }}"; it must resolve to a list.',
      ),
    concurrency: z
      .int()
      .min(1)
      .max(100)
      .default(4)
      .describe('How many items run at the same time, 1 to 100.'),
    /** Only `type` is checked here: the compiler validates the rest against that node type's own schema. */
    step: z
      .looseObject({
        type: z
          .string()
          .regex(NODE_TYPE_PATTERN, 'expected a node type such as http_request or llm.chat')
          .describe('The node type run for each item, e.g. http_request.'),
      })
      .describe(
        "The step run for each item: a type and that type's own fields, whose expressions may read item (the item) and index (from 0). It takes no name, needs or when; the for_each step's retry and timeout apply to each item.",
      ),
  }),
  docs: {
    example: `
workflow:
  name: notify_users
  steps:
    - name: users
      type: http_request
      url: https://api.example.com/users
    - name: each_user
      type: for_each
      items: "{{ steps.users.output.body }}"
      concurrency: 5
      step:
        type: http_request
        method: POST
        url: https://api.example.com/notify
        body: { user: "{{ item.id }}", position: "{{ index }}" }
`,
    notes:
      "The step's `retry` and `timeout` apply to each item, with the per-item type's defaults otherwise. " +
      'The first item that fails stops new items from starting; the step fails with `item <index>: <message>` ' +
      'once those under way have ended.',
    minimal: { items: [1, 2], step: { type: 'transform', value: '{{ item }}' } },
  },
  outputs: ['main'],
});

export type ForEachConfig = z.output<typeof forEach.config>;
