import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, ProvisionError, type ProvisionStep, type StepStatus } from './steps.ts';

const run = promisify(execFile);

export interface ChromiumOptions {
  /** `browser.executablePath` from pincer.yaml: when set it wins over every search. */
  executablePath?: string | undefined;
  /** PATH to search (defaults to process.env.PATH). */
  searchPath?: string | undefined;
  /**
   * When Chromium cannot be provided here (not root, no apt-get), report it without failing the
   * whole provisioning: `npm start` still starts, and browser steps fail with the fix.
   */
  optional?: boolean | undefined;
}

/** Names a Chromium-family browser goes by on PATH, in order of preference. */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome'];

/** Where distributions put it when PATH does not say (Debian's chromium is /usr/bin/chromium). */
const KNOWN_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium that browser steps drive: `browser.executablePath` when configured (even if it does
 * not exist, so a wrong setting is reported rather than silently replaced), then the first
 * Chromium on PATH, then the usual install locations. Undefined when there is none.
 */
export function findChromium(options: ChromiumOptions = {}): string | undefined {
  if (options.executablePath) return path.resolve(options.executablePath);
  for (const dir of (options.searchPath ?? process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of NAMES) {
      const candidate = path.join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return KNOWN_PATHS.find((candidate) => executable(candidate));
}

/** Another apt run (unattended upgrades, a second install) holds the lock: wait for it instead of failing. */
const LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

const INSTALL_FIX =
  'install Chromium (Debian/Ubuntu: `sudo apt-get install -y chromium`) or set browser.executablePath in pincer.yaml';

/**
 * Makes sure a Chromium exists for browser steps. Looks only when one is found or configured;
 * otherwise, when running as root on a Debian-like system, installs Debian's `chromium` package
 * with apt-get (about a minute, once). Not root: reports how to install it.
 */
export function chromiumStep(options: ChromiumOptions = {}): ProvisionStep {
  const check = async (): Promise<StepStatus> => {
    const found = findChromium(options);
    if (options.executablePath) {
      if (found && executable(found))
        return { state: 'external', detail: `${found} (browser.executablePath)` };
      return {
        state: 'unavailable',
        detail: `browser.executablePath ${found} is not an executable file`,
        fix: 'point browser.executablePath at a Chromium or Chrome binary, or remove it to auto-detect',
      };
    }
    if (found) return { state: 'ready', detail: found };
    const canInstall = isRoot() && existsSync('/usr/bin/apt-get');
    if (!canInstall && options.optional) {
      return { state: 'external', detail: `not installed, browser steps will fail until you ${INSTALL_FIX}` };
    }
    return {
      state: canInstall ? 'missing' : 'unavailable',
      detail: 'no Chromium on PATH or in the usual places',
      fix: canInstall ? 'run `npm start` (installs Debian chromium with apt-get)' : INSTALL_FIX,
    };
  };
  return {
    id: 'chromium',
    title: 'Chromium',
    check,
    async ensure(progress) {
      const before = await check();
      if (before.state !== 'missing') return before;
      progress('installing Debian chromium with apt-get (about a minute, once)');
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const install = () =>
        run('apt-get', [...LOCK_WAIT, 'install', '-y', '--no-install-recommends', 'chromium'], {
          env,
          timeout: 15 * 60_000,
          maxBuffer: 64 * 1024 * 1024,
        });
      try {
        await install();
      } catch (first) {
        progress(`apt-get install failed (${describe(first).split('\n')[0]}); running apt-get update first`);
        try {
          await run('apt-get', [...LOCK_WAIT, 'update'], {
            env,
            timeout: 10 * 60_000,
            maxBuffer: 64 * 1024 * 1024,
          });
          await install();
        } catch (second) {
          throw new ProvisionError(
            'chromium_install_failed',
            'chromium',
            `Could not install chromium with apt-get: ${describe(second).split('\n').slice(-3).join(' ')}.`,
            INSTALL_FIX,
            { cause: second },
          );
        }
      }
      const after = findChromium(options);
      if (!after) {
        throw new ProvisionError(
          'chromium_install_failed',
          'chromium',
          'apt-get installed chromium but no Chromium binary was found afterwards.',
          INSTALL_FIX,
        );
      }
      return { state: 'ready', detail: after };
    },
  };
}
