// npm run bench:startup — cold and warm start-to-healthy of the embedded default, against the bare
// PostgreSQL and Temporal dev server measured in the same run. Measurements only: no thresholds.
import os from 'node:os';
import path from 'node:path';
import { type BaselineRun, timeBaseline } from './baseline.ts';
import { whyNpmStartIsNotWarm } from './npm-start.ts';
import { type StartRun, timeStart } from './pincer-run.ts';
import { machine, NOTES, printSummary, type Results, writeDocs, writeResults } from './report.ts';
import { Cleanup, freePorts, pincerEnv, processesMentioning, type Scratch } from './scratch.ts';
import { type Runs, summarize } from './summary.ts';

const PLAN = { cold: 2, warm: 3, npmStartWarm: 1, baseline: 3 };
const COLD_TIMEOUT_MS = 10 * 60_000;
const WARM_TIMEOUT_MS = 3 * 60_000;

interface Launch {
  command: string;
  args: string[];
  extraEnv?: NodeJS.ProcessEnv;
  timeoutMs: number;
}

const cliStart = (timeoutMs: number, extraEnv: NodeJS.ProcessEnv = {}): Launch => ({
  command: process.execPath,
  args: [path.join('apps', 'cli', 'bin', 'pincer.mjs'), 'start'],
  extraEnv,
  timeoutMs,
});

const npmStartLaunch: Launch = { command: 'npm', args: ['start'], timeoutMs: WARM_TIMEOUT_MS };

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function leftoversOf(scratch: Scratch): () => string[] {
  return () => processesMentioning(scratch.root).map(({ pid, command }) => `${pid} ${command}`);
}

async function startOnce(
  cleanup: Cleanup,
  scratch: Scratch,
  launch: Launch,
  title: string,
): Promise<StartRun> {
  process.stdout.write(`${title} … `);
  const ports = await freePorts();
  const run = await timeStart({
    command: launch.command,
    args: launch.args,
    env: pincerEnv(scratch, ports, launch.extraEnv),
    scratch,
    ports,
    timeoutMs: launch.timeoutMs,
    cleanup,
    leftovers: leftoversOf(scratch),
  });
  const turbo = run.turbo ? ` · turbo ${run.turbo}` : '';
  console.log(
    `healthy ${seconds(run.healthyMs)} · ready line ${seconds(run.readyLineMs)} · stopped in ${seconds(run.shutdownMs)}${turbo}`,
  );
  if (run.leftovers.length > 0)
    console.log(`  ! still running after exit:\n    ${run.leftovers.join('\n    ')}`);
  return run;
}

async function baselineOnce(cleanup: Cleanup, scratch: Scratch, title: string): Promise<BaselineRun> {
  process.stdout.write(`${title} … `);
  const ports = await freePorts();
  const run = await timeBaseline(scratch, ports, cleanup);
  console.log(
    `postgres ${seconds(run.postgresMs)} (stop ${seconds(run.postgresStopMs)}) · temporal ${seconds(run.temporalMs)} (stop ${seconds(run.temporalStopMs)})`,
  );
  return run;
}

async function repeat<T>(times: number, work: (title: string) => Promise<T>, name: string): Promise<T[]> {
  const results: T[] = [];
  for (let index = 1; index <= times; index += 1) results.push(await work(`${name} ${index}/${times}`));
  return results;
}

/** Cold runs each on a fresh installation; the last one is kept for the warm runs and the baseline. */
async function coldRuns(cleanup: Cleanup): Promise<{ runs: StartRun[]; installation: Scratch }> {
  const runs: StartRun[] = [];
  let installation: Scratch | undefined;
  for (let index = 1; index <= PLAN.cold; index += 1) {
    if (installation) await cleanup.remove(installation);
    installation = await cleanup.scratch('cold');
    const launch = cliStart(COLD_TIMEOUT_MS, { PIP_NO_CACHE_DIR: '1' });
    runs.push(await startOnce(cleanup, installation, launch, `cold run ${index}/${PLAN.cold}`));
  }
  if (!installation) throw new Error('the plan has no cold run');
  return { runs, installation };
}

/** `npm start` only when it would be warm: otherwise its bootstrap reinstalls or rebuilds the checkout. */
async function npmStartRuns(cleanup: Cleanup, installation: Scratch) {
  const skipped = await whyNpmStartIsNotWarm();
  if (skipped) {
    console.log(`\`npm start\` warm run: skipped, ${skipped}`);
    return { runs: [], skipped };
  }
  const runs = await repeat(
    PLAN.npmStartWarm,
    (title) => startOnce(cleanup, installation, npmStartLaunch, title),
    '`npm start` warm run',
  );
  return { runs, skipped };
}

async function measureAll(cleanup: Cleanup): Promise<{ runs: Runs; npmStartSkipped: string | null }> {
  const { runs: cold, installation } = await coldRuns(cleanup);
  const warm = await repeat(
    PLAN.warm,
    (title) => startOnce(cleanup, installation, cliStart(WARM_TIMEOUT_MS), title),
    'warm run',
  );
  const npmStart = await npmStartRuns(cleanup, installation);
  const baseline = await repeat(
    PLAN.baseline,
    (title) => baselineOnce(cleanup, installation, title),
    'baseline run',
  );
  const left = leftoversOf(installation)();
  console.log(left.length === 0 ? '\nno process left behind' : `\n! left behind:\n  ${left.join('\n  ')}`);
  return { runs: { cold, warm, npmStartWarm: npmStart.runs, baseline }, npmStartSkipped: npmStart.skipped };
}

function stopOnSignals(cleanup: Cleanup): void {
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: stopping everything the benchmark started`);
    void cleanup.all().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  stopOnSignals(cleanup);
  const box = machine();
  console.log(
    `Startup benchmark on ${box.cpus} × ${box.model}, ${box.memGB} GB, Node ${box.node} (load ${box.loadAverage.start})`,
  );
  console.log('node_modules and the build already exist; a fresh clone adds `npm ci` and `next build`.\n');
  try {
    const date = new Date().toISOString();
    const { runs, npmStartSkipped } = await measureAll(cleanup);
    box.loadAverage.end = Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
    const summary = summarize(runs, npmStartSkipped);
    const results: Results = { machine: box, date, notes: NOTES, runs, summary };
    printSummary(results.summary);
    console.log(`\nwrote ${path.relative(process.cwd(), await writeResults(results))}`);
    console.log(`wrote ${path.relative(process.cwd(), await writeDocs(results))}`);
  } finally {
    await cleanup.all();
  }
}

await main();
