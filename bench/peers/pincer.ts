/**
 * Pincer, as a user runs it: `npm start` (the embedded PostgreSQL and file-backed Temporal, the
 * supervised web server, worker and gateway) on a fresh data directory, and the workflow imported
 * with the CLI, which prints the webhook's URL and secret.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Cleanup, Ports, Scratch } from '../startup/scratch.ts';
import { pincerEnv } from '../startup/scratch.ts';
import { TimedProcess, waitForExit } from '../startup/timed-process.ts';
import { PINCER_WORKFLOW } from './workload.ts';

const run = promisify(execFile);

export interface RunningPincer {
  url: string;
  headers: Record<string, string>;
  pid: number;
  stop(): Promise<void>;
}

export async function startPincer(
  repoRoot: string,
  scratch: Scratch,
  ports: Ports,
  cleanup: Cleanup,
): Promise<RunningPincer> {
  // The checkout's download cache (Temporal CLI, model, sandbox image): provisioned once, shared.
  const env = pincerEnv(scratch, ports, { PINCER_CACHE_DIR: path.join(repoRoot, '.pincer', 'cache') });
  const job = new TimedProcess('npm', ['start'], { cwd: repoRoot, env });
  cleanup.trackGroup(job.pid);
  await job.waitForLine(/Pincer is ready/, 15 * 60_000);
  const file = path.join(scratch.root, 'peers_double.yaml');
  await writeFile(file, PINCER_WORKFLOW);
  const { stdout } = await run(
    process.execPath,
    [path.join('apps', 'cli', 'bin', 'pincer.mjs'), 'workflow', 'import', file],
    { cwd: repoRoot, env },
  );
  const url = stdout.match(/webhook double: POST (\S+)/)?.[1];
  const secret = stdout.match(/secret \(shown once\): (\S+)/)?.[1];
  if (!url || !secret) throw new Error(`the CLI printed no webhook URL and secret:\n${stdout}`);
  return {
    url: `http://127.0.0.1:${ports.web}${new URL(url).pathname}`,
    headers: { 'x-pincer-secret': secret },
    pid: job.pid,
    async stop() {
      job.signalGroup('SIGINT');
      await waitForExit(job, 90_000);
    },
  };
}
