import { endpoints } from '@pincer/api';
import type { PincerConfig } from '@pincer/config';
import { PincerApi } from '../api-client.ts';
import { say } from '../output.ts';
import { parseCommand, required } from './args.ts';

const USAGE = 'pincer approve RUN STEP [--reject] [--comment TEXT]';

/** `pincer approve RUN STEP`: answers a step that waits for approval (--reject to refuse). */
export async function approve(config: PincerConfig, args: string[]): Promise<number> {
  const { positionals, values } = parseCommand(
    args,
    { reject: { type: 'boolean' }, comment: { type: 'string' } },
    USAGE,
  );
  const runId = required(positionals, 0, 'the RUN id', USAGE);
  const step = required(positionals, 1, 'the STEP name', USAGE);
  const approved = !values.reject;
  await new PincerApi(config).call(endpoints.decideApproval, {
    params: { id: runId, step },
    body: { approved, ...(values.comment ? { comment: values.comment } : {}) },
  });
  say(`${approved ? 'approved' : 'rejected'} step ${step} of run ${runId}`);
  return 0;
}
