import path from 'node:path';
import { type EgressProxy, startEgressProxy } from './egress.ts';
import { connectEngine, type Engine } from './engine.ts';
import { SandboxError } from './errors.ts';
import { defaultImage, imageExists } from './image.ts';
import { Sandbox, type SandboxRunRequest, type SandboxRunResult, type SandboxSettings } from './sandbox.ts';

export interface SandboxServiceOptions {
  /** Where Pincer's own podman lives (shared by every Pincer process on this cache). */
  podmanDir: string;
  /** Host directory for the containers' /out directories. */
  workDir: string;
  /** The `sandbox` section of pincer.yaml. */
  settings: SandboxConfig;
  env?: NodeJS.ProcessEnv;
  /** An engine already connected (tests share one); otherwise the service connects its own. */
  engine?: Engine;
  onLog?: (line: string) => void;
}

export interface SandboxConfig {
  image?: string | undefined;
  memoryMb: number;
  cpus: number;
  pids: number;
  maxMemoryMb: number;
  maxCpus: number;
  maxPids: number;
  tmpMb: number;
  maxOutputBytes: number;
  maxOutFilesBytes: number;
  maxOutFiles: number;
  poolSize: number;
  mounts: readonly string[];
}

function toSettings(config: SandboxConfig, image: string): SandboxSettings {
  return {
    image,
    limits: { memoryMb: config.memoryMb, cpus: config.cpus, pids: config.pids, tmpMb: config.tmpMb },
    maxLimits: { memoryMb: config.maxMemoryMb, cpus: config.maxCpus, pids: config.maxPids },
    maxOutputBytes: config.maxOutputBytes,
    maxOutFilesBytes: config.maxOutFilesBytes,
    maxOutFiles: config.maxOutFiles,
    poolSize: config.poolSize,
    allowedMounts: config.mounts,
  };
}

export interface SandboxService {
  run(request: SandboxRunRequest): Promise<SandboxRunResult>;
  /** The engine and image in use, or why there is none. */
  status(): Promise<{ ready: boolean; detail: string }>;
  /** Resolves once finished runs' containers are removed. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

interface Ready {
  engine: Engine;
  ownsEngine: boolean;
  sandbox: Sandbox;
  egress: EgressProxy | undefined;
}

/**
 * The sandbox as nodes use it. It connects to the engine on first need (and again after a
 * failure, so installing podman later needs no restart); every run on a broken engine fails at
 * once with an error that says how to fix it.
 */
export function createSandboxService(options: SandboxServiceOptions): SandboxService {
  const image = options.settings.image ?? defaultImage();
  let ready: Promise<Ready> | undefined;
  let closed = false;

  const connect = async (): Promise<Ready> => {
    const engine =
      options.engine ??
      (await connectEngine({
        podmanDir: options.podmanDir,
        ...(options.env ? { env: options.env } : {}),
        ...(options.onLog ? { onLog: options.onLog } : {}),
      }));
    const ownsEngine = !options.engine;
    try {
      if (!(await imageExists(engine.docker, image))) {
        throw new SandboxError(
          'sandbox_image_missing',
          `The sandbox image ${image} is not in the container engine (${engine.description}).`,
          options.settings.image
            ? `pull or build ${image} in that engine, or remove sandbox.image from pincer.yaml to use the default image`
            : 'run `pincer sandbox build-image` (or `npm start`, which builds it)',
        );
      }
      const egress = await startEgressProxy(engine.docker).catch(() => undefined);
      const sandbox = new Sandbox(
        engine.docker,
        engine.address,
        toSettings(options.settings, image),
        path.resolve(options.workDir),
        egress,
      );
      await sandbox.start();
      return { engine, ownsEngine, sandbox, egress };
    } catch (error) {
      if (ownsEngine) await engine.stop();
      throw error;
    }
  };

  const get = (): Promise<Ready> => {
    if (closed)
      return Promise.reject(new SandboxError('sandbox_closed', 'The sandbox service is shutting down.'));
    if (!ready) {
      ready = connect();
      ready.catch(() => {
        ready = undefined;
      });
    }
    return ready;
  };

  return {
    async run(request) {
      const { sandbox } = await get();
      return sandbox.run(request);
    },
    async status() {
      try {
        const { engine } = await get();
        return { ready: true, detail: `${engine.description}, image ${image}` };
      } catch (error) {
        return { ready: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
    async settle() {
      if (ready) await (await ready.catch(() => undefined))?.sandbox.settle();
    },
    async close() {
      closed = true;
      const current = await ready?.catch(() => undefined);
      if (!current) return;
      await current.sandbox.close();
      await current.egress?.close();
      if (current.ownsEngine) await current.engine.stop();
    },
  };
}
