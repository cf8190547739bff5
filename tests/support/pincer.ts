import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@pincer/provision';
import { inject } from 'vitest';
import './provided-context.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The process environment without anything that would point Pincer at another installation. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('PINCER_') || key === 'DATABASE_URL' || key.startsWith('TEMPORAL_')) continue;
    if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}

/** A private data dir and free ports: an installation that cannot collide with another test run. */
export async function isolatedInstall(): Promise<{ dataDir: string; port: number; env: NodeJS.ProcessEnv }> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pincer-e2e-'));
  await chmod(scratch, 0o711);
  const dataDir = path.join(scratch, 'data');
  const port = await freePort();
  const env = {
    ...cleanEnv(),
    PINCER_DATA_DIR: dataDir,
    PINCER_CACHE_DIR: inject('cacheDir'),
    PINCER_PORT: String(port),
    PINCER_WORKER_HEALTH_PORT: String(await freePort()),
    PINCER_GATEWAY_HEALTH_PORT: String(await freePort()),
    PINCER_LLM_WORKER_HEALTH_PORT: String(await freePort()),
    PINCER_POSTGRES_PORT: String(await freePort()),
    PINCER_TEMPORAL_PORT: String(await freePort()),
  };
  return { dataDir, port, env };
}

/** A running command whose output is collected, leading its own process group like a terminal job. */
export class Job {
  readonly child: ChildProcess;
  output = '';
  /** The exit code, or the signal's name when a signal ended the job (npm re-raises SIGINT). */
  readonly exit: Promise<number | string | null>;

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(command, args, {
      cwd: repoRoot,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exit = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve(signal ?? code)));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('job did not start');
    return this.child.pid;
  }

  /** Resolves once `pattern` appears in the output; rejects with the output if the job ends first. */
  async waitFor(pattern: RegExp, timeoutMs = 240_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exit.then(() => {
      exited = true;
    });
    while (Date.now() < deadline) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (exited) break;
      await sleep(200);
    }
    throw new Error(`never saw ${pattern} in the output:\n${this.output.slice(-4000)}`);
  }

  /** Ctrl-C: SIGINT to the whole process group, as a terminal does. */
  interrupt(): void {
    process.kill(-this.pid, 'SIGINT');
  }

  forceKill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

/** Polls until `probe` returns a value other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(250);
  }
  throw new Error(`condition not met in ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}
