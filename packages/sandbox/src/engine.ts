import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import type { EngineAddress } from './attach.ts';
import { SandboxError } from './errors.ts';
import { pingSocket, startPodmanService } from './podman.ts';

export interface Engine {
  docker: Docker;
  address: EngineAddress;
  /** e.g. "DOCKER_HOST=tcp://…", "Docker socket /var/run/docker.sock", "podman service (Pincer's)". */
  description: string;
  /** Stops what Pincer started (its podman service); a user's engine is left alone. */
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Where Pincer's own podman keeps its configuration, storage and sockets. */
  podmanDir: string;
  /** The environment to read DOCKER_HOST from (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  onLog?: (line: string) => void;
}

const DOCKER_SOCKET = '/var/run/docker.sock';

function fromDockerHost(dockerHost: string): EngineAddress {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375) };
}

/**
 * The container engine to use: DOCKER_HOST when set, else Docker's socket when it answers, else a
 * podman API service that Pincer starts itself with its private configuration.
 */
export async function connectEngine(options: EngineOptions): Promise<Engine> {
  const env = options.env ?? process.env;
  const dockerHost = env.DOCKER_HOST;
  let address: EngineAddress | undefined;
  let description = '';
  if (dockerHost) {
    address = fromDockerHost(dockerHost);
    description = `DOCKER_HOST=${dockerHost}`;
  } else if (existsSync(DOCKER_SOCKET) && (await pingSocket(DOCKER_SOCKET))) {
    address = { socketPath: DOCKER_SOCKET };
    description = `Docker socket ${DOCKER_SOCKET}`;
  }
  if (address) {
    const docker = new Docker(address);
    await docker.ping().catch((error: unknown) => {
      throw new SandboxError(
        'sandbox_engine_unavailable',
        `The container engine at ${description} does not answer: ${error instanceof Error ? error.message : String(error)}.`,
        'start the engine, or unset DOCKER_HOST to let Pincer run its own podman',
      );
    });
    return { docker, address, description, stop: async () => undefined };
  }
  const service = await startPodmanService({
    dir: options.podmanDir,
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  return {
    docker: new Docker({ socketPath: service.socketPath }),
    address: { socketPath: service.socketPath },
    description: `podman service (Pincer's, ${options.podmanDir})`,
    stop: service.stop,
  };
}
