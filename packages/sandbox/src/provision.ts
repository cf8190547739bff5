import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ProvisionStep, StepStatus } from '@pincer/provision';
import type { Engine } from './engine.ts';
import { buildDefaultImage, defaultImage, imageExists, removeStaleDefaultImages } from './image.ts';
import { findPodman, podmanEnv, podmanPaths } from './podman.ts';

const run = promisify(execFile);
const PACKAGES = ['podman', 'runc', 'debootstrap'];

function usesUserEngine(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DOCKER_HOST) return `DOCKER_HOST=${env.DOCKER_HOST}`;
  if (existsSync('/var/run/docker.sock')) return 'Docker socket /var/run/docker.sock';
  return undefined;
}

function missingTools(): string[] {
  const onPath = (name: string) =>
    ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin', '/sbin'].some((dir) =>
      existsSync(path.join(dir, name)),
    );
  return PACKAGES.filter((name) => !onPath(name) && !(name === 'podman' && findPodman()));
}

/**
 * The container engine: the user's Docker when there is one, else podman, runc and debootstrap
 * from apt (installed here when Pincer runs as root on a Debian-like system).
 */
export function containerEngineStep(env: NodeJS.ProcessEnv = process.env): ProvisionStep {
  const check = async (): Promise<StepStatus> => {
    const user = usesUserEngine(env);
    if (user) return { state: 'external', detail: user };
    const missing = missingTools();
    if (missing.length === 0)
      return { state: 'ready', detail: `podman at ${findPodman()} (Pincer runs its API service)` };
    return {
      state: 'missing',
      detail: `${missing.join(', ')} not installed`,
      fix: `apt-get install -y ${PACKAGES.join(' ')} (shell and python steps run in containers), or set DOCKER_HOST`,
    };
  };
  return {
    id: 'sandbox-engine',
    title: 'Sandbox container engine',
    check,
    async ensure(progress) {
      const missing = missingTools();
      const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
      if (!canApt) return check();
      progress(`apt-get install ${missing.join(' ')}`);
      const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const install = () =>
        run('apt-get', ['install', '-y', '-q', ...PACKAGES], { env: aptEnv, maxBuffer: 64 << 20 });
      await install().catch(async () => {
        progress('apt-get update');
        await run('apt-get', ['update', '-q'], { env: aptEnv, maxBuffer: 64 << 20 });
        await install();
      });
      return check();
    },
  };
}

/**
 * The default sandbox image, built once (about a minute) and kept in the engine; a configured
 * image is only checked.
 */
export function sandboxImageStep(options: {
  connect: () => Promise<Engine>;
  workDir: string;
  image?: string | undefined;
  /** Pincer's podman directory: with no user engine, the check asks the podman CLI (no service start). */
  podmanDir?: string;
  env?: NodeJS.ProcessEnv;
}): ProvisionStep {
  const image = options.image ?? defaultImage();
  const withEngine = async <T>(use: (engine: Engine) => Promise<T>): Promise<T> => {
    const engine = await options.connect();
    try {
      return await use(engine);
    } finally {
      await engine.stop();
    }
  };
  const quickCheck = async (): Promise<StepStatus | undefined> => {
    if (!options.podmanDir || usesUserEngine(options.env ?? process.env) || !findPodman()) return undefined;
    const paths = podmanPaths(options.podmanDir);
    if (!existsSync(paths.containersConf)) return undefined;
    const found = await run('podman', ['image', 'exists', image], { env: podmanEnv(paths) }).then(
      () => true,
      () => false,
    );
    return found
      ? { state: 'ready', detail: `${image} in Pincer's podman (${options.podmanDir})` }
      : undefined;
  };
  return {
    id: 'sandbox-image',
    title: 'Sandbox image',
    check: async () =>
      (await quickCheck()) ??
      withEngine(async (engine): Promise<StepStatus> => {
        if (await imageExists(engine.docker, image))
          return { state: 'ready', detail: `${image} in ${engine.description}` };
        return options.image
          ? {
              state: 'unavailable',
              detail: `${image} (sandbox.image) is not in ${engine.description}`,
              fix: `pull or build ${image}, or remove sandbox.image to use the default image`,
            }
          : { state: 'missing', detail: `${image} not built yet`, fix: 'run `pincer sandbox build-image`' };
      }),
    ensure: (progress) =>
      withEngine(async (engine): Promise<StepStatus> => {
        if (options.image) {
          return {
            state: 'unavailable',
            detail: `${image} is not in ${engine.description}`,
            fix: `pull or build ${image}`,
          };
        }
        await buildDefaultImage({ docker: engine.docker, workDir: options.workDir, progress });
        await removeStaleDefaultImages(engine.docker);
        return { state: 'ready', detail: `${image} in ${engine.description}` };
      }),
  };
}
