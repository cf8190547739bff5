import type { PincerConfig } from '@pincer/config';
import {
  capabilityChecks,
  describe,
  ProvisionError,
  type ProvisionStep,
  provisioningSteps,
  type StepStatus,
} from '@pincer/provision';
import { bold, say } from '../output.ts';

const MARK: Record<StepStatus['state'], string> = {
  ready: '✓',
  external: '✓',
  missing: '✗',
  unavailable: '✗',
};

async function look(step: ProvisionStep): Promise<StepStatus> {
  try {
    return await step.check();
  } catch (error) {
    if (error instanceof ProvisionError) {
      return { state: 'unavailable', detail: error.message, ...(error.fix ? { fix: error.fix } : {}) };
    }
    return { state: 'unavailable', detail: describe(error) };
  }
}

function report(step: ProvisionStep, status: StepStatus): void {
  say(`  ${MARK[status.state]} ${step.title}: ${status.detail}`);
  if (status.fix && status.state !== 'ready' && status.state !== 'external') say(`      fix: ${status.fix}`);
}

interface HealthBody {
  status: string;
  checks: { name: string; status: string; detail: string; fix?: string }[];
}

async function runningStudio(config: PincerConfig): Promise<HealthBody | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${config.server.port}/api/health`, {
      signal: AbortSignal.timeout(15_000),
    });
    return (await response.json()) as HealthBody;
  } catch {
    return undefined;
  }
}

/** `pincer doctor`: what is provisioned and healthy, and the exact fix for anything that is not. */
export async function doctor(config: PincerConfig): Promise<number> {
  say(bold('Pincer doctor'));
  say(`  ✓ Configuration: ${config.configFile ?? 'defaults (no pincer.yaml)'}; state in ${config.dataDir}`);
  let failures = 0;

  say(bold('Provisioned (needed by `npm start`)'));
  for (const step of provisioningSteps(config)) {
    const status = await look(step);
    report(step, status);
    if (status.state === 'unavailable') failures += 1;
  }

  say(bold('Capabilities (needed by some step types)'));
  for (const step of capabilityChecks(config)) report(step, await look(step));

  say(bold('Running'));
  const health = await runningStudio(config);
  if (!health) {
    say(`  ✗ Pincer is not running at ${config.server.publicUrl}`);
    say('      fix: npm start');
  } else {
    say(`  ${health.status === 'ok' ? '✓' : '✗'} Pincer at ${config.server.publicUrl}: ${health.status}`);
    for (const check of health.checks) {
      say(`    ${check.status === 'up' ? '✓' : '✗'} ${check.name}: ${check.detail}`);
      if (check.status !== 'up' && check.fix) say(`        fix: ${check.fix}`);
    }
  }
  return failures > 0 ? 1 : 0;
}
