import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './pincer-run.ts';

const run = promisify(execFile);

/** The stamp scripts/bootstrap.mjs compares before deciding to run `npm ci`. */
async function installIsCurrent(): Promise<boolean> {
  const lock = await readFile(path.join(repoRoot, 'package-lock.json'));
  const wanted = createHash('sha256').update(lock).update(process.version).digest('hex');
  const stamp = await readFile(path.join(repoRoot, 'node_modules', '.pincer-install-stamp'), 'utf8').catch(
    () => '',
  );
  return stamp.trim() === wanted;
}

interface DryRunTask {
  taskId: string;
  command: string;
  status: string;
}

function dryRunTasks(json: unknown): DryRunTask[] {
  const tasks: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'tasks') : undefined;
  if (!Array.isArray(tasks)) throw new Error('turbo --dry=json printed no task list');
  return tasks.map((task: unknown) => {
    const field = (name: string) =>
      typeof task === 'object' && task !== null ? Reflect.get(task, name) : undefined;
    const cache: unknown = field('cache');
    const status = typeof cache === 'object' && cache !== null ? Reflect.get(cache, 'status') : undefined;
    return { taskId: String(field('taskId')), command: String(field('command')), status: String(status) };
  });
}

/** The build tasks turbo would run rather than restore from its cache (asked with a dry run). */
async function buildsTurboWouldRun(): Promise<string[]> {
  const turbo = path.join(repoRoot, 'node_modules', '.bin', 'turbo');
  const { stdout } = await run(turbo, ['run', 'build', '--dry=json'], {
    cwd: repoRoot,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return dryRunTasks(JSON.parse(stdout))
    .filter((task) => task.command !== '<NONEXISTENT>' && task.status !== 'HIT')
    .map((task) => task.taskId);
}

/**
 * Why `npm start` would not be a warm start right now, or null when it would be. When the
 * lockfile or the sources changed since the last install and build, its bootstrap runs `npm ci`
 * and `next build`: minutes of work that replace node_modules and .next under whoever else is
 * using this checkout, and no measurement of a warm start.
 */
export async function whyNpmStartIsNotWarm(): Promise<string | null> {
  if (!(await installIsCurrent())) {
    return 'package-lock.json changed since the last `npm ci` (its bootstrap would reinstall node_modules)';
  }
  const rebuilds = await buildsTurboWouldRun();
  if (rebuilds.length > 0) return `turbo's build cache misses for ${rebuilds.join(', ')} (it would rebuild)`;
  return null;
}
