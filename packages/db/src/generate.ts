import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ClientGenerationError, describeCause } from './errors.ts';
import { generatedClientDir, prismaPaths } from './paths.ts';

export interface GenerateOptions {
  /** Regenerate even when the stamp says the client is current. */
  force?: boolean;
  /** Receives prisma's output lines. */
  log?: (line: string) => void;
}

export interface GenerateResult {
  generated: boolean;
  outputDir: string;
}

const require = createRequire(import.meta.url);
const stampFile = join(generatedClientDir, '.schema-hash');

/**
 * Generates the Prisma client into src/generated/prisma unless it was generated from the same
 * schema.prisma by the same Prisma version (a hash in `.schema-hash` there). Needs no network and
 * no database.
 */
export async function generateClient(options: GenerateOptions = {}): Promise<GenerateResult> {
  const { schemaFile } = prismaPaths();
  const hash = await sourceHash(schemaFile);
  if (!options.force && (await isCurrent(hash))) return { generated: false, outputDir: generatedClientDir };
  const output = await runPrismaGenerate(schemaFile);
  for (const line of output.split('\n')) if (line.trim()) options.log?.(line);
  await writeFile(stampFile, `${hash}\n`);
  return { generated: true, outputDir: generatedClientDir };
}

async function sourceHash(schemaFile: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(schemaFile));
  // A new Prisma version generates different code from the same schema.
  for (const pkg of ['prisma/package.json', '@prisma/client/package.json']) {
    hash.update(`\0${pkg}@${await packageVersion(pkg)}`);
  }
  return hash.digest('hex');
}

async function packageVersion(packageJson: string): Promise<string> {
  const manifest: unknown = JSON.parse(await readFile(require.resolve(packageJson), 'utf8'));
  if (typeof manifest === 'object' && manifest !== null && 'version' in manifest)
    return String(manifest.version);
  return 'unknown';
}

async function isCurrent(hash: string): Promise<boolean> {
  const stamp = await readFile(stampFile, 'utf8').catch(() => '');
  if (stamp.trim() !== hash) return false;
  return stat(join(generatedClientDir, 'client.ts')).then(
    (file) => file.isFile(),
    () => false,
  );
}

function runPrismaGenerate(schemaFile: string): Promise<string> {
  const cli = require.resolve('prisma/build/index.js');
  const env = {
    ...process.env,
    // generate never runs the schema engine, but the CLI downloads one from Prisma's CDN unless this
    // names an existing file. Node's own binary is a file that always exists.
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };
  return new Promise((resolve, reject) => {
    // cwd is the schema's folder so the CLI reads no prisma.config.ts: the schema path is all it needs.
    execFile(
      process.execPath,
      [cli, 'generate', '--schema', schemaFile],
      { cwd: dirname(schemaFile), env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(`${stdout}${stderr}`);
        reject(
          new ClientGenerationError(
            `prisma generate failed for ${schemaFile}: ${describeCause(error)}\n${stdout}${stderr}`.trim() +
              '\nFix the schema error above, or reinstall dependencies if the prisma CLI is missing (npm install).',
            { cause: error },
          ),
        );
      },
    );
  });
}
