import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { PincerConfig } from '@pincer/config';

/**
 * Pincer's state (the Temporal database, artifacts, keys, tokens, logs) is private to the user
 * who runs it: directories 0700, files without group or other bits (0600, 0700 if executable).
 * New files are made private by the umask Pincer runs with (PRIVATE_UMASK); `makeStatePrivate`
 * tightens what an older version or another tool left open. See docs/security.md, "Local users".
 */
export const PRIVATE_UMASK = 0o077;

/**
 * Entries of dataDir left as they are: the embedded PostgreSQL keeps its own modes (as root its
 * cluster belongs to the `postgres` user), and `cache` holds downloaded tools, safe to share.
 */
const OWN_MODES = new Set(['postgres', 'cache']);

/** Strips group and other bits from a file or directory and, for a directory, from all it holds. */
async function tighten(target: string): Promise<void> {
  const stats = await lstat(target).catch(() => undefined);
  // A symbolic link's target is not ours to change (a shared cache, say).
  if (!stats || stats.isSymbolicLink()) return;
  if ((stats.mode & 0o077) !== 0) await chmod(target, stats.mode & 0o700);
  if (!stats.isDirectory()) return;
  for (const entry of await readdir(target)) await tighten(path.join(target, entry));
}

/**
 * Makes dataDir and the artifacts directory private. As root, dataDir stays searchable (0711,
 * never listable): the embedded PostgreSQL runs as its own user and must reach its cluster inside.
 */
export async function makeStatePrivate(config: PincerConfig): Promise<void> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const asRoot = process.getuid?.() === 0;
  await chmod(config.dataDir, asRoot ? 0o711 : 0o700);
  for (const entry of await readdir(config.dataDir)) {
    if (!OWN_MODES.has(entry)) await tighten(path.join(config.dataDir, entry));
  }
  const artifacts = path.resolve(config.artifacts.dir);
  if (!artifacts.startsWith(`${path.resolve(config.dataDir)}${path.sep}`)) {
    await mkdir(artifacts, { recursive: true, mode: 0o700 });
    await tighten(artifacts);
  }
}
