import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import './provided-context.ts';
import { repoRoot } from './pincer.ts';

const run = promisify(execFile);

/**
 * A virtualenv with the Python example worker's requirements, cached in .pincer/cache so only
 * the first test run pays for it. Returns its python executable.
 */
export async function pythonWithTemporal(): Promise<string> {
  const requirements = path.join(repoRoot, 'examples/python-worker/requirements.txt');
  const dir = path.join(inject('cacheDir'), 'python', 'temporalio-1.35.0');
  const python = path.join(dir, 'bin', 'python');
  if (existsSync(path.join(dir, '.ready'))) return python;
  const scratch = `${dir}.tmp-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  await run('python3', ['-m', 'venv', scratch]);
  await run(
    path.join(scratch, 'bin', 'pip'),
    ['install', '-q', '--disable-pip-version-check', '-r', requirements],
    {
      timeout: 10 * 60_000,
    },
  );
  await writeFile(path.join(scratch, '.ready'), '');
  await rm(dir, { recursive: true, force: true });
  await rename(scratch, dir);
  return python;
}
