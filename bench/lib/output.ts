import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Writes bench/results/<name>.json; returns its path. */
export async function writeBenchResults(name: string, results: unknown): Promise<string> {
  const file = path.join(repoRoot, 'bench', 'results', `${name}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

export function docsMarks(name: string): { start: string; end: string } {
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

/**
 * Replaces a benchmark's section of docs/benchmarks.md (between its markers, which `section`
 * includes), appending it when absent and creating the file with `intro` when needed.
 */
export async function writeDocsSection(
  name: string,
  section: string,
  intro = '# Benchmarks\n',
): Promise<string> {
  const file = path.join(repoRoot, 'docs', 'benchmarks.md');
  const current = existsSync(file) ? await readFile(file, 'utf8') : intro;
  const { start: startMark, end: endMark } = docsMarks(name);
  const start = current.indexOf(startMark);
  const end = current.indexOf(endMark);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + endMark.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, next);
  return file;
}
