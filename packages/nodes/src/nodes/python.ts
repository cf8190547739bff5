import { z } from 'zod';
import { defineNode } from '../define.ts';
import { runInSandbox, sandboxDefaults, sandboxFields } from '../sandbox-step.ts';

const config = z.strictObject({
  script: z
    .string()
    .min(1, 'give the Python code to run')
    .describe(
      'Python 3 code (pandas, requests and yaml are installed), run in a fresh container as a non-root user with no network unless `network` allows it. Read inputs from /in or os.environ, print results, write files to /out.',
    ),
  ...sandboxFields,
});
export type PythonConfig = z.output<typeof config>;

export const python = defineNode({
  type: 'python',
  title: 'Python',
  description:
    'Runs a Python 3 script in a locked-down container; outputs { status, exit_code, stdout, stderr, duration_ms, files }.',
  category: 'code',
  capability: 'sandbox',
  execution: 'activity',
  config,
  outputs: ['main'],
  defaults: sandboxDefaults,
  async run(config, context) {
    return runInSandbox('python', ['python3', '-u'], config.script, config, context);
  },
});
