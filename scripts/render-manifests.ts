/**
 * Writes deploy/kubernetes/pincer.yaml: the Helm chart deploy/helm/pincer rendered with its default
 * values, for those who apply plain manifests (`kubectl apply -f`). Helm is built once from the Go
 * module proxy and cached in .pincer/cache.
 *
 *   npm run render:k8s     rewrite deploy/kubernetes/pincer.yaml
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '@pincer/config';
import { consoleReporter, helmBinary, helmStep, provision } from '@pincer/provision';
import { parseAllDocuments, stringify } from 'yaml';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
export const MANIFESTS_PATH = path.join(root, 'deploy/kubernetes/pincer.yaml');

/** The chart rendered as release `pincer` in namespace `pincer`, one object per document. */
export async function renderManifests(helm: string): Promise<unknown[]> {
  const { stdout } = await run(
    helm,
    ['template', 'pincer', path.join(root, 'deploy/helm/pincer'), '--namespace', 'pincer'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as unknown)
    .filter(Boolean);
}

async function main(): Promise<number> {
  const { cacheDir } = loadConfig({ cwd: root });
  await provision([helmStep({ cacheDir })], consoleReporter());
  const objects = await renderManifests(helmBinary(cacheDir));
  const header =
    '# Rendered from deploy/helm/pincer with its default values by `npm run render:k8s`: edit the chart,\n' +
    '# not this file. Create the Secret `pincer-secrets` first (docs/operations.md).\n';
  await writeFile(MANIFESTS_PATH, header + objects.map((object) => `---\n${stringify(object)}`).join(''));
  console.log(`wrote ${path.relative(process.cwd(), MANIFESTS_PATH)} (${objects.length} objects)`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
