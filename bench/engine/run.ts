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
import { codeVersion, NOTES, printSummary, type Results, writeDocs, writeResults } from './report.ts';
import { startServers } from './servers.ts';
import { summarize } from './summary.ts';
import { Teardown } from './teardown.ts';
import { measureWebhooks, WEBHOOK_PLAN } from './webhook-bench.ts';
import { measureWorkflows, WORKFLOW_PLAN } from './workflow-bench.ts';

function stopOnSignals(teardown: Teardown, cleanup: Cleanup): void {
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: stopping everything the benchmark started`);
    void teardown
      .run()
      .then(() => cleanup.all())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
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
  pids.push(...env.pids);
  const workflows = await importWorkflows(env.db, env.pincer, env.registry);

  console.log('\nA. 10-step no-op workflow: Pincer vs the Temporal SDK');
  const samples = await measureWorkflows(env);
  process.stdout.write('  where the time goes (histories, recording calls alone) … ');
  const breakdown = await explain(env, samples);
  console.log('done');

  console.log('\nB. webhook → transform → condition → respond');
  const servers = await startServers(env, workflows, scratch, cleanup, teardown);
  pids.push(...servers.pids);
  const webhook = await measureWebhooks(servers.targets);
  return { samples, ...summarize(samples, breakdown, webhook) };
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  const teardown = new Teardown();
  stopOnSignals(teardown, cleanup);
  const box = machine();
  console.log(
    `Engine benchmark on ${box.cpus} × ${box.model}, ${box.memGB} GB, Node ${box.node} (load ${box.loadAverage.start})\n`,
  );
  const started = performance.now();
  const date = new Date().toISOString();
  const pids: number[] = [];
  let scratch: Scratch | undefined;
  try {
    scratch = await cleanup.scratch('engine');
    const { samples, summary, ratios } = await measure(cleanup, teardown, scratch, pids);
    box.loadAverage.end = Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
    const results: Results = {
      machine: box,
      date,
      code: codeVersion(),
      notes: NOTES,
      plan: { workflow: WORKFLOW_PLAN, webhook: WEBHOOK_PLAN },
      runs: { workflow: samples },
      summary,
      ratios,
    };
    printSummary(results);
    const minutes = (performance.now() - started) / 60_000;
    console.log(`\nwrote ${path.relative(process.cwd(), await writeResults(results))}`);
    console.log(`wrote ${path.relative(process.cwd(), await writeDocs(results, minutes))}`);
  } finally {
    await teardown.run();
    const left = leftovers(scratch, pids);
    console.log(
      left.length === 0 ? '\nno process left behind' : `\n! left behind, killing:\n  ${left.join('\n  ')}`,
    );
    await cleanup.all();
  }
}

await main();
