import { z } from 'zod';
import { defineNode } from '../define.ts';
import { runInSandbox, sandboxDefaults, sandboxFields } from '../sandbox-step.ts';

const config = z.strictObject({
  command: z
    .string()
    .min(1, 'give the commands to run')
    .describe(
      'Bash commands, run in a fresh container as a non-root user with no network unless `network` allows it, e.g. "grep -c ERROR /var/log/app.log". Input files are in /in; files written to /out are kept with the run.',
    ),
  ...sandboxFields,
});
export type ShellConfig = z.output<typeof config>;

export const shell = defineNode({
  type: 'shell',
  title: 'Shell',
  description:
    'Runs bash commands in a locked-down container; outputs { status, exit_code, stdout, stderr, duration_ms, files }.',
  category: 'code',
  capability: 'sandbox',
  execution: 'activity',
  sideEffects: 'external',
  config,
  docs: {
    example: `
workflow:
  name: count_errors
  steps:
    - name: errors
      type: shell
      mounts: [/var/log]
      command: grep -c ERROR /var/log/app.log
      fail_on_error: false
    - name: count
      type: transform
      value: "{{ $number(steps.errors.output.stdout) }}"
`,
    notes:
      'Each step runs in a fresh container (non-root, read-only root, no capabilities, memory/CPU/pids ' +
      'limits, no network unless `network` lists hosts); see [sandbox.md](sandbox.md). Statuses: ok, ' +
      'output_truncated, exit_nonzero, timeout, oom; the last three fail the step unless `fail_on_error: false`.',
    minimal: { command: 'echo hi' },
  },
  outputs: ['main'],
  defaults: sandboxDefaults,
  async run(config, context) {
    return runInSandbox('shell', ['/bin/bash'], config.command, config, context);
  },
});
