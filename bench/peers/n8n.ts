/**
 * n8n, the peer: installed from npm, pinned, into the cache when asked (`--install`), given the
 * benchmark's workflow (Webhook → Set → IF → Respond to Webhook) and started in regular mode on
 * SQLite with its defaults (every execution saved), as a user following its docs runs it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@pincer/provision';
import type { Cleanup, Scratch } from '../startup/scratch.ts';
import { TimedProcess } from '../startup/timed-process.ts';
import { PATH_NAME } from './workload.ts';

const run = promisify(execFile);

export const N8N_VERSION = '2.8.4';

/** Where n8n is installed: PINCER_N8N_DIR, else the checkout's cache (about 2.3 GB). */
export function n8nDir(repoRoot: string): string {
  return process.env.PINCER_N8N_DIR ?? path.join(repoRoot, '.pincer', 'cache', 'n8n', N8N_VERSION);
}

function n8nBin(dir: string): string {
  return path.join(dir, 'node_modules', '.bin', 'n8n');
}

/**
 * Installs n8n into `dir` unless it is there. Its `xlsx` dependency points at a tarball outside the
 * registry: the override takes the registry's 0.18.5. Install scripts stay off except sqlite3's
 * native build, which n8n's SQLite database needs.
 */
export async function ensureN8n(dir: string, install: boolean): Promise<string> {
  const bin = n8nBin(dir);
  if (existsSync(bin)) return bin;
  if (!install) {
    throw new Error(
      `n8n ${N8N_VERSION} is not installed in ${dir}. Run \`npm run bench:peers -- --install\` to install it there (about 2.3 GB, several minutes), or set PINCER_N8N_DIR to an installation.`,
    );
  }
  await mkdir(dir, { recursive: true });
  const manifest = {
    name: 'pincer-bench-n8n',
    private: true,
    dependencies: { n8n: N8N_VERSION },
    overrides: { xlsx: '0.18.5' },
  };
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`  installing n8n ${N8N_VERSION} into ${dir} (about 2.3 GB; minutes) …`);
  const options = { cwd: dir, maxBuffer: 64 * 1024 * 1024, timeout: 60 * 60_000 };
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts'], options);
  await run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], options);
  if (!existsSync(bin)) throw new Error(`npm installed n8n into ${dir} but ${bin} is missing`);
  return bin;
}

/** The benchmark's workflow in n8n: POST {n} → doubled = n×2 → IF doubled > 100 → respond. */
function workflowJson(id: string) {
  const respond = (branch: 'true' | 'false', y: number) => ({
    id: `respond-${branch}`,
    name: `Respond ${branch}`,
    type: 'n8n-nodes-base.respondToWebhook',
    typeVersion: 1.1,
    position: [880, y],
    parameters: {
      respondWith: 'json',
      responseBody: `={{ { "doubled": $json.doubled, "branch": "${branch}" } }}`,
      options: {},
    },
  });
  return {
    id,
    name: 'Pincer peers benchmark',
    active: false,
    settings: { executionOrder: 'v1' },
    nodes: [
      {
        id: 'webhook',
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [220, 300],
        webhookId: '6c0c9d8e-43b4-4b4c-9d6a-0b4f2f7f1a11',
        parameters: { httpMethod: 'POST', path: PATH_NAME, responseMode: 'responseNode', options: {} },
      },
      {
        id: 'set',
        name: 'Double',
        type: 'n8n-nodes-base.set',
        typeVersion: 3.4,
        position: [440, 300],
        parameters: {
          assignments: {
            assignments: [
              { id: 'doubled', name: 'doubled', value: '={{ $json.body.n * 2 }}', type: 'number' },
            ],
          },
          options: {},
        },
      },
      {
        id: 'if',
        name: 'Big',
        type: 'n8n-nodes-base.if',
        typeVersion: 2.2,
        position: [660, 300],
        parameters: {
          conditions: {
            options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
            conditions: [
              {
                id: 'over-100',
                leftValue: '={{ $json.doubled }}',
                rightValue: 100,
                operator: { type: 'number', operation: 'gt' },
              },
            ],
            combinator: 'and',
          },
          options: {},
        },
      },
      respond('true', 200),
      respond('false', 400),
    ],
    connections: {
      Webhook: { main: [[{ node: 'Double', type: 'main', index: 0 }]] },
      Double: { main: [[{ node: 'Big', type: 'main', index: 0 }]] },
      Big: {
        main: [
          [{ node: 'Respond true', type: 'main', index: 0 }],
          [{ node: 'Respond false', type: 'main', index: 0 }],
        ],
      },
    },
  };
}

export interface RunningN8n {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Imports and publishes the workflow in a private user folder, then starts n8n on free ports. */
export async function startN8n(bin: string, scratch: Scratch, cleanup: Cleanup): Promise<RunningN8n> {
  const userFolder = path.join(scratch.root, 'n8n');
  await mkdir(userFolder, { recursive: true });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: userFolder,
    N8N_USER_FOLDER: userFolder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_RUNNERS_BROKER_PORT: String(await freePort()),
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_LOG_LEVEL: 'warn',
  };
  const id = 'PincerPeersBench1';
  const file = path.join(userFolder, 'workflow.json');
  await writeFile(file, JSON.stringify(workflowJson(id)));
  const cli = { env, cwd: userFolder, maxBuffer: 16 * 1024 * 1024, timeout: 5 * 60_000 };
  await run(bin, ['import:workflow', `--input=${file}`], cli);
  await run(bin, ['publish:workflow', `--id=${id}`], cli);
  const job = new TimedProcess(bin, ['start'], { cwd: userFolder, env });
  cleanup.trackGroup(job.pid);
  const url = `http://127.0.0.1:${port}/webhook/${PATH_NAME}`;
  await waitForWebhook(url, job);
  return {
    url,
    pid: job.pid,
    async stop() {
      job.signalGroup('SIGTERM');
      await Promise.race([job.exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      job.signalGroup('SIGKILL');
    },
  };
}

async function waitForWebhook(url: string, job: TimedProcess): Promise<void> {
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    if (!job.running) throw new Error(`n8n exited during start-up:\n${job.tail()}`);
    try {
      const answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"n":1}',
        signal: AbortSignal.timeout(5000),
      });
      if (answer.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`n8n's webhook never answered at ${url}:\n${job.tail()}`);
}
