import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const workflowsPath = path.join(appDir, 'src', 'workflows', 'index.ts');
export const bundlePath = path.join(appDir, 'dist', 'workflow-bundle.js');

/** The bundle built by `npm run build`, when present; the worker bundles on the fly otherwise. */
export function prebuiltBundle(): { codePath: string } | undefined {
  return existsSync(bundlePath) ? { codePath: bundlePath } : undefined;
}
