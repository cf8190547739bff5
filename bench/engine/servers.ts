/**
 * The three HTTP servers of the webhook benchmark, each a child process leading its own process
 * group: Pincer's real web server, the bare ceiling and the hand-written durable equivalent.
 */
import http from 'node:http';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { freePort } from '@pincer/provision';
import { repoRoot } from '../startup/pincer-run.ts';
import { type Cleanup, freePorts, pincerEnv, type Scratch } from '../startup/scratch.ts';
import { TimedProcess, waitForExit } from '../startup/timed-process.ts';
import type { PincerWorkflows } from './definitions.ts';
import type { Environment } from './environment.ts';
import { EXPECTED_REPLY, ORDER } from './order.ts';
import { PINCER_NAMESPACE } from './shapes.ts';
import type { Teardown } from './teardown.ts';

export type TargetKey = 'bare' | 'durable' | 'pincer';

export interface Target {
  key: TargetKey;
  label: string;
  url: string;
  headers: Record<string, string>;
  /** The server's process. */
  pid: number;
}

// PINCER_BENCH_CPU_PROF=DIR: every server writes a V8 CPU profile there when it stops (to profile
// the benchmark's own process, the workers, run it with `node --cpu-prof` too).
const PROFILE_DIR = process.env.PINCER_BENCH_CPU_PROF;
const PROFILE_ARGS = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`] : [];

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

interface Launch {
  label: string;
  /** The script and its arguments, run with `node --import tsx`. */
  args: string[];
  env: NodeJS.ProcessEnv;
  ready: RegExp;
}

async function launch(options: Launch, cleanup: Cleanup, teardown: Teardown): Promise<number> {
  const job = new TimedProcess(process.execPath, [...PROFILE_ARGS, '--import', 'tsx', ...options.args], {
    cwd: repoRoot,
    env: options.env,
  });
  cleanup.trackGroup(job.pid);
  teardown.defer(options.label, async () => {
    job.signalGroup('SIGTERM');
    await waitForExit(job, STOP_TIMEOUT_MS);
  });
  await job.waitForLine(options.ready, READY_TIMEOUT_MS);
  return job.pid;
}

interface Answer {
  status: number;
  body: string;
}

/** POST on a fresh connection that is closed afterwards, so no idle socket delays a server's close. */
function post(url: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', headers, agent: false, timeout: 30_000 },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within 30 s`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** The answer every server must give to ORDER. */
export function isExpectedReply(body: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(body), EXPECTED_REPLY);
  } catch {
    return false;
  }
}

/** One request through the whole path before measuring: a wrong answer stops the benchmark. */
async function checkAnswers(target: Target): Promise<void> {
  const answer = await post(target.url, target.headers, JSON.stringify(ORDER));
  if (answer.status !== 200 || !isExpectedReply(answer.body)) {
    throw new Error(
      `${target.label} answered ${answer.status} ${answer.body}; expected 200 ${JSON.stringify(EXPECTED_REPLY)}`,
    );
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function startServers(
  env: Environment,
  workflows: PincerWorkflows,
  scratch: Scratch,
  cleanup: Cleanup,
  teardown: Teardown,
): Promise<Target[]> {
  const ports = await freePorts();
  const childEnv = pincerEnv(scratch, ports, {
    DATABASE_URL: env.databaseUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: PINCER_NAMESPACE,
    PINCER_HOST: '127.0.0.1',
  });
  const bare = await freePort();
  const durable = await freePort();
  const servers: { launch: Launch; target: Omit<Target, 'pid'> }[] = [
    {
      launch: {
        label: 'the bare server',
        args: [path.join(import.meta.dirname, 'bare-server.ts'), String(bare)],
        env: childEnv,
        ready: /bare server listening/,
      },
      target: {
        key: 'bare',
        label: 'bare node:http (no durability)',
        url: `http://127.0.0.1:${bare}/`,
        headers: JSON_HEADERS,
      },
    },
    {
      launch: {
        label: 'the durable server',
        args: [path.join(import.meta.dirname, 'durable-server.ts'), String(durable)],
        env: childEnv,
        ready: /durable server listening/,
      },
      target: {
        key: 'durable',
        label: 'hand-written Temporal (3 local activities)',
        url: `http://127.0.0.1:${durable}/`,
        headers: JSON_HEADERS,
      },
    },
    {
      launch: {
        label: "Pincer's web server",
        args: [path.join(repoRoot, 'apps', 'web', 'src', 'server.ts')],
        env: childEnv,
        ready: /studio listening/,
      },
      target: {
        key: 'pincer',
        label: 'Pincer webhook (when_done)',
        url: `http://127.0.0.1:${ports.web}/api/v1/hooks/${workflows.webhook.id}`,
        headers: { ...JSON_HEADERS, 'x-pincer-secret': workflows.webhook.secret },
      },
    },
  ];
  const targets: Target[] = [];
  for (const server of servers)
    targets.push({ ...server.target, pid: await launch(server.launch, cleanup, teardown) });
  for (const target of targets) await checkAnswers(target);
  return targets;
}
