import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { aptInstall, canAptInstall } from './apt.ts';
import { describe, ProvisionError, type ProvisionStep, type StepStatus } from './steps.ts';

export interface ChromiumOptions {
  /** `browser.executablePath` from pincer.yaml: when set it wins over every search. */
  executablePath?: string | undefined;
  /** PATH to search (defaults to process.env.PATH). */
  searchPath?: string | undefined;
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

const INSTALL_FIX =
  'apt-get install -y chromium (as root, Debian/Ubuntu), or set browser.executablePath in pincer.yaml to a Chromium or Chrome';

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
    const canInstall = canAptInstall();
    return {
      state: canInstall ? 'missing' : 'unavailable',
      detail: 'no Chromium found',
      fix: INSTALL_FIX,
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
      try {
        await aptInstall(['chromium'], progress);
      } catch (error) {
        throw new ProvisionError(
          'chromium_install_failed',
          'chromium',
          `Could not install chromium with apt-get: ${describe(error).split('\n').slice(-3).join(' ')}.`,
          INSTALL_FIX,
          { cause: error },
        );
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
