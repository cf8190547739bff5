import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isAlive, stopGroup } from '@pincer/provision';
import { SandboxError } from './errors.ts';

const run = promisify(execFile);

/**
 * Pincer's own podman: a rootful podman API service with private configuration files, so nothing
 * global changes on the machine. Every podman that Pincer starts on one directory shares its
 * storage (images are built once) and its runtime state (podman's locks coordinate them).
 */
export interface PodmanPaths {
  dir: string;
  containersConf: string;
  storageConf: string;
}

export function podmanPaths(dir: string): PodmanPaths {
  return {
    dir,
    containersConf: path.join(dir, 'containers.conf'),
    storageConf: path.join(dir, 'storage.conf'),
  };
}

/** The environment a `podman` command needs to use Pincer's private configuration. */
export function podmanEnv(paths: PodmanPaths): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CONTAINERS_CONF: paths.containersConf,
    CONTAINERS_STORAGE_CONF: paths.storageConf,
  };
}

/**
 * Settings that work on hybrid-cgroup kernels without CAP_SYS_RESOURCE: runc (crun fails there),
 * cgroupfs, a file event log, the overlay driver (vfs costs seconds per container).
 */
export async function writePodmanConfig(paths: PodmanPaths): Promise<void> {
  const { dir } = paths;
  await mkdir(path.join(dir, 'tmp'), { recursive: true });
  await writeFile(
    paths.containersConf,
    [
      '[containers]',
      'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
      '',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${path.join(dir, 'events.log')}"`,
      `tmp_dir = "${path.join(dir, 'tmp')}"`,
      `static_dir = "${path.join(dir, 'storage', 'libpod')}"`,
      `volume_path = "${path.join(dir, 'storage', 'volumes')}"`,
      '',
      '[network]',
      'network_backend = "netavark"',
      `network_config_dir = "${path.join(dir, 'networks')}"`,
      '',
    ].join('\n'),
  );
  await writeFile(
    paths.storageConf,
    [
      '[storage]',
      'driver = "overlay"',
      `graphroot = "${path.join(dir, 'storage')}"`,
      `runroot = "${path.join(dir, 'run')}"`,
      '',
    ].join('\n'),
  );
}

/** The subordinate ids rootful podman takes user namespaces from (`--userns=auto`). */
export const SUBORDINATE_FILES = ['/etc/subuid', '/etc/subgid'];
const SUBORDINATE_ENTRY = 'containers:2147483647:2147483648';

/** Whether rootful podman can give each container a user namespace of its own. */
export function hasSubordinateIds(): boolean {
  return SUBORDINATE_FILES.every((file) => {
    try {
      return /^containers:\d+:\d+$/m.test(readFileSync(file, 'utf8'));
    } catch {
      return false;
    }
  });
}

/**
 * Gives the `containers` user the upper half of the id space in /etc/subuid and /etc/subgid when
 * it has no range yet (as root, like creating the postgres user): podman's own documented
 * default, far from any real user's ids. Without it containers run without user namespaces.
 */
async function ensureSubordinateIds(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (const file of SUBORDINATE_FILES) {
    const content = await readFile(file, 'utf8').catch(() => '');
    if (/^containers:/m.test(content)) continue;
    await writeFile(
      file,
      `${content}${content === '' || content.endsWith('\n') ? '' : '\n'}${SUBORDINATE_ENTRY}\n`,
    ).catch(() => undefined);
  }
}

export function findPodman(): string | undefined {
  return findOnPath('podman');
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/usr/local/bin').split(path.delimiter)) {
    const candidate = path.join(dir || '.', name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface PodmanService {
  socketPath: string;
  pid: number;
  stop(): Promise<void>;
}

/** GET /_ping on a unix socket: true when an engine answers. */
export function pingSocket(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/**
 * Starts `podman system service` on a fresh socket in `dir` and waits until it answers. The
 * service runs until `stop()`; containers it started survive it (the sweeper removes them).
 */
export async function startPodmanService(options: {
  dir: string;
  onLog?: (line: string) => void;
  readyTimeoutMs?: number;
}): Promise<PodmanService> {
  const podman = findPodman();
  if (!podman) {
    throw new SandboxError(
      'sandbox_engine_missing',
      'No container engine: no Docker socket, no DOCKER_HOST and no podman.',
      'install podman (apt-get install -y podman runc), or set DOCKER_HOST to a Docker Engine',
    );
  }
  const paths = podmanPaths(options.dir);
  await writePodmanConfig(paths);
  await ensureSubordinateIds();
  const socketDir = path.join(options.dir, 'sockets');
  await mkdir(socketDir, { recursive: true });
  await stopOrphanedServices(socketDir);
  const name = `podman-${process.pid}-${Date.now().toString(36)}`;
  const socketPath = path.join(socketDir, `${name}.sock`);
  const pidFile = path.join(socketDir, `${name}.pid`);
  const command = [podman, 'system', 'service', '--time=0', `unix://${socketPath}`];
  // The service dies with its owner, even one killed with SIGKILL (setpriv sets the kernel's
  // parent-death signal, kept across exec); the next start's orphan sweep is the fallback.
  const setpriv = findOnPath('setpriv');
  const [file = podman, ...args] = setpriv ? [setpriv, '--pdeathsig', 'SIGTERM', ...command] : command;
  const child: ChildProcess = spawn(file, args, {
    env: podmanEnv(paths),
    // conmon leaves files such as `oom` (a container ran out of memory) in the service's working
    // directory: keep them in ours, not in whatever directory Pincer was started from.
    cwd: socketDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 20) output.shift();
      options.onLog?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const pid = child.pid ?? 0;
  await writeFile(pidFile, `${pid}\n`);
  const stop = async () => {
    if (!exited) await stopGroup(pid, 'SIGTERM', 5000);
    await rm(socketPath, { force: true });
    await rm(pidFile, { force: true });
    await releaseStorageMount(options.dir, socketDir);
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (!(await pingSocket(socketPath))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new SandboxError(
        'sandbox_engine_failed',
        `podman's API service did not start: ${output.slice(-3).join(' | ') || 'no output'}.`,
        `run \`CONTAINERS_CONF=${paths.containersConf} CONTAINERS_STORAGE_CONF=${paths.storageConf} podman info\` to see what podman reports`,
      );
    }
    await sleep(100);
  }
  return { socketPath, pid, stop };
}

/**
 * Stops the podman services of Pincer processes that died without stopping them (a worker killed
 * with SIGKILL): each service's pid file is named after its owner's pid.
 */
async function stopOrphanedServices(socketDir: string): Promise<void> {
  for (const file of await readdir(socketDir)) {
    const owner = Number(file.match(/^podman-(\d+)-[0-9a-z]+\.pid$/)?.[1]);
    if (!owner || isAlive(owner)) continue;
    const pidFile = path.join(socketDir, file);
    const socketPath = pidFile.replace(/\.pid$/, '.sock');
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 0 && isAlive(pid) && commandLine(pid).includes(socketPath))
      await stopGroup(pid, 'SIGTERM', 5000);
    await rm(pidFile, { force: true });
    await rm(socketPath, { force: true });
  }
}

/**
 * podman's overlay driver bind-mounts its `storage/overlay` directory onto itself and leaves the
 * mount behind when its service stops, so the directory (and the checkout holding it) cannot be
 * deleted ("Device or resource busy"). The last service on a storage unmounts it; a mount still in
 * use (a container that outlived the service) stays until the sweeper removes the container.
 */
async function releaseStorageMount(dir: string, socketDir: string): Promise<void> {
  for (const file of await readdir(socketDir).catch(() => [] as string[])) {
    const pid = Number((await readFile(path.join(socketDir, file), 'utf8').catch(() => '')).trim());
    if (file.endsWith('.pid') && pid > 0 && isAlive(pid)) return;
  }
  const overlay = await realpath(path.join(dir, 'storage', 'overlay')).catch(() => undefined);
  if (!overlay || !mountPoints().includes(overlay)) return;
  await run('umount', [overlay]).catch(() => undefined);
}

/** The mount points of this process's mount namespace (octal escapes of /proc decoded). */
function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) =>
      (line.split(' ')[4] ?? '').replace(/\\(\d{3})/g, (_, octal: string) =>
        String.fromCharCode(Number.parseInt(octal, 8)),
      ),
    );
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
