import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The unprivileged system user Chromium runs as when Pincer runs as root. */
export const BROWSER_USER = 'pincer-browser';

export interface Launcher {
  /** What Playwright starts instead of Chromium: a script that becomes Chromium as BROWSER_USER. */
  executable: string;
  uid: number;
  gid: number;
}

function ids(): { uid: number; gid: number } {
  const read = (flag: '-u' | '-g') =>
    Number(execFileSync('id', [flag, BROWSER_USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: read('-u'), gid: read('-g') };
  } catch {
    // Like the postgres user for the embedded PostgreSQL: a system user with no home and no shell.
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      BROWSER_USER,
    ]);
    return { uid: read('-u'), gid: read('-g') };
  }
}

const launchers = new Map<string, Promise<Launcher>>();

/**
 * Chromium refuses its sandbox as root, and as root without it a renderer exploit owns the worker
 * (which holds the database URL and the credentials key). As root, Chromium is started through
 * this launcher instead: it hands Playwright's profile directory to BROWSER_USER and becomes
 * Chromium as that user (setpriv: no groups, no capabilities), so the sandbox can run. Null when
 * Pincer is not root: Chromium then runs as Pincer's user, sandboxed too.
 */
export function rootLauncher(binary: string): Promise<Launcher> | null {
  if (process.getuid?.() !== 0) return null;
  let launcher = launchers.get(binary);
  if (!launcher) {
    launcher = (async () => {
      const { uid, gid } = ids();
      // Root's own directory: nobody else can swap the script.
      const dir = await mkdtemp(path.join(os.tmpdir(), 'pincer-chromium-'));
      const executable = path.join(dir, 'chromium-as-browser-user');
      const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
      await writeFile(
        executable,
        [
          '#!/bin/sh',
          '# Written by Pincer: runs Chromium as the unprivileged browser user, with its sandbox.',
          'for arg in "$@"; do',
          '  case "$arg" in',
          `    --user-data-dir=*) HOME="\${arg#--user-data-dir=}"; chown -R ${uid}:${gid} "$HOME"; export HOME ;;`,
          '  esac',
          'done',
          `exec setpriv --reuid=${uid} --regid=${gid} --clear-groups --inh-caps=-all -- ${quote(binary)} "$@"`,
          '',
        ].join('\n'),
      );
      await chmod(executable, 0o700);
      return { executable, uid, gid };
    })();
    launchers.set(binary, launcher);
    launcher.catch(() => launchers.delete(binary));
  }
  return launcher;
}
