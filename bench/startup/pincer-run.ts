import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '@pincer/provision';
import { answers200, answersHttp, apiHealthIsOk, temporalAnswers } from './probes.ts';
import type { Cleanup, Ports, Scratch } from './scratch.ts';
import { type ExitStatus, TimedProcess, waitForExit } from './timed-process.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

const PROBE_POLL_MS = 100;
const EXIT_POLL_MS = 20;
const SHUTDOWN_TIMEOUT_MS = 90_000;

/** Log lines that end a start-up phase; their arrival times tell where the time goes. */
const STARTUP_MARKERS = {
  prismaChecked: /Prisma client (is up to date|generated)/,
  turboSummary: /Cached:\s+\d+ cached, \d+ total/,
  banner: /^Pincer \S+ — state in /,
  postgresProvisioned: /✓ PostgreSQL \(embedded\)/,
  provisioned: /✓ Temporal CLI/,
  postgresReady: /ready to accept connections/,
  migrated: /✓ database (migrated|schema up to date)/,
  readyLine: /Pincer is ready/,
} satisfies Record<string, RegExp>;

/** What the benchmark polls from outside while Pincer starts, each every PROBE_POLL_MS. */
const STARTUP_PROBES = [
  'temporalAnswers',
  'webAnswers',
  'workerHealthy',
  'gatewayHealthy',
  'healthy',
] as const;
type StartupProbe = (typeof STARTUP_PROBES)[number];

export type StartupMarker = keyof typeof STARTUP_MARKERS | StartupProbe;

/** When, after the SIGINT, each part was gone: `children` is the last of web, worker and gateway. */
export type ShutdownMarker = 'web' | 'worker' | 'gateway' | 'children' | 'temporal' | 'postgres' | 'exit';

export interface StartRun {
  /** Spawn until GET /api/health answers 200 with status "ok". */
  healthyMs: number;
  /** Spawn until the "Pincer is ready" line. */
  readyLineMs: number;
  /** The seconds Pincer itself printed in "ready in Xs" (measured from inside the CLI). */
  reportedReadyS: number | null;
  /** SIGINT to the process group until the command exited. */
  shutdownMs: number;
  exit: ExitStatus;
  /** Marker → ms since spawn, from the arrival of log lines and from the probes. */
  marks: Partial<Record<StartupMarker, number>>;
  /** Marker → ms since the SIGINT, from polling the pids in the process table. */
  shutdownMarks: Partial<Record<ShutdownMarker, number>>;
  /** Turbo's "Cached: x cached, y total" line for `npm start`; a miss means it rebuilt. */
  turbo?: string;
  /** Processes of this installation still alive after the exit (should be none). */
  leftovers: string[];
}

export interface StartOptions {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  scratch: Scratch;
  ports: Ports;
  timeoutMs: number;
  cleanup: Cleanup;
  /** Finds this installation's processes still running after the exit. */
  leftovers: () => string[];
}

function startupProbes(ports: Ports): Record<StartupProbe, () => Promise<boolean>> {
  const local = (port: number, route: string) => `http://127.0.0.1:${port}${route}`;
  return {
    temporalAnswers: () => temporalAnswers(ports.temporal),
    webAnswers: () => answersHttp(local(ports.web, '/api/health')),
    workerHealthy: () => answers200(local(ports.workerHealth, '/health')),
    gatewayHealthy: () => answers200(local(ports.gatewayHealth, '/health')),
    healthy: () => apiHealthIsOk(local(ports.web, '/api/health')),
  };
}

/** Polls `probe` every PROBE_POLL_MS; the ms since spawn at which it first succeeded. */
async function pollUntil(
  job: TimedProcess,
  name: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  while (job.elapsed() < timeoutMs) {
    if (!job.running) throw new Error(`exited before ${name}; last lines:\n${job.tail()}`);
    const attemptStarted = performance.now();
    if (await probe().catch(() => false)) return job.elapsed();
    await sleep(Math.max(0, PROBE_POLL_MS - (performance.now() - attemptStarted)));
  }
  throw new Error(`no ${name} within ${timeoutMs / 1000}s; last lines:\n${job.tail()}`);
}

/** Runs every probe side by side until each has succeeded once. */
async function observeStart(
  job: TimedProcess,
  ports: Ports,
  timeoutMs: number,
): Promise<Partial<Record<StartupProbe, number>>> {
  const probes = startupProbes(ports);
  const marks: Partial<Record<StartupProbe, number>> = {};
  await Promise.all(
    STARTUP_PROBES.map(async (name) => {
      marks[name] = await pollUntil(job, name, probes[name], timeoutMs);
    }),
  );
  return marks;
}

function keysOf<T extends object>(object: T): Extract<keyof T, string>[] {
  return Object.keys(object).filter((key): key is Extract<keyof T, string> => key in object);
}

function logMarks(job: TimedProcess): Partial<Record<StartupMarker, number>> {
  const marks: Partial<Record<StartupMarker, number>> = {};
  for (const name of keysOf(STARTUP_MARKERS)) {
    const line = job.firstLine(STARTUP_MARKERS[name]);
    if (line) marks[name] = line.atMs;
  }
  return marks;
}

function reportedSeconds(job: TimedProcess): number | null {
  const match = job.firstLine(STARTUP_MARKERS.readyLine)?.text.match(/ready in ([\d.]+)s/);
  return match?.[1] ? Number(match[1]) : null;
}

/** name → pid of the services and supervised processes, from dataDir/run/supervisor.json. */
async function processTable(scratch: Scratch): Promise<Record<string, number>> {
  const file = path.join(scratch.dataDir, 'run', 'supervisor.json');
  const table: unknown = JSON.parse(await readFile(file, 'utf8'));
  const pids: Record<string, number> = {};
  if (typeof table !== 'object' || table === null) return pids;
  for (const group of ['services', 'processes']) {
    const entries: unknown = Reflect.get(table, group);
    if (typeof entries !== 'object' || entries === null) continue;
    for (const [name, pid] of Object.entries(entries)) if (typeof pid === 'number') pids[name] = pid;
  }
  return pids;
}

/** Polls the pids until the job exits; ms after `sinceMs` at which each was first seen gone. */
async function watchExits(
  job: TimedProcess,
  pids: Record<string, number>,
  sinceMs: number,
): Promise<Record<string, number>> {
  const goneAt: Record<string, number> = {};
  while (job.running) {
    for (const [name, pid] of Object.entries(pids)) {
      if (goneAt[name] === undefined && !isAlive(pid)) goneAt[name] = job.elapsed() - sinceMs;
    }
    await sleep(EXIT_POLL_MS);
  }
  return goneAt;
}

function shutdownMarks(
  goneAt: Record<string, number>,
  exitMs: number,
): Partial<Record<ShutdownMarker, number>> {
  const web = goneAt.web ?? exitMs;
  const worker = goneAt.worker ?? exitMs;
  const gateway = goneAt.gateway ?? exitMs;
  return {
    web,
    worker,
    gateway,
    children: Math.max(web, worker, gateway),
    temporal: goneAt.temporal ?? exitMs,
    postgres: goneAt.postgres ?? exitMs,
    exit: exitMs,
  };
}

/**
 * Starts Pincer, waits for /api/health to be ok and for the ready line, then stops it like Ctrl-C
 * in a terminal and times the shutdown, process by process.
 */
export async function timeStart(options: StartOptions): Promise<StartRun> {
  const job = new TimedProcess(options.command, options.args, { cwd: repoRoot, env: options.env });
  options.cleanup.trackGroup(job.pid);
  const probed = await observeStart(job, options.ports, options.timeoutMs);
  const healthyMs = probed.healthy;
  if (healthyMs === undefined) throw new Error('the health probe finished without a time');
  const readyLine = await job.waitForLine(STARTUP_MARKERS.readyLine, options.timeoutMs);
  const pids = await processTable(options.scratch);
  const interruptedAt = job.elapsed();
  job.signalGroup('SIGINT');
  const [exit, goneAt] = await Promise.all([
    waitForExit(job, SHUTDOWN_TIMEOUT_MS),
    watchExits(job, pids, interruptedAt),
  ]);
  const shutdownMs = (job.exitedAtMs ?? job.elapsed()) - interruptedAt;
  const turbo = job.firstLine(STARTUP_MARKERS.turboSummary)?.text.match(STARTUP_MARKERS.turboSummary)?.[0];
  return {
    healthyMs,
    readyLineMs: readyLine.atMs,
    reportedReadyS: reportedSeconds(job),
    shutdownMs,
    exit,
    marks: { ...logMarks(job), ...probed },
    shutdownMarks: shutdownMarks(goneAt, shutdownMs),
    ...(turbo ? { turbo } : {}),
    leftovers: options.leftovers(),
  };
}
