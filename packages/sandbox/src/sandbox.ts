import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { isAlive } from '@pincer/provision';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { attachContainer, type EngineAddress } from './attach.ts';
import type { EgressProxy, EgressRule } from './egress.ts';
import { parseEgressEntry } from './egress.ts';
import { SandboxError } from './errors.ts';
import { SANDBOX_UID } from './image.ts';
import { CappedOutput, demultiplex } from './output.ts';
import { hasSubordinateIds } from './podman.ts';

export const SANDBOX_LABEL = 'pincer.sandbox';
const OWNER_LABEL = 'pincer.owner';

export interface SandboxLimits {
  memoryMb: number;
  cpus: number;
  pids: number;
  /** Size of the /tmp tmpfs. */
  tmpMb: number;
}

export interface SandboxSettings {
  image: string;
  limits: SandboxLimits;
  /** The most a step may ask for (the operator's sandbox.maxMemoryMb, maxCpus, maxPids). */
  maxLimits: Pick<SandboxLimits, 'memoryMb' | 'cpus' | 'pids'>;
  /** Bytes of stdout and of stderr kept per run; the rest is dropped and marked. */
  maxOutputBytes: number;
  /** Bytes of /out files returned per run. */
  maxOutFilesBytes: number;
  /** Number of /out files returned per run. */
  maxOutFiles: number;
  /** Pre-created containers kept ready for runs with default limits and no network or mounts. */
  poolSize: number;
  /** Host paths an admin allows steps to mount read-only (and everything below them). */
  allowedMounts: readonly string[];
}

export type SandboxStatus = 'ok' | 'exit_nonzero' | 'timeout' | 'oom' | 'output_truncated';

export interface SandboxRunRequest {
  runId: string;
  stepName: string;
  /** The interpreter and its arguments; the code file's path is appended. */
  interpreter: readonly string[];
  code: string;
  env?: Record<string, string>;
  /** Files placed under /in (relative names). */
  files?: Record<string, string>;
  timeoutMs: number;
  limits?: Partial<Pick<SandboxLimits, 'memoryMb' | 'cpus' | 'pids'>>;
  /** Hosts the code may reach through the egress proxy (`host`, `host:port`, `*.domain`). */
  allowNetwork?: readonly string[];
  /** Operator's private-address exceptions (nodes.allowPrivateHosts). */
  allowPrivateHosts?: readonly string[];
  /** Host paths mounted read-only at the same path; each must be allowed by the admin. */
  mounts?: readonly string[];
  signal?: AbortSignal;
}

export interface SandboxOutFile {
  /** Path relative to /out. */
  name: string;
  size: number;
  data: Buffer;
}

export interface SandboxRunResult {
  status: SandboxStatus;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr (or /out files) went over their limits. */
  truncated: boolean;
  durationMs: number;
  files: SandboxOutFile[];
  /** /out files not returned because they went over the size limit, or were not regular files. */
  skippedFiles: string[];
  image: string;
}

interface Prepared {
  container: Docker.Container;
  outDir: string;
  /** A pooled container is attached ahead of time too: only start and stdin remain for the run. */
  attached?: net.Socket;
}

interface Shape {
  limits: Pick<SandboxLimits, 'memoryMb' | 'cpus' | 'pids'>;
  /** The run's egress network, or null for none at all. */
  network: string | null;
  mounts: readonly string[];
}

const CODE_DIR = '/in/.pincer';
/** Reads the run's files and environment from stdin, then becomes the code. */
const BOOTSTRAP = `tar -x -m --no-same-permissions -C /in && . ${CODE_DIR}/env && rm -f ${CODE_DIR}/env && exec sh ${CODE_DIR}/run`;

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_NAME = /^(?!\.pincer(\/|$))(?!.*(^|\/)\.\.(\/|$))[^/\0][^\0]*$/;

export class Sandbox {
  private readonly owner = `${os.hostname()}/${process.pid}`;
  private readonly pool: Prepared[] = [];
  private filling = 0;
  private closed = false;
  private readonly pending = new Set<Promise<unknown>>();
  /** Each container in a user namespace of its own (rootful podman with subordinate ids). */
  private userNamespaces = false;

  constructor(
    private readonly docker: Docker,
    private readonly address: EngineAddress,
    readonly settings: SandboxSettings,
    private readonly workDir: string,
    private readonly egress: EgressProxy | undefined,
  ) {}

  /** Removes containers and /out directories left by Pincer processes that are gone, then fills the pool. */
  async start(): Promise<void> {
    await sweepLeftovers(this.docker, this.workDir);
    // Only Pincer (root) may enter: the /out directories below are open to the container's user.
    await mkdir(this.ownDir(), { recursive: true, mode: 0o700 });
    this.userNamespaces = (await isPodman(this.docker)) && hasSubordinateIds();
    this.refill();
  }

  private ownDir(): string {
    return path.join(this.workDir, String(process.pid));
  }

  private defaultShape(): Shape {
    const { memoryMb, cpus, pids } = this.settings.limits;
    return { limits: { memoryMb, cpus, pids }, network: null, mounts: [] };
  }

  private refill(): void {
    while (!this.closed && this.pool.length + this.filling < this.settings.poolSize) {
      this.filling++;
      const created = this.create(this.defaultShape())
        .then(async (prepared) => {
          prepared.attached = await attachContainer(this.address, prepared.container.id).catch(
            () => undefined,
          );
          prepared.attached?.on('error', () => undefined);
          if (this.closed) return this.discard(prepared);
          this.pool.push(prepared);
        })
        .catch(() => undefined)
        .finally(() => {
          this.filling--;
        });
      this.track(created);
    }
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private async create(shape: Shape): Promise<Prepared> {
    const outDir = path.join(this.ownDir(), randomBytes(8).toString('hex'));
    await mkdir(outDir, { recursive: true, mode: 0o700 });
    if (this.userNamespaces) {
      // The container's user is some high host uid chosen by podman: open /out to it. Its parent
      // (this process's directory) is root's alone, so no host user gets in.
      await chmod(outDir, 0o777);
    } else {
      await chown(outDir, SANDBOX_UID, SANDBOX_UID);
    }
    const { tmpMb } = this.settings.limits;
    const memory = Math.round(shape.limits.memoryMb * 1024 * 1024);
    try {
      const container = await this.docker.createContainer({
        Image: this.settings.image,
        User: `${SANDBOX_UID}:${SANDBOX_UID}`,
        WorkingDir: '/tmp',
        Cmd: ['/bin/sh', '-c', BOOTSTRAP],
        Env: ['HOME=/tmp', 'LANG=C.UTF-8', 'PATH=/usr/local/bin:/usr/bin:/bin', 'PYTHONDONTWRITEBYTECODE=1'],
        Labels: { [SANDBOX_LABEL]: '1', [OWNER_LABEL]: this.owner },
        OpenStdin: true,
        StdinOnce: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        HostConfig: {
          NetworkMode: shape.network ?? 'none',
          ReadonlyRootfs: true,
          Tmpfs: {
            '/tmp': `rw,nosuid,nodev,size=${tmpMb}m,mode=1777`,
            '/in': 'rw,nosuid,nodev,noexec,size=16m,mode=1777',
          },
          Binds: [`${outDir}:/out:rw`, ...shape.mounts.map((mount) => `${mount}:${mount}:ro`)],
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          Memory: memory,
          MemorySwap: memory,
          NanoCpus: Math.round(shape.limits.cpus * 1e9),
          PidsLimit: shape.limits.pids,
          Privileged: false,
          IpcMode: 'private',
          // Container uid 1000 is not host uid 1000: a breakout lands on an id nobody uses.
          ...(this.userNamespaces ? { UsernsMode: 'auto' } : {}),
        },
      });
      return { container, outDir };
    } catch (error) {
      await rm(outDir, { recursive: true, force: true });
      throw engineError(error, this.settings.image);
    }
  }

  private discard(prepared: Prepared): Promise<void> {
    prepared.attached?.destroy();
    const removal = Promise.all([
      prepared.container.remove({ force: true, v: true }).catch(() => undefined),
      rm(prepared.outDir, { recursive: true, force: true }),
    ]).then(() => undefined);
    this.track(removal);
    return removal;
  }

  private checkMounts(mounts: readonly string[]): string[] {
    return mounts.map((mount) => {
      let real: string;
      try {
        real = realpathSync(mount);
      } catch {
        throw new SandboxError(
          'sandbox_mount_missing',
          `Mount ${mount} does not exist on the worker's host.`,
        );
      }
      const allowed = this.settings.allowedMounts.some((root) => {
        const relative = path.relative(root, real);
        return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
      });
      if (!allowed) {
        throw new SandboxError(
          'sandbox_mount_denied',
          `Mount ${mount} is not allowed (allowed: ${this.settings.allowedMounts.join(', ') || 'none'}).`,
          'an admin can allow the path with sandbox.mounts in pincer.yaml',
        );
      }
      return real;
    });
  }

  /** A step's limits, its own where it set them; above the operator's maximums is refused. */
  private checkLimits(asked: NonNullable<SandboxRunRequest['limits']>): Shape['limits'] {
    const { limits: defaults, maxLimits } = this.settings;
    const names = {
      memoryMb: ['memory_mb', 'maxMemoryMb'],
      cpus: ['cpus', 'maxCpus'],
      pids: ['pids', 'maxPids'],
    };
    for (const key of ['memoryMb', 'cpus', 'pids'] as const) {
      const value = asked[key];
      if (value !== undefined && value > maxLimits[key]) {
        const [field, setting] = names[key];
        throw new SandboxError(
          'sandbox_limits_exceeded',
          `The step asks for ${field}: ${value}; this installation allows at most ${maxLimits[key]}.`,
          `ask for less, or an operator raises sandbox.${setting} in pincer.yaml`,
        );
      }
    }
    return {
      memoryMb: asked.memoryMb ?? defaults.memoryMb,
      cpus: asked.cpus ?? defaults.cpus,
      pids: asked.pids ?? defaults.pids,
    };
  }

  private egressRules(entries: readonly string[]): EgressRule[] {
    return entries.map((entry) => {
      const rule = parseEgressEntry(entry);
      if (!rule) {
        throw new SandboxError(
          'sandbox_network_invalid',
          `Network allow-list entry "${entry}" is not valid: use host, host:port or *.domain[:port].`,
        );
      }
      return rule;
    });
  }

  async run(request: SandboxRunRequest): Promise<SandboxRunResult> {
    if (this.closed) throw new SandboxError('sandbox_closed', 'The sandbox service is shutting down.');
    const rules = this.egressRules(request.allowNetwork ?? []);
    if (rules.length > 0 && !this.egress) {
      throw new SandboxError(
        'sandbox_network_unavailable',
        'The egress proxy is not running in this worker.',
      );
    }
    const mounts = this.checkMounts(request.mounts ?? []);
    const limits = this.checkLimits(request.limits ?? {});
    // A network of the run's own: containers of other runs are not on it.
    const grant =
      rules.length > 0
        ? await this.egress?.grant(request.runId, rules, request.allowPrivateHosts ?? []).catch((error) => {
            throw engineError(error, this.settings.image);
          })
        : undefined;
    const shape: Shape = { limits, network: grant?.network ?? null, mounts };
    let prepared: Prepared | undefined;
    try {
      const pooled =
        JSON.stringify(shape) === JSON.stringify(this.defaultShape()) ? this.pool.shift() : undefined;
      prepared = pooled ?? (await this.create(shape));
      return await this.execute(prepared, request, grant?.proxyUrl);
    } finally {
      // Never reused: the container and its /out go away, and the pool is refilled, off the
      // step's critical path (creating while this run starts would compete for the engine's locks).
      // The run's network goes once its last container is gone.
      const removal = prepared ? this.discard(prepared) : Promise.resolve();
      if (grant) this.track(removal.then(() => grant.release()));
      this.refill();
    }
  }

  private async execute(
    prepared: Prepared,
    request: SandboxRunRequest,
    proxyUrl: string | undefined,
  ): Promise<SandboxRunResult> {
    const { container, outDir } = prepared;
    const stdout = new CappedOutput(this.settings.maxOutputBytes);
    const stderr = new CappedOutput(this.settings.maxOutputBytes);
    const payload = await buildPayload(request, proxyUrl);
    const started = Date.now();
    let stream: Awaited<ReturnType<typeof attachContainer>>;
    try {
      stream =
        prepared.attached && !prepared.attached.destroyed
          ? prepared.attached
          : await attachContainer(this.address, container.id);
      await container.start();
    } catch (error) {
      throw engineError(error, this.settings.image);
    }
    const drained = demultiplex(stream, stdout, stderr);
    stream.end(payload);
    let ending: 'timeout' | 'cancelled' | undefined;
    const kill = (why: 'timeout' | 'cancelled') => {
      ending ??= why;
      container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
    };
    const timer = setTimeout(() => kill('timeout'), request.timeoutMs);
    const onAbort = () => kill('cancelled');
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) onAbort();
    let exitCode: number | null;
    try {
      exitCode = (await container.wait()).StatusCode ?? null;
    } catch (error) {
      throw engineError(error, this.settings.image);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
    const durationMs = Date.now() - started;
    await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 5000))]);
    stream.destroy();
    if (ending === 'cancelled') {
      throw new SandboxError('sandbox_cancelled', 'The run was cancelled; the container was killed.');
    }
    const out = await collectOutFiles(outDir, this.settings.maxOutFilesBytes, this.settings.maxOutFiles);
    const truncated = stdout.truncated || stderr.truncated || out.skipped.length > 0;
    return {
      status: statusOf(ending, exitCode, truncated),
      exitCode: ending === 'timeout' ? null : exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      truncated,
      durationMs,
      files: out.files,
      skippedFiles: out.skipped,
      image: this.settings.image,
    };
  }

  /** Waits for pending creations and removals, then removes the warm pool. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await Promise.all(this.pool.splice(0).map((prepared) => this.discard(prepared)));
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await rm(this.ownDir(), { recursive: true, force: true });
  }

  /** Resolves once containers of finished runs are removed (tests use it before counting). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

function statusOf(ending: 'timeout' | undefined, exitCode: number | null, truncated: boolean): SandboxStatus {
  if (ending === 'timeout') return 'timeout';
  // podman does not report OOMKilled: a SIGKILL (137) that Pincer did not send is the OOM killer.
  if (exitCode === 137) return 'oom';
  if (exitCode !== 0) return 'exit_nonzero';
  return truncated ? 'output_truncated' : 'ok';
}

async function buildPayload(request: SandboxRunRequest, proxyUrl: string | undefined): Promise<Buffer> {
  const env: Record<string, string> = { ...request.env };
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) {
      throw new SandboxError('sandbox_env_invalid', `Environment variable name "${name}" is not valid.`);
    }
  }
  if (proxyUrl) {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) env[name] = proxyUrl;
  }
  const archive = pack();
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise((resolve) => sink.on('end', resolve));
  archive.pipe(sink);
  const add = (name: string, content: string, mode = 0o644) =>
    archive.entry({ name, mode, uid: SANDBOX_UID, gid: SANDBOX_UID }, content);
  for (const [name, content] of Object.entries(request.files ?? {})) {
    if (!FILE_NAME.test(name) || name.startsWith('/')) {
      throw new SandboxError(
        'sandbox_file_invalid',
        `Input file name "${name}" must be a relative path inside /in.`,
      );
    }
    add(name, content);
  }
  add(
    '.pincer/env',
    Object.entries(env)
      .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
      .join(''),
  );
  add('.pincer/code', request.code);
  add(
    '.pincer/run',
    `cd /tmp && exec ${[...request.interpreter, `${CODE_DIR}/code`].map(shellQuote).join(' ')}\n`,
  );
  archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}

async function collectOutFiles(
  outDir: string,
  limit: number,
  maxFiles: number,
): Promise<{ files: SandboxOutFile[]; skipped: string[] }> {
  const files: SandboxOutFile[] = [];
  const skipped: string[] = [];
  let unlisted = 0;
  let total = 0;
  // Skipped names are listed up to the same count: a million files must not make a huge output.
  const skip = (name: string) => {
    if (skipped.length < Math.max(maxFiles, 1)) skipped.push(name);
    else unlisted++;
  };
  const walk = async (dir: string, prefix: string) => {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries.sort()) {
      const full = path.join(dir, entry);
      const name = prefix ? `${prefix}/${entry}` : entry;
      // lstat: a symlink in /out points into the host's filesystem, never follow it.
      const info = await lstat(full);
      if (info.isDirectory()) await walk(full, name);
      else if (!info.isFile() || total + info.size > limit || files.length >= maxFiles) skip(name);
      else {
        total += info.size;
        files.push({ name, size: info.size, data: await readFile(full) });
      }
    }
  };
  await walk(outDir, '');
  if (unlisted > 0) skipped.push(`… and ${unlisted} more`);
  return { files, skipped };
}

/** Whether the engine is podman (Docker's user namespaces are the daemon's `userns-remap`). */
async function isPodman(docker: Docker): Promise<boolean> {
  const version = await docker.version().catch(() => undefined);
  return (version?.Components ?? []).some((component) => /podman/i.test(component.Name));
}

/** Turns an engine failure into an error that says what to do. */
export function engineError(error: unknown, image: string): SandboxError {
  if (error instanceof SandboxError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/no such image|image not known|not found/i.test(message) && message.includes('image')) {
    return new SandboxError(
      'sandbox_image_missing',
      `The sandbox image ${image} is not in the container engine.`,
      'run `pincer sandbox build-image` (or `npm start`, which builds it), or set sandbox.image in pincer.yaml to an image the engine has',
      { cause: error },
    );
  }
  return new SandboxError(
    'sandbox_engine_unavailable',
    `The container engine failed: ${message.replace(/\s+/g, ' ').slice(0, 300)}.`,
    'check the engine with `pincer doctor`; with podman see .pincer/cache/podman, with Docker check DOCKER_HOST or /var/run/docker.sock',
    { cause: error },
  );
}

/** Removes sandbox containers and /out directories whose Pincer process (on this host) is gone. */
export async function sweepLeftovers(docker: Docker, workDir: string): Promise<number> {
  const host = os.hostname();
  const containers = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [SANDBOX_LABEL] }),
  });
  let removed = 0;
  for (const info of containers) {
    const [ownerHost, ownerPid] = (info.Labels?.[OWNER_LABEL] ?? '').split('/');
    const pid = Number(ownerPid);
    if (ownerHost !== host || !Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    await docker
      .getContainer(info.Id)
      .remove({ force: true, v: true })
      .then(() => removed++)
      .catch(() => undefined);
  }
  const dirs = await readdir(workDir).catch(() => [] as string[]);
  for (const dir of dirs) {
    const pid = Number(dir);
    if (Number.isInteger(pid) && !isAlive(pid))
      await rm(path.join(workDir, dir), { recursive: true, force: true });
  }
  return removed;
}
