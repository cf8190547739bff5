import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@pincer/provision';

/** One installation: its own data dir and download cache under a private temporary root. */
export interface Scratch {
  root: string;
  dataDir: string;
  cacheDir: string;
}

export interface Ports {
  web: number;
  workerHealth: number;
  gatewayHealth: number;
  llmWorkerHealth: number;
  postgres: number;
  temporal: number;
}

export async function freePorts(): Promise<Ports> {
  return {
    web: await freePort(),
    workerHealth: await freePort(),
    gatewayHealth: await freePort(),
    llmWorkerHealth: await freePort(),
    postgres: await freePort(),
    temporal: await freePort(),
  };
}

/** The inherited environment minus anything that would point Pincer at another installation. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const foreign = key.startsWith('PINCER_') || key.startsWith('TEMPORAL_') || key === 'DATABASE_URL';
    // The benchmark's own loader flags must not slow down (or speed up) what it measures.
    if (foreign || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}

export function pincerEnv(scratch: Scratch, ports: Ports, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...inheritedEnv(),
    PINCER_DATA_DIR: scratch.dataDir,
    PINCER_CACHE_DIR: scratch.cacheDir,
    PINCER_PORT: String(ports.web),
    PINCER_WORKER_HEALTH_PORT: String(ports.workerHealth),
    PINCER_GATEWAY_HEALTH_PORT: String(ports.gatewayHealth),
    PINCER_LLM_WORKER_HEALTH_PORT: String(ports.llmWorkerHealth),
    PINCER_POSTGRES_PORT: String(ports.postgres),
    PINCER_TEMPORAL_PORT: String(ports.temporal),
    ...extra,
  };
}

/** Every live process whose command line or environment mentions `needle` (a scratch root). */
export function processesMentioning(needle: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (command.includes(needle) || environ.includes(needle)) found.push({ pid, command });
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return found;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Owns every scratch root and process group the benchmark creates, and removes them all at the
 * end, on success, failure or Ctrl-C. Processes are found by their scratch root, so the
 * detached services Pincer starts are caught too, and nobody else's are touched.
 */
export class Cleanup {
  private readonly roots = new Set<string>();
  private readonly groups = new Set<number>();

  async scratch(label: string): Promise<Scratch> {
    const root = await mkdtemp(path.join(os.tmpdir(), `pincer-bench-startup-${label}-`));
    this.roots.add(root);
    // PostgreSQL runs as the `postgres` user when we are root: it must be able to walk down to its cluster.
    await chmod(root, 0o711);
    return { root, dataDir: path.join(root, 'data'), cacheDir: path.join(root, 'cache') };
  }

  trackGroup(pid: number): void {
    this.groups.add(pid);
  }

  /** Kills whatever still runs from `scratch` (there should be nothing) and deletes it. */
  async remove(scratch: Scratch): Promise<void> {
    await this.killProcessesUnder(scratch.root);
    await rm(scratch.root, { recursive: true, force: true });
    this.roots.delete(scratch.root);
  }

  async all(): Promise<void> {
    for (const pid of this.groups) kill(-pid, 'SIGKILL');
    this.groups.clear();
    for (const root of [...this.roots]) {
      await this.killProcessesUnder(root);
      await rm(root, { recursive: true, force: true });
      this.roots.delete(root);
    }
  }

  /** SIGKILLs until nothing mentions `root`; PostgreSQL backends outlive a killed postmaster briefly. */
  private async killProcessesUnder(root: string): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const left = processesMentioning(root);
      if (left.length === 0) return;
      for (const { pid } of left) kill(pid, 'SIGKILL');
      await sleep(100);
    }
  }
}
