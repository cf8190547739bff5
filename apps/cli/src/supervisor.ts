import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, stopGroup } from '@pincer/provision';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Answers 200 once the process is ready to serve. */
  healthUrl: string;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A child that stayed up this long is considered healthy again: its next crash restarts fast. */
  stableAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, stableAfterMs: 60_000 };

export type SupervisorEvent =
  | { kind: 'spawned'; name: string; pid: number; restarts: number }
  | { kind: 'exited'; name: string; code: number | null; signal: NodeJS.Signals | null; restartInMs: number }
  | { kind: 'output'; name: string; line: string; stream: 'stdout' | 'stderr' };

interface Managed {
  spec: ProcessSpec;
  child?: ChildProcess;
  restarts: number;
  startedAt: number;
  failuresInARow: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * Runs Pincer's processes as children, each leading its own process group (so Next.js or any
 * grandchild goes down with it), with an IPC channel whose closing tells the child its supervisor
 * is gone. A child that exits without being asked to is restarted with exponential backoff.
 */
export class Supervisor {
  private readonly managed = new Map<string, Managed>();
  private stopping = false;

  constructor(
    private readonly onEvent: (event: SupervisorEvent) => void,
    private readonly backoff: BackoffPolicy = DEFAULT_BACKOFF,
  ) {}

  start(spec: ProcessSpec): void {
    const entry: Managed = { spec, restarts: 0, startedAt: 0, failuresInARow: 0 };
    this.managed.set(spec.name, entry);
    this.spawn(entry);
  }

  /** The pids of the running children by name (for status output and tests). */
  pids(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [name, entry] of this.managed) {
      if (entry.child?.pid !== undefined && entry.child.exitCode === null) result[name] = entry.child.pid;
    }
    return result;
  }

  /** Polls each child's health URL until all answer 200; false if `timeoutMs` passes first. */
  async waitUntilHealthy(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(this.managed.keys());
    while (pending.size > 0 && Date.now() < deadline && !this.stopping) {
      for (const name of [...pending]) {
        const url = this.managed.get(name)?.spec.healthUrl;
        if (url && (await answers(url))) pending.delete(name);
      }
      if (pending.size > 0) await sleep(250);
    }
    return pending.size === 0;
  }

  /** Stops every child: SIGTERM to its group, SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.managed.values()].map(async (entry) => {
        clearTimeout(entry.restartTimer);
        const pid = entry.child?.pid;
        if (pid !== undefined && isAlive(pid)) await stopGroup(pid, 'SIGTERM', graceMs);
      }),
    );
  }

  /** Kills every child group at once (a second Ctrl-C). */
  kill(): void {
    this.stopping = true;
    for (const entry of this.managed.values()) {
      clearTimeout(entry.restartTimer);
      const pid = entry.child?.pid;
      if (pid !== undefined) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  private spawn(entry: Managed): void {
    const { spec } = entry;
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    entry.child = child;
    entry.startedAt = Date.now();
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      if (!source) continue;
      createInterface({ input: source }).on('line', (line) => {
        this.onEvent({ kind: 'output', name: spec.name, line, stream });
      });
    }
    child.on('error', (error) => {
      this.onEvent({
        kind: 'output',
        name: spec.name,
        line: `failed to start: ${error.message}`,
        stream: 'stderr',
      });
    });
    child.on('exit', (code, signal) => this.exited(entry, child, code, signal));
    if (child.pid !== undefined) {
      this.onEvent({ kind: 'spawned', name: spec.name, pid: child.pid, restarts: entry.restarts });
    }
  }

  private exited(
    entry: Managed,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (entry.child !== child) return;
    // The group may still hold grandchildren of the dead child: take them down too.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // group already empty
      }
    }
    if (this.stopping) return;
    const ranFor = Date.now() - entry.startedAt;
    entry.failuresInARow = ranFor >= this.backoff.stableAfterMs ? 1 : entry.failuresInARow + 1;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (entry.failuresInARow - 1));
    this.onEvent({ kind: 'exited', name: entry.spec.name, code, signal, restartInMs: delay });
    entry.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      entry.restarts += 1;
      this.spawn(entry);
    }, delay);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
