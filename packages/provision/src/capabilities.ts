import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PincerConfig } from '@pincer/config';
import { type ChromiumOptions, chromiumStep } from './chromium.ts';
import { modelStep, needsLocalModel } from './model.ts';
import type { ProvisionStep, StepStatus } from './steps.ts';

/**
 * Capabilities that node types need (a model for llm steps, a container engine for shell/python,
 * a browser for browser steps). `pincer doctor` reports them; each feature's own provisioning
 * replaces its `ensure` as it lands.
 */
function lookOnly(id: string, title: string, check: () => Promise<StepStatus>): ProvisionStep {
  return { id, title, check, ensure: check };
}

function firstExisting(candidates: readonly string[]): string | undefined {
  return candidates.find((candidate) => existsSync(candidate));
}

function onPath(name: string): string | undefined {
  return firstExisting((process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, name)));
}

export function sandboxEngineCheck(): ProvisionStep {
  return lookOnly('sandbox-engine', 'Sandbox container engine', async () => {
    const dockerHost = process.env.DOCKER_HOST;
    if (dockerHost) return { state: 'external', detail: `DOCKER_HOST=${dockerHost}` };
    const socket = firstExisting(['/var/run/docker.sock', '/run/podman/podman.sock']);
    if (socket) return { state: 'ready', detail: `Docker API socket ${socket}` };
    const podman = onPath('podman');
    if (podman) return { state: 'ready', detail: `podman at ${podman} (Pincer starts its API service)` };
    return {
      state: 'missing',
      detail: 'no Docker socket and no podman',
      fix: 'apt-get install -y podman (shell and python steps run in containers)',
    };
  });
}

export function browserCheck(options: ChromiumOptions = {}): ProvisionStep {
  const step = chromiumStep(options);
  return lookOnly('browser', 'Chromium', () => step.check());
}

export function capabilityChecks(config: PincerConfig): ProvisionStep[] {
  // A local model is provisioned by `npm start` (and listed with those steps); otherwise it is looked at here.
  return [
    ...(needsLocalModel(config) ? [] : [modelStep(config)]),
    sandboxEngineCheck(),
    browserCheck({ executablePath: config.browser?.executablePath }),
  ];
}
