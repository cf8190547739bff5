/**
 * `npm run bench:peers [-- --install]`: Pincer as `npm start` runs it against n8n (regular mode,
 * SQLite, executions saved) on one workflow, POST {"n":60} → doubled = n×2 → IF doubled > 100 →
 * respond {doubled, branch}, driven by the same load generator (autocannon) at c=1, 10 and 50, every
 * answer's status and body checked. Prints a ratio table, writes bench/results/peers.json and the
 * peers section of docs/benchmarks.md. `--install` installs n8n into the cache first when missing.
 * `PINCER_BENCH_QUICK=1`: short windows, printed only. Never part of `npm test`.
 */
import os from 'node:os';
import path from 'node:path';
import { round2 } from '../engine/stats.ts';
import { fireJson, type LoadCounts } from '../lib/load.ts';
import { docsMarks, writeBenchResults, writeDocsSection } from '../lib/output.ts';
import { whyNpmStartIsNotWarm } from '../startup/npm-start.ts';
import { Cleanup, freePorts } from '../startup/scratch.ts';
import { ensureN8n, N8N_VERSION, n8nDir, startN8n } from './n8n.ts';
import { startPincer } from './pincer.ts';
import { isExpected, REQUEST } from './workload.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const QUICK = process.env.PINCER_BENCH_QUICK === '1';
const PLAN = QUICK
  ? { warmupSeconds: 2, seconds: 4, concurrency: [1, 10, 50] }
  : { warmupSeconds: 5, seconds: 15, concurrency: [1, 10, 50] };

type Peer = 'pincer' | 'n8n';

interface Target {
  peer: Peer;
  url: string;
  headers: Record<string, string>;
}

interface LoadResult extends LoadCounts {
  peer: Peer;
  concurrency: number;
}

function fire(target: Target, concurrency: number, seconds: number): Promise<LoadCounts> {
  return fireJson({
    url: target.url,
    headers: target.headers,
    body: REQUEST,
    concurrency,
    seconds,
    isExpected,
  });
}

async function load(target: Target, concurrency: number): Promise<LoadResult> {
  await fire(target, concurrency, PLAN.warmupSeconds);
  return { ...(await fire(target, concurrency, PLAN.seconds)), peer: target.peer, concurrency };
}

const failuresOf = (result: LoadResult) =>
  result.errors + result.timeouts + result.non2xx + result.mismatches;

interface Row {
  concurrency: number;
  pincer: LoadResult;
  n8n: LoadResult;
  /** Pincer's req/s over n8n's. */
  ratio: number;
}

function table(rows: Row[]): string {
  const lines = [
    '| concurrency | Pincer req/s | n8n req/s | ratio | Pincer p50 | n8n p50 | Pincer p99 | n8n p99 | failed answers (Pincer / n8n) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { concurrency, pincer, n8n, ratio } of rows) {
    lines.push(
      `| ${concurrency} | ${pincer.requestsPerSec.toFixed(1)} | ${n8n.requestsPerSec.toFixed(1)} | ${ratio.toFixed(2)}× | ${pincer.latencyMs.p50} ms | ${n8n.latencyMs.p50} ms | ${pincer.latencyMs.p99} ms | ${n8n.latencyMs.p99} ms | ${failuresOf(pincer)} / ${failuresOf(n8n)} |`,
    );
  }
  return lines.join('\n');
}

function docsSection(
  rows: Row[],
  machine: { cpus: number; loadBefore: number[]; measuredAt: string },
): string {
  const { start, end } = docsMarks('peers');
  return `${start}
## Pincer against n8n (\`npm run bench:peers\`)

One run, one machine (${machine.cpus} cores, load average ${machine.loadBefore.map((value) => value.toFixed(1)).join(' / ')} before it started; ${machine.measuredAt}).
Pincer as \`npm start\` runs it (embedded PostgreSQL, Temporal dev server on its SQLite file with
the default \`temporal.embedded\` settings, supervised web server, worker and gateway) against n8n
${N8N_VERSION} (regular mode, SQLite, executions saved, its defaults). Both serve the same workflow,
POST \`{"n":60}\` → doubled = n×2 → IF doubled > 100 → respond \`{doubled, branch}\`; in Pincer it is
transform → condition → respond, which the web server runs itself (all steps pure, see
architecture.md) and records in one statement before answering. The same autocannon drives both,
${PLAN.warmupSeconds} s of warm-up then ${PLAN.seconds} s measured per concurrency, every answer's status and
body checked; concurrency levels outside, products inside, so each pair is measured close in time.

${table(rows)}

Reproduce: \`npm run bench:peers -- --install\` (installs n8n ${N8N_VERSION} from npm into
\`.pincer/cache/n8n/${N8N_VERSION}\` the first time, about 2.3 GB; \`PINCER_N8N_DIR\` points at another
installation). Results: \`bench/results/peers.json\`.
${end}`;
}

async function main(): Promise<void> {
  const install = process.argv.includes('--install');
  const cleanup = new Cleanup();
  const stops: (() => Promise<void>)[] = [];
  const interrupted = () => {
    void cleanup.all().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  const loadBefore = os.loadavg();
  try {
    console.log('Setting up');
    const bin = await ensureN8n(n8nDir(repoRoot), install);
    const scratch = await cleanup.scratch('peers');
    const notWarm = await whyNpmStartIsNotWarm();
    if (notWarm) console.log(`  note: npm start installs or builds first: ${notWarm}`);
    process.stdout.write('  Pincer: npm start on a fresh data directory … ');
    const pincer = await startPincer(repoRoot, scratch, await freePorts(), cleanup);
    stops.push(() => pincer.stop());
    console.log('ready');
    process.stdout.write(`  n8n ${N8N_VERSION}: import, publish, start … `);
    const n8n = await startN8n(bin, scratch, cleanup);
    stops.push(() => n8n.stop());
    console.log('ready');
    const targets: Target[] = [
      { peer: 'pincer', url: pincer.url, headers: pincer.headers },
      { peer: 'n8n', url: n8n.url, headers: {} },
    ];
    console.log(
      `\nLoad: ${PLAN.warmupSeconds} s warm-up + ${PLAN.seconds} s measured per product and concurrency`,
    );
    const rows: Row[] = [];
    for (const concurrency of PLAN.concurrency) {
      const results: Partial<Record<Peer, LoadResult>> = {};
      for (const target of targets) {
        const result = await load(target, concurrency);
        results[target.peer] = result;
        console.log(
          `  c=${String(concurrency).padEnd(3)} ${target.peer.padEnd(7)} ${result.requestsPerSec.toFixed(1)} req/s · p50 ${result.latencyMs.p50} ms · p99 ${result.latencyMs.p99} ms · ${result.requests} requests, ${failuresOf(result)} failed`,
        );
      }
      const { pincer: mine, n8n: theirs } = results;
      if (!mine || !theirs) throw new Error('a product was not measured');
      rows.push({
        concurrency,
        pincer: mine,
        n8n: theirs,
        ratio: round2(mine.requestsPerSec / theirs.requestsPerSec),
      });
    }
    console.log(`\n${table(rows)}\n`);
    const machine = { cpus: os.cpus().length, loadBefore, measuredAt: new Date().toISOString() };
    if (QUICK) {
      console.log('PINCER_BENCH_QUICK=1: results not written.');
      return;
    }
    const results = { benchmark: 'peers', n8nVersion: N8N_VERSION, plan: PLAN, machine, rows };
    console.log(`wrote ${await writeBenchResults('peers', results)}`);
    console.log(`wrote ${await writeDocsSection('peers', docsSection(rows, machine))}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cleanup.all();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
