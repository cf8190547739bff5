import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { SandboxError } from './errors.ts';

/** The user code runs as; the image has it in /etc/passwd with HOME=/tmp. */
export const SANDBOX_UID = 1000;

/**
 * What the default image holds: the tools users expect from a shell or Python step. Changing the
 * recipe changes the tag, so an old cached image is never mistaken for the new one.
 */
const RECIPE = {
  suite: 'bookworm',
  variant: 'minbase',
  packages: [
    'bash',
    'coreutils',
    'grep',
    'sed',
    'gawk',
    'findutils',
    'tar',
    'gzip',
    'curl',
    'ca-certificates',
    'jq',
    'python3-minimal',
    'python3',
    'python3-pandas',
    'python3-requests',
    'python3-yaml',
  ],
  trim: [
    'usr/share/doc',
    'usr/share/man',
    'usr/share/info',
    'usr/share/locale',
    'var/cache/apt',
    'var/lib/apt/lists',
  ],
  revision: 2,
} as const;

/** `localhost/` keeps podman from looking the name up in registries. */
export const DEFAULT_IMAGE_REPOSITORY = 'localhost/pincer-sandbox';

export function defaultImageTag(): string {
  return createHash('sha256').update(JSON.stringify(RECIPE)).digest('hex').slice(0, 12);
}

export function defaultImage(): string {
  return `${DEFAULT_IMAGE_REPOSITORY}:${defaultImageTag()}`;
}

/** The Debian mirror apt uses here (deb822 or one-line sources), else deb.debian.org. */
export function debianMirror(): string {
  const deb822 = '/etc/apt/sources.list.d/debian.sources';
  if (existsSync(deb822)) {
    const uri = readFileSync(deb822, 'utf8').match(/^URIs:\s*(\S+)/m)?.[1];
    if (uri) return uri;
  }
  if (existsSync('/etc/apt/sources.list')) {
    const line = readFileSync('/etc/apt/sources.list', 'utf8').match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m)?.[1];
    if (line) return line;
  }
  return 'http://deb.debian.org/debian';
}

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the default image without a registry: debootstrap a minimal Debian with the recipe's
 * packages from the mirror apt uses, trim it, add the sandbox user and import it into the engine.
 */
export async function buildDefaultImage(options: {
  docker: Docker;
  workDir: string;
  progress: (message: string) => void;
  mirror?: string;
}): Promise<string> {
  const image = defaultImage();
  if (!existsSync('/usr/sbin/debootstrap') && !existsSync('/usr/bin/debootstrap')) {
    throw new SandboxError(
      'sandbox_image_tool_missing',
      `The sandbox image ${image} is not built and debootstrap is missing.`,
      'apt-get install -y debootstrap, or set sandbox.image in pincer.yaml to an image your engine has',
    );
  }
  await mkdir(options.workDir, { recursive: true });
  const scratch = await mkdtemp(path.join(options.workDir, 'rootfs-'));
  const rootfs = path.join(scratch, 'rootfs');
  try {
    const mirror = options.mirror ?? debianMirror();
    options.progress(`debootstrap ${RECIPE.suite} from ${mirror} (about a minute, once)`);
    await runLogged(
      'debootstrap',
      [`--variant=${RECIPE.variant}`, `--include=${RECIPE.packages.join(',')}`, RECIPE.suite, rootfs, mirror],
      options.progress,
    );
    options.progress('trimming docs and caches, adding the sandbox user');
    for (const dir of RECIPE.trim) await rm(path.join(rootfs, dir), { recursive: true, force: true });
    await appendFile(
      path.join(rootfs, 'etc/passwd'),
      `sandbox:x:${SANDBOX_UID}:${SANDBOX_UID}:Pincer sandbox:/tmp:/bin/bash\n`,
    );
    await appendFile(path.join(rootfs, 'etc/group'), `sandbox:x:${SANDBOX_UID}:\n`);
    // No /in or /out: the engine creates the mount points, so the tmpfs mode (1777) applies.
    options.progress(`importing as ${image}`);
    await importRootfs(options.docker, rootfs, image);
    return image;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function runLogged(command: string, args: string[], progress: (message: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let lastReport = 0;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 10) tail.shift();
        // debootstrap prints hundreds of lines: a progress line every few seconds is enough.
        if (Date.now() - lastReport > 5000) {
          lastReport = Date.now();
          progress(line.replace(/^I: /, ''));
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${code}: ${tail.slice(-3).join(' | ')}`));
    });
  });
}

async function importRootfs(docker: Docker, rootfs: string, image: string): Promise<void> {
  const [repo, tag] = image.split(/:(?=[^:/]+$)/);
  const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-c', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stream = await docker.importImage(tar.stdout, {});
  const events = await new Promise<{ status?: string; id?: string }[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: { status?: string; id?: string }[]) =>
      error ? reject(error) : resolve(output),
    );
  });
  // Engines differ in how they name an import (podman ignores repo/tag): tag the result by its id.
  const id = events.map((event) => event.id ?? event.status?.match(/sha256:[0-9a-f]{64}/)?.[0]).find(Boolean);
  if (!id) throw new SandboxError('sandbox_image_import_failed', `Importing ${image} returned no image id.`);
  await docker.getImage(id).tag({ repo: repo ?? image, tag: tag ?? 'latest' });
  if (!(await imageExists(docker, image))) {
    throw new SandboxError('sandbox_image_import_failed', `Importing ${image} did not produce the image.`);
  }
}

/** Removes older default images (other recipe tags) so the cache does not grow with each change. */
export async function removeStaleDefaultImages(docker: Docker): Promise<void> {
  const current = defaultImage();
  const images = await docker.listImages();
  for (const info of images) {
    const tags = (info.RepoTags ?? []).filter((tag) => tag.startsWith(`${DEFAULT_IMAGE_REPOSITORY}:`));
    if (tags.length > 0 && !tags.includes(current)) {
      await docker
        .getImage(info.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
  }
}
