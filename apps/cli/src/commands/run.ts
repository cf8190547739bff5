import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpoints } from '@pincer/api';
import type { PincerConfig } from '@pincer/config';
import { isFinished } from '@pincer/engine';
import { ApiAnswerError, CliError, PincerApi, type SuccessOf } from '../api-client.ts';
import { say } from '../output.ts';
import { parseCommand, required, usageError } from './args.ts';

const USAGE = 'pincer run NAME [--input JSON|@FILE|-] [--version N] [--wait]';
/** How often to look at a run that outlasted the server's wait limit. */
const POLL_MS = 1000;

/** The JSON of `--input`: given inline, read from a file (`@input.json`) or from stdin (`-`). */
async function readInput(value: string | undefined): Promise<unknown> {
  if (value === undefined) return undefined;
  let source = '--input';
  let json = value;
  if (value === '-') {
    source = 'the input on stdin';
    json = await text(process.stdin);
  } else if (value.startsWith('@')) {
    const file = value.slice(1);
    source = file;
    try {
      json = await readFile(file, 'utf8');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw usageError(`cannot read the input file ${file} (${reason}).`);
    }
  }
  try {
    return JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw usageError(
      `${source} is not valid JSON (${reason}): e.g. --input '{"name": "Ada"}', --input @input.json or --input - to read stdin.`,
    );
  }
}

/** The run as `--wait` prints it: what scripts check, without timings and bookkeeping. */
export function runSummary(run: SuccessOf<typeof endpoints.getRun>) {
  return {
    id: run.id,
    status: run.status,
    output: run.output,
    ...(run.error !== null && run.error !== undefined ? { error: run.error } : {}),
    steps: run.steps.map((step) => ({
      name: step.name,
      ...(step.iteration ? { iteration: step.iteration } : {}),
      status: step.status,
      output: step.output,
      error: step.error,
      attempts: step.attempts,
    })),
  };
}

/** Waits server-side; a run that outlasts the server's limit (504) is followed by polling. */
async function startAndWait(api: PincerApi, name: string, body: object) {
  try {
    const answer = await api.call(endpoints.startRun, { params: { name }, body: { ...body, wait: true } });
    if ('steps' in answer) return answer;
    throw new CliError(`the server started run ${answer.id} without waiting for it: is it an older Pincer?`);
  } catch (error) {
    if (!(error instanceof ApiAnswerError && error.status === 504 && error.runId)) throw error;
    for (;;) {
      const run = await api.call(endpoints.getRun, { params: { id: error.runId } });
      if (isFinished(run.status)) return run;
      await sleep(POLL_MS);
    }
  }
}

/** `pincer run NAME`: starts a run; with --wait prints it as JSON when done and exits 0 only if it succeeded. */
export async function run(config: PincerConfig, args: string[]): Promise<number> {
  const { positionals, values } = parseCommand(
    args,
    { input: { type: 'string' }, version: { type: 'string' }, wait: { type: 'boolean' } },
    USAGE,
  );
  const name = required(positionals, 0, 'the workflow NAME', USAGE);
  if (positionals.length > 1) throw usageError(`unexpected "${positionals[1]}". Usage: ${USAGE}`);
  if (values.version !== undefined && !/^[1-9]\d*$/.test(values.version)) {
    throw usageError(`--version must be a positive integer, not "${values.version}".`);
  }
  const input = await readInput(values.input);
  const body = {
    ...(input !== undefined ? { input } : {}),
    ...(values.version !== undefined ? { version: Number(values.version) } : {}),
  };
  const api = new PincerApi(config);
  if (!values.wait) {
    const started = await api.call(endpoints.startRun, { params: { name }, body });
    say(started.id);
    return 0;
  }
  const finished = await startAndWait(api, name, body);
  say(JSON.stringify(runSummary(finished), null, 2));
  if (finished.status === 'succeeded') return 0;
  throw new CliError(`run ${finished.id} ${finished.status}`, 1);
}
