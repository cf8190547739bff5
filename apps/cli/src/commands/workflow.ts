import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { endpoints } from '@pincer/api';
import type { PincerConfig } from '@pincer/config';
import { ApiAnswerError, CliError, PincerApi, type SuccessOf } from '../api-client.ts';
import { say } from '../output.ts';
import { parseCommand, required, table, usageError } from './args.ts';

const USAGE = 'pincer workflow import FILE | export NAME [--version N] | list';

async function importWorkflow(api: PincerApi, file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new CliError(`Cannot read ${file} (${code}): give the path of a workflow YAML or JSON file.`);
  }
  const contentType = path.extname(file).toLowerCase() === '.json' ? 'application/json' : 'application/yaml';
  let saved: SuccessOf<typeof endpoints.createWorkflow>;
  try {
    saved = await api.call(endpoints.createWorkflow, { body: text, contentType });
  } catch (error) {
    if (error instanceof ApiAnswerError && error.code === 'workflow_invalid') {
      const count = error.details.length;
      throw new CliError(
        `${file} is not a valid workflow (${count} problem${count === 1 ? '' : 's'}):`,
        1,
        error.details,
      );
    }
    throw error;
  }
  say(
    saved.created
      ? `imported ${saved.name} version ${saved.version}`
      : `${saved.name} is unchanged at version ${saved.version}`,
  );
  for (const hook of saved.triggers.webhooks) {
    say(`  webhook ${hook.key}: ${hook.method} ${hook.url}`);
    if (hook.secret) say(`    secret (shown once): ${hook.secret}  — send it as header X-Pincer-Secret`);
  }
  for (const schedule of saved.triggers.schedules) {
    say(`  schedule: ${schedule.cron} (${schedule.timezone})${schedule.paused ? ', paused' : ''}`);
  }
  return 0;
}

async function exportWorkflow(api: PincerApi, name: string, version: string | undefined): Promise<number> {
  if (version !== undefined && !/^[1-9]\d*$/.test(version))
    throw usageError(`--version must be a positive integer, not "${version}".`);
  const response = await api.send(endpoints.getWorkflow, {
    params: { name },
    query: { format: 'yaml', version },
  });
  process.stdout.write(await response.text());
  return 0;
}

async function listWorkflows(api: PincerApi): Promise<number> {
  const { workflows } = await api.call(endpoints.listWorkflows);
  if (workflows.length === 0) {
    say('no workflows yet: import one with `pincer workflow import FILE`');
    return 0;
  }
  const rows = workflows.map((workflow) => [
    workflow.name,
    String(workflow.latestVersion ?? '-'),
    workflow.lastRun ? `${workflow.lastRun.status} ${workflow.lastRun.createdAt}` : '-',
    workflow.description ?? '',
  ]);
  say(table(['NAME', 'VERSION', 'LAST RUN', 'DESCRIPTION'], rows));
  return 0;
}

/** `pincer workflow import|export|list`: definitions on the running instance. */
export async function workflow(config: PincerConfig, args: string[]): Promise<number> {
  const { positionals, values } = parseCommand(args, { version: { type: 'string' } }, USAGE);
  const [action] = positionals;
  const api = new PincerApi(config);
  switch (action) {
    case 'import':
      return importWorkflow(api, required(positionals, 1, 'FILE', USAGE));
    case 'export':
      return exportWorkflow(api, required(positionals, 1, 'NAME', USAGE), values.version);
    case 'list':
      return listWorkflows(api);
    default:
      throw usageError(`${action ? `unknown action "${action}"` : 'missing action'}. Usage: ${USAGE}`);
  }
}
