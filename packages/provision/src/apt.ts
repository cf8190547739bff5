import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe } from './steps.ts';

const run = promisify(execFile);

/** Another apt run (unattended upgrades, a second install) holds the lock: wait for it instead of failing. */
const LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

/** Whether this process may install Debian packages itself (root on a system with apt-get). */
export function canAptInstall(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0 && existsSync('/usr/bin/apt-get');
}

/**
 * Installs Debian packages with apt-get, running `apt-get update` once and trying again when the
 * first attempt fails (a stale package index). Throws the last apt-get error.
 */
export async function aptInstall(packages: string[], progress: (message: string) => void): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const options = { env, timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 };
  const install = () =>
    run('apt-get', [...LOCK_WAIT, 'install', '-y', '--no-install-recommends', ...packages], options);
  try {
    await install();
  } catch (first) {
    progress(`apt-get install failed (${describe(first).split('\n')[0]}); running apt-get update first`);
    await run('apt-get', [...LOCK_WAIT, 'update'], { ...options, timeout: 10 * 60_000 });
    await install();
  }
}
