#!/usr/bin/env node
// What `npm start`, `npm test` and `npm run doctor` run first, on a fresh clone or an old one:
// check Node, install dependencies when the lockfile changed, generate the database client,
// build what changed, then hand over. Plain Node on purpose: nothing is installed yet.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...rest] = process.argv.slice(2);
const quietEnv = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
  NEXT_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
};

function step(message) {
  process.stdout.write(`» ${message}\n`);
}

function fail(message) {
  process.stderr.write(`pincer: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: quietEnv, ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`\`${cmd} ${args.join(' ')}\` failed (${signal ?? `exit ${code}`})`));
    });
  });
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node ${process.versions.node} is too old: install Node 20.19 or newer (https://nodejs.org).`);
  }
}

/** `npm ci` when node_modules was not installed from the current lockfile by this Node. */
async function ensureDependencies() {
  const lock = readFileSync(path.join(root, 'package-lock.json'));
  const wanted = createHash('sha256').update(lock).update(process.version).digest('hex');
  const stampFile = path.join(root, 'node_modules', '.pincer-install-stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === wanted) return;
  step('installing dependencies (npm ci; first time takes a minute)');
  await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  writeFileSync(stampFile, `${wanted}\n`);
}

async function prepare() {
  checkNode();
  await ensureDependencies();
  await run('npm', ['run', '--silent', 'generate', '-w', '@pincer/db']);
}

async function build() {
  step('building (cached when nothing changed)');
  await run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', '--log-prefix=none']);
}

async function cli(args) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(path.join(root, 'apps', 'cli', 'src', 'main.ts'));
  // Exit now: an idle database pool or timer must not keep a stopped Pincer around.
  process.exit(await main(args));
}

async function test() {
  await build();
  step('lint and format check (biome)');
  await run('npx', ['biome', 'ci', '.']);
  step('type check');
  await run('npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only', '--log-prefix=none']);
  await run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
  step('tests (vitest)');
  const results = path.join(os.tmpdir(), `pincer-vitest-${process.pid}.json`);
  const reporters = ['--reporter=default', '--reporter=json', `--outputFile.json=${results}`];
  try {
    await run('npx', ['vitest', 'run', ...reporters, ...rest]);
  } finally {
    printTally(results);
  }
}

/** The plain closing line CI reads: "N passed, N failed". */
function printTally(results) {
  if (!existsSync(results)) return;
  const { numPassedTests, numFailedTests, numPendingTests } = JSON.parse(readFileSync(results, 'utf8'));
  rmSync(results, { force: true });
  const skipped = numPendingTests > 0 ? `, ${numPendingTests} skipped` : '';
  process.stdout.write(`\n${numPassedTests} passed, ${numFailedTests} failed${skipped}\n`);
}

const commands = {
  start: async () => {
    await prepare();
    await build();
    await cli(['start', ...rest]);
  },
  doctor: async () => {
    await prepare();
    await cli(['doctor', ...rest]);
  },
  test: async () => {
    await prepare();
    await test();
  },
};

const chosen = commands[command];
if (!chosen) fail(`unknown bootstrap command "${command}" (known: ${Object.keys(commands).join(', ')})`);
try {
  await chosen();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
