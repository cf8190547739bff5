import { z } from 'zod';
import { defineNode } from '../define.ts';

export const subWorkflow = defineNode({
  type: 'sub_workflow',
  title: 'Sub-workflow',
  description: 'Runs another workflow as a child run; outputs its result when waiting for it.',
  category: 'logic',
  capability: 'core',
  execution: 'control',
  sideEffects: 'external',
  config: z.strictObject({
    workflow: z
      .string()
      .regex(
        /^[a-z][a-z0-9_-]*$/,
        'expected a workflow name: lowercase letters, digits, _ and -, starting with a letter',
      )
      .describe('The name of the workflow to run, e.g. daily_report.'),
    version: z
      .int()
      .positive()
      .optional()
      .describe(
        'The version of that workflow to run, e.g. 3; when left out, its latest version when the step starts.',
      ),
    input: z
      .unknown()
      .optional()
      .describe("The child run's input, read as trigger in its expressions; may hold {{ expressions }}."),
    wait: z
      .boolean()
      .default(true)
      .describe(
        'true: wait for the child run and output { runId, output }; a failed child fails this step. false: start it and go on at once with { runId }.',
      ),
  }),
  docs: {
    example: `
workflow:
  name: nightly
  steps:
    - name: report
      type: sub_workflow
      workflow: daily_report
      input: { day: "{{ trigger.day }}" }
    - name: headline
      type: transform
      value: "{{ steps.report.output.output.title }}"
`,
    notes:
      "The child is a run of its own (its parent recorded). The step's `timeout` and `retry` do not apply; " +
      'a failed child fails the step with error type `SubWorkflowFailed`.',
    minimal: { workflow: 'daily_report' },
  },
  outputs: ['main'],
});

export type SubWorkflowConfig = z.output<typeof subWorkflow.config>;
