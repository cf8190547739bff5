// npm run bench:engine — Pincer's engine against hand-written Temporal, measured in one run:
// A. a 10-step no-op workflow (latency and runs/s at two concurrencies), B. the webhook path under
// load against a bare and a durable hand-written server. Measurements only: no thresholds enforced.
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '@pincer/provision';
import { machine } from '../startup/report.ts';
import { Cleanup, processesMentioning, type Scratch } from '../startup/scratch.ts';
import { explain } from './breakdown.ts';
import { importWorkflows } from './definitions.ts';
import { buildOnce, startEnvironment } from './environment.ts';
import { QUICK } from './mode.ts';
import { codeVersion, NOTES, printSummary, type Results, writeDocs, writeResults } from './report.ts';
import { startServers } from './servers.ts';
import { summarize } from './summary.ts';
import { Teardown } from './teardown.ts';
import { measureWebhooks, WEBHOOK_PLAN } from './webhook-bench.ts';
import { measureWorkflows, WORKFLOW_PLAN } from './workflow-bench.ts';

let stopping = false;

/** After a signal, calls cut off mid-way fail in timers and callbacks: nothing is left to report. */
function ignoreWhileStopping(): void {}

function stopOnSignals(stopAll: () => Promise<void>): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping everything the benchmark started`);
    process.on('uncaughtException', ignoreWhileStopping);
    process.on('unhandledRejection', ignoreWhileStopping);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** The first call does the work; later calls (the signal's and main's) wait for the same. */
function once(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= work();
    return running;
  };
}

/** What is still alive after the teardown: it should be nothing (Cleanup kills it anyway). */
function leftovers(scratch: Scratch | undefined, pids: number[]): string[] {
  const byRoot = scratch
    ? processesMentioning(scratch.root).map(({ pid, command }) => `${pid} ${command}`)
    : [];
  const byPid = pids.filter((pid) => isAlive(pid)).map((pid) => `${pid} (started by the benchmark)`);
  return [...new Set([...byRoot, ...byPid])];
}

async function measure(cleanup: Cleanup, teardown: Teardown, scratch: Scratch, pids: number[]) {
  console.log('Setup');
  await buildOnce();
  const env = await startEnvironment(scratch, cleanup, teardown);
  pids.push(env.pids.postgres, env.pids.temporal);
  const workflows = await importWorkflows(env.db, env.pincer, env.registry);

  console.log('\nA. 10-step no-op workflow: Pincer vs the Temporal SDK');
  const measured = await measureWorkflows(env);
  process.stdout.write('  where the time goes (histories, recording calls alone) … ');
  const breakdown = await explain(env, measured);
  console.log('done');

  console.log('\nB. webhook → transform → condition → respond');
  const targets = await startServers(env, workflows, scratch, cleanup, teardown);
  pids.push(...targets.map((target) => target.pid));
  const webhook = await measureWebhooks(targets, env.pids);
  return { samples: measured.samples, ...summarize(measured.samples, breakdown, webhook) };
}

/** What the run started, for the leftover check at the end. */
interface Started {
  scratch?: Scratch;
  pids: number[];
}

function stopper(teardown: Teardown, cleanup: Cleanup, started: Started): () => Promise<void> {
  return once(async () => {
    await teardown.run();
    const left = leftovers(started.scratch, started.pids);
    console.log(
      left.length === 0 ? '\nno process left behind' : `\n! left behind, killing:\n  ${left.join('\n  ')}`,
    );
    await cleanup.all();
  });
}

async function report(results: Results, startedAt: number): Promise<void> {
  printSummary(results);
  if (QUICK) {
    console.log('\nquick mode (PINCER_BENCH_QUICK=1): results and docs left as they were');
    return;
  }
  const minutes = (performance.now() - startedAt) / 60_000;
  console.log(`\nwrote ${path.relative(process.cwd(), await writeResults(results))}`);
  console.log(`wrote ${path.relative(process.cwd(), await writeDocs(results, minutes))}`);
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  const teardown = new Teardown();
  const started: Started = { pids: [] };
  const stopAll = stopper(teardown, cleanup, started);
  stopOnSignals(stopAll);
  const box = machine();
  console.log(
    `Engine benchmark on ${box.cpus} × ${box.model}, ${box.memGB} GB, Node ${box.node} (load ${box.loadAverage.start})\n`,
  );
  const startedAt = performance.now();
  const date = new Date().toISOString();
  try {
    started.scratch = await cleanup.scratch('engine');
    const { samples, summary, ratios } = await measure(cleanup, teardown, started.scratch, started.pids);
    box.loadAverage.end = Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
    await report(
      {
        machine: box,
        date,
        code: codeVersion(),
        notes: NOTES,
        plan: { workflow: WORKFLOW_PLAN, webhook: WEBHOOK_PLAN },
        runs: { workflow: samples },
        summary,
        ratios,
      },
      startedAt,
    );
  } finally {
    await stopAll();
  }
}

// Once a signal arrived, the signal's path finishes the cleanup and exits.
await main().catch((error: unknown) => {
  if (!stopping) throw error;
});
