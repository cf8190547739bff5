import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@pincer/config';
import {
  createSandboxService,
  type Engine,
  SANDBOX_LABEL,
  type SandboxConfig,
  type SandboxService,
} from '@pincer/sandbox';
import Docker from 'dockerode';
import { inject } from 'vitest';

/** The test run's podman (started once by tests/setup/services.ts), as the sandbox's engine. */
export function sharedEngine(): Engine {
  const socketPath = inject('sandboxSocket');
  return {
    docker: new Docker({ socketPath }),
    address: { socketPath },
    description: `test podman ${socketPath}`,
    stop: async () => undefined,
  };
}

/** A sandbox service with the default settings (as `npm start` has them) on the shared engine. */
export async function startTestSandbox(
  overrides: Partial<SandboxConfig> = {},
  workDir?: string,
): Promise<SandboxService> {
  const config = loadConfig({ cwd: os.tmpdir(), env: {} });
  const cacheDir = inject('cacheDir');
  return createSandboxService({
    podmanDir: path.join(cacheDir, 'podman'),
    workDir: workDir ?? (await mkdtemp(path.join(os.tmpdir(), 'pincer-sandbox-'))),
    settings: { ...config.sandbox, ...overrides },
    engine: sharedEngine(),
  });
}

/** Sandbox containers this test process owns, with their state (created, running, exited...). */
export async function ownContainers(): Promise<{ id: string; state: string }[]> {
  const list = await sharedEngine().docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${SANDBOX_LABEL}`, `pincer.owner=${os.hostname()}/${process.pid}`] }),
  });
  return list.map((info) => ({ id: info.Id, state: info.State }));
}
