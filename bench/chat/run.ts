// npm run bench:chat — inbound chat message → conversation → echo workflow → reply, through the
// real gateway process and workers against the Telegram stand-in, measured against the bare
// transport (a poll-and-reply loop on the same stand-in, no Temporal) in the same run.
// Measurements only: no thresholds enforced.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { accessSettingsOf, createMessaging, sendersFromConfig } from '@pincer/channels';
import { loadConfig } from '@pincer/config';
import { createDb, migrateDatabase } from '@pincer/db';
import { saveWorkflow } from '@pincer/engine';
import { createRegistry } from '@pincer/nodes';
import {
  embeddedPostgresStep,
  freePort,
  provision,
  silentReporter,
  startEmbeddedPostgres,
  startTemporalDevServer,
  temporalCliStep,
} from '@pincer/provision';
import { createLogger } from '@pincer/runtime';
import { startWorkers } from '@pincer/temporal-worker';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { Api } from 'grammy';
import { stringify } from 'yaml';
import { TelegramPeer } from '../../tests/peers/telegram.ts';
import { ECHO_WORKFLOW } from '../../tests/support/chat.ts';
import { docsMarks, writeBenchResults, writeDocsSection } from '../lib/output.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const SEQUENTIAL = 60;
const BURST_CHATS = 20;
const BURST_PER_CHAT = 5;
const CONVERSATIONS = 200;
const USER = 42;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) * 1024;
}

/** The baseline: the least any bot can do on this transport — poll, then reply at once. */
async function bareBot(peer: TelegramPeer, signal: AbortSignal): Promise<void> {
  const api = new Api(peer.token, { apiRoot: peer.apiRoot });
  let offset: number | undefined;
  while (!signal.aborted) {
    const updates = await api.getUpdates({ ...(offset ? { offset } : {}), timeout: 1 }).catch(() => []);
    for (const update of updates) {
      const message = update.message;
      if (message?.text) await api.sendMessage(message.chat.id, `echo: ${message.text}`);
      offset = update.update_id + 1;
    }
  }
}

async function measureLatency(peer: TelegramPeer, chatBase: number, expect: (text: string) => string) {
  const latencies: number[] = [];
  for (let index = 0; index < SEQUENTIAL; index++) {
    const text = `ping-${index}`;
    const reply = peer.nextSent((message) => message.text === expect(text));
    const started = performance.now();
    peer.userSends({ chatId: chatBase, userId: USER, text: messageFor(text, expect) });
    await reply;
    latencies.push(performance.now() - started);
  }
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), count: latencies.length };
}

function messageFor(text: string, expect: (text: string) => string): string {
  return expect('x') === 'echo: x' ? text : `/run echo {"text": "${text}"}`;
}

async function measureThroughput(peer: TelegramPeer, chatBase: number, expect: (text: string) => string) {
  const replies: Promise<unknown>[] = [];
  const started = performance.now();
  for (let round = 0; round < BURST_PER_CHAT; round++) {
    for (let chat = 0; chat < BURST_CHATS; chat++) {
      const text = `burst-${chat}-${round}`;
      replies.push(peer.nextSent((message) => message.text === expect(text), 600_000));
      peer.userSends({ chatId: chatBase + chat, userId: USER, text: messageFor(text, expect) });
    }
  }
  await Promise.all(replies);
  const seconds = (performance.now() - started) / 1000;
  return { messages: replies.length, seconds, messagesPerSecond: replies.length / seconds };
}

async function main() {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pincer-bench-chat-'));
  // PostgreSQL runs as its own user when we are root: it must be able to walk into the scratch dir.
  await chmod(scratch, 0o711);
  const cacheDir = path.join(repoRoot, '.pincer', 'cache');
  const stops: (() => Promise<void>)[] = [];
  let gateway: ChildProcess | undefined;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const pgPort = await freePort();
    const version = loadConfig({ cwd: repoRoot, env: {} }).temporal.embedded.version;
    await provision(
      [
        embeddedPostgresStep({ dir: path.join(scratch, 'pg'), port: pgPort }),
        temporalCliStep({ cacheDir, version }),
      ],
      silentReporter,
    );
    const postgres = await startEmbeddedPostgres({ dir: path.join(scratch, 'pg'), port: pgPort });
    stops.push(() => postgres.stop());
    const temporal = await startTemporalDevServer({
      binary: path.join(cacheDir, 'temporal', version, 'temporal'),
      port: await freePort(),
      namespace: 'default',
    });
    stops.push(() => temporal.stop());
    await migrateDatabase(postgres.url);
    const db = createDb(postgres.url);
    stops.push(() => db.$disconnect());

    const peer = await TelegramPeer.start();
    stops.push(() => peer.close());

    // Baseline first, on its own chats, then stop it before Pincer polls the same bot.
    const bareAbort = new AbortController();
    const bare = bareBot(peer, bareAbort.signal);
    const bareExpect = (text: string) => `echo: ${text}`;
    const baseline = {
      latency: await measureLatency(peer, 100, bareExpect),
      throughput: await measureThroughput(peer, 1000, bareExpect),
    };
    bareAbort.abort();
    await bare;

    const configFile = path.join(scratch, 'pincer.yaml');
    await writeFile(
      configFile,
      stringify({
        dataDir: path.join(scratch, 'data'),
        channels: { telegram: { token: peer.token, apiRoot: peer.apiRoot, allowUsers: [String(USER)] } },
      }),
    );
    const config = loadConfig({ file: configFile, env: {} });
    const registry = createRegistry();
    await saveWorkflow(db, { source: ECHO_WORKFLOW, catalog: registry, actor: 'bench' });
    const messaging = createMessaging({ senders: sendersFromConfig(config.channels) });
    const connection = await NativeConnection.connect({ address: temporal.address });
    const workers = await startWorkers({
      connection,
      namespace: 'default',
      db,
      registry,
      settings: { allowPrivateHosts: [] },
      services: { messaging },
      log: createLogger('bench-worker', 'warn'),
      secretKey: randomBytes(32),
      chat: accessSettingsOf(config.channels),
    });
    stops.unshift(async () => {
      await workers.shutdown();
      await connection.close();
    });
    const healthPort = await freePort();
    gateway = spawn(process.execPath, ['--import', 'tsx', 'apps/gateway/src/main.ts'], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        PINCER_CONFIG: configFile,
        PINCER_LOG_LEVEL: 'warn',
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: 'default',
        PINCER_GATEWAY_HEALTH_PORT: String(healthPort),
      },
    });
    for (let attempt = 0; attempt < 600; attempt++) {
      const ok = await fetch(`http://127.0.0.1:${healthPort}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const pincerExpect = (text: string) => `echo: echo ${text}`;
    // Warm-up: the first run pays for the workflow bundle and the connections.
    await measureThroughput(peer, 5000, pincerExpect);
    const pincer = {
      latency: await measureLatency(peer, 200, pincerExpect),
      throughput: await measureThroughput(peer, 2000, pincerExpect),
    };

    const conversations: Promise<unknown>[] = [];
    for (let chat = 0; chat < CONVERSATIONS; chat++) {
      const text = `hello-${chat}`;
      conversations.push(peer.nextSent((message) => message.text === pincerExpect(text), 600_000));
      peer.userSends({ chatId: 10_000 + chat, userId: USER, text: `/run echo {"text": "${text}"}` });
    }
    await Promise.all(conversations);
    const memory = {
      conversations: CONVERSATIONS,
      gatewayRssBytes: gateway.pid ? await rssOf(gateway.pid) : 0,
      workerRssBytes: process.memoryUsage().rss,
    };

    const results = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, memoryBytes: os.totalmem() },
      baseline: { name: 'bare poll-and-reply bot on the same Telegram stand-in (no Temporal)', ...baseline },
      echo: pincer,
      llm: { measured: false, why: 'the inference service (issue-5) is not merged into this branch yet' },
      memory,
      ratios: {
        p50Latency: pincer.latency.p50Ms / baseline.latency.p50Ms,
        throughput: pincer.throughput.messagesPerSecond / baseline.throughput.messagesPerSecond,
      },
    };
    console.log(JSON.stringify(results, null, 2));
    await writeBenchResults('chat', results);
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    const { start, end } = docsMarks('chat');
    await writeDocsSection(
      'chat',
      `${start}
## Chat (\`npm run bench:chat\`)

Telegram stand-in → gateway process → conversation workflow → \`/run echo\` child run → outbox reply,
against a bare poll-and-reply bot on the same stand-in. ${results.machine.cpus} cores; ${results.at}.

| | bare bot | Pincer (echo workflow) | ratio |
| --- | --- | --- | --- |
| latency p50 (one at a time, ${SEQUENTIAL} messages) | ${baseline.latency.p50Ms.toFixed(0)} ms | ${pincer.latency.p50Ms.toFixed(0)} ms | ${results.ratios.p50Latency.toFixed(1)}× |
| latency p99 | ${baseline.latency.p99Ms.toFixed(0)} ms | ${pincer.latency.p99Ms.toFixed(0)} ms | |
| throughput (${BURST_CHATS} chats × ${BURST_PER_CHAT}) | ${baseline.throughput.messagesPerSecond.toFixed(1)} msg/s | ${pincer.throughput.messagesPerSecond.toFixed(1)} msg/s | ${results.ratios.throughput.toFixed(2)}× |

Resident memory after ${CONVERSATIONS} concurrent conversations: gateway ${mb(memory.gatewayRssBytes)}, worker
process (workers + this benchmark) ${mb(memory.workerRssBytes)}. With the LLM: not measured yet (the
inference service is on another branch).
${end}`,
    );
  } finally {
    gateway?.kill('SIGTERM');
    for (const stop of stops) await stop().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
