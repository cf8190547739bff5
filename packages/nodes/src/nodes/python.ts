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
  sideEffects: 'external',
  config,
  docs: {
    example: `
workflow:
  name: summarize_csv
  steps:
    - name: summary
      type: python
      timeout: 2m
      memory_mb: 1024
      files:
        data.csv: "{{ trigger.csv }}"
      script: |
        import pandas
        frame = pandas.read_csv("/in/data.csv")
        frame.describe().to_csv("/out/summary.csv")
        print(len(frame))
`,
    notes:
      'Python 3 with pandas, requests and pyyaml in the default image. Files written to /out come back ' +
      'as artifacts in `output.files`; see [sandbox.md](sandbox.md) for limits and the network allow-list.',
    minimal: { script: 'print(1)' },
  },
  outputs: ['main'],
  defaults: sandboxDefaults,
  async run(config, context) {
    return runInSandbox('python', ['python3', '-u'], config.script, config, context);
  },
});
