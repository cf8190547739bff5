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
  config,
  outputs: ['main'],
  defaults: sandboxDefaults,
  async run(config, context) {
    return runInSandbox('shell', ['/bin/bash'], config.command, config, context);
  },
});
