import path from 'node:path';
import type { PincerConfig } from '@pincer/config';
import { consoleReporter, describe, ProvisionError, provision } from '@pincer/provision';
import {
  buildDefaultImage,
  connectEngine,
  containerEngineStep,
  defaultImage,
  removeStaleDefaultImages,
  sandboxImageStep,
} from '@pincer/sandbox';
import { say } from '../output.ts';

function podmanDir(config: PincerConfig): string {
  return path.join(config.cacheDir, 'podman');
}

/** The steps that make shell and python steps work: a container engine and the sandbox image. */
export function sandboxSteps(config: PincerConfig) {
  const dir = podmanDir(config);
  return [
    containerEngineStep(),
    sandboxImageStep({
      connect: () => connectEngine({ podmanDir: dir }),
      workDir: path.join(dir, 'build'),
      image: config.sandbox.image,
      podmanDir: dir,
    }),
  ];
}

/**
 * Provisions the sandbox for `npm start`. A failure does not stop Pincer: everything but shell and
 * python steps works, and those steps say what to fix.
 */
export async function provisionSandbox(config: PincerConfig, log: (line: string) => void): Promise<void> {
  const serves = config.worker.capabilities ?? ['sandbox'];
  if (!serves.includes('sandbox')) return;
  try {
    await provision(sandboxSteps(config), consoleReporter());
  } catch (error) {
    const line = error instanceof ProvisionError ? error.line : describe(error);
    log(`sandbox not ready, shell and python steps will fail until it is: ${line}`);
  }
}

/** `pincer sandbox build-image`: (re)builds the default image, e.g. to pick up security updates. */
export async function sandbox(config: PincerConfig, args: string[]): Promise<number> {
  if (args[0] !== 'build-image') {
    say('Usage: pincer sandbox build-image   (re)build the default sandbox image');
    return 2;
  }
  await provision([containerEngineStep()], consoleReporter());
  const engine = await connectEngine({ podmanDir: podmanDir(config) });
  try {
    say(`Building ${defaultImage()} in ${engine.description}`);
    await buildDefaultImage({
      docker: engine.docker,
      workDir: path.join(podmanDir(config), 'build'),
      progress: (message) => say(`  ${message}`),
    });
    await removeStaleDefaultImages(engine.docker);
    say(
      `Built ${defaultImage()}${config.sandbox.image ? ` (note: sandbox.image is ${config.sandbox.image})` : ''}`,
    );
    return 0;
  } finally {
    await engine.stop();
  }
}
