import { endpoints } from '@pincer/api';
import type { PincerConfig } from '@pincer/config';
import { PincerApi } from '../api-client.ts';
import { say } from '../output.ts';
import { parseCommand, required, table, usageError } from './args.ts';

const USAGE =
  'pincer runs list [--workflow W] [--status S] [--limit N] | show ID | cancel ID | rerun ID [--from STEP]';

async function listRuns(api: PincerApi, filter: { workflow?: string; status?: string; limit?: string }) {
  const { runs } = await api.call(endpoints.listRuns, { query: filter });
  if (runs.length === 0) {
    say('no runs');
    return 0;
  }
  const rows = runs.map((run) => [
    run.id,
    run.workflow,
    String(run.version),
    run.status,
    run.trigger,
    run.createdAt,
  ]);
  say(table(['ID', 'WORKFLOW', 'VERSION', 'STATUS', 'TRIGGER', 'CREATED'], rows));
  return 0;
}

/** `pincer runs list|show|cancel|rerun`: runs on the running instance. */
export async function runs(config: PincerConfig, args: string[]): Promise<number> {
  const { positionals, values } = parseCommand(
    args,
    {
      workflow: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      from: { type: 'string' },
    },
    USAGE,
  );
  const [action] = positionals;
  const api = new PincerApi(config);
  switch (action) {
    case 'list':
      return listRuns(api, values);
    case 'show': {
      const id = required(positionals, 1, 'the run ID', USAGE);
      say(JSON.stringify(await api.call(endpoints.getRun, { params: { id } }), null, 2));
      return 0;
    }
    case 'cancel': {
      const id = required(positionals, 1, 'the run ID', USAGE);
      await api.call(endpoints.cancelRun, { params: { id } });
      say(`cancelling run ${id}`);
      return 0;
    }
    case 'rerun': {
      const id = required(positionals, 1, 'the run ID', USAGE);
      const started = await api.call(endpoints.rerunRun, {
        params: { id },
        body: values.from ? { fromStep: values.from } : {},
      });
      say(
        values.from
          ? `run ${started.id} started: ${id} again from step "${values.from}", earlier steps' outputs kept`
          : `run ${started.id} started: ${id} again`,
      );
      return 0;
    }
    default:
      throw usageError(`${action ? `unknown action "${action}"` : 'missing action'}. Usage: ${USAGE}`);
  }
}
