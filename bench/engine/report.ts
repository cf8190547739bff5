/** Prints the tables, writes bench/results/engine.json and rewrites this benchmark's docs section. */
import { execFileSync } from 'node:child_process';
import { docsMarks, writeBenchResults, writeDocsSection } from '../lib/output.ts';
import { repoRoot } from '../startup/pincer-run.ts';
import type { Machine } from '../startup/report.ts';
import type { Breakdown, HistoryShape, Stretches } from './breakdown.ts';
import { NOOP_STEPS } from './shapes.ts';
import type { Ratios, Summary, WorkflowRatio } from './summary.ts';
import { WEBHOOK_PLAN } from './webhook-bench.ts';
import { type Sample, WORKFLOW_PLAN } from './workflow-bench.ts';

export interface Results {
  machine: Machine;
  date: string;
  /** The commit measured, and whether the work tree had changes on top of it. */
  code: { commit: string; dirty: boolean };
  notes: string[];
  plan: { workflow: typeof WORKFLOW_PLAN; webhook: typeof WEBHOOK_PLAN };
  /** Every run's times (ms) of part A; autocannon keeps no per-request times, its aggregates are in summary. */
  runs: { workflow: Sample[] };
  summary: Summary;
  ratios: Ratios;
}

export const NOTES = [
  'Everything runs on one machine: PostgreSQL, the Temporal dev server (on a SQLite file, with the flags `npm start` uses), the web server and the baseline servers as child processes, and all Temporal workers plus the load generator in the benchmark process. Compare the ratios, not the absolute numbers.',
  `Part A: each run is timed from the start call to its result in the benchmark process. Pincer: startRun then waitForRun; Temporal: workflow.start then result(). A warm-up of ${WORKFLOW_PLAN.warmup.runs} runs of each at c=${WORKFLOW_PLAN.warmup.concurrency}, then each level in ${WORKFLOW_PLAN.rounds} rounds with the order of the variants reversed every round; runs/s is runs over the summed wall time.`,
  "Part A's breakdown: every c=1 run of Pincer and of the local-activity baseline cut at its Temporal history's event times (execution started, first workflow task started, last workflow task completed, execution completed) and the benchmark's wall clock; Pincer's per-step time from its StepRun end times; the engine's createRun/recordStep/recordRun/recordBatch called alone on the same database after the runs (the Run rows createRun leaves stay queued).",
  `Part B: autocannon (keep-alive connections, no pipelining), ${WEBHOOK_PLAN.warmupSeconds} s warm-up then ${WEBHOOK_PLAN.seconds} s per server and concurrency; a request counts as correct only with status 2xx and the expected JSON body. CPU per request: utime+stime (+ reaped children) from /proc of the server, the benchmark process alone, Temporal and PostgreSQL with their descendants, over the measured window. n8n on the same workflow is measured by npm run bench:peers.`,
];

export function codeVersion(): { commit: string; dirty: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain').length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

// --- tables, rendered for the terminal and for Markdown from the same rows ----------------------

interface Table {
  header: string[];
  rows: string[][];
}

function markdown({ header, rows }: Table): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, index) => (index === 0 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

function plain({ header, rows }: Table): string {
  const all = [header, ...rows].map((cells) =>
    cells.map((cell) => cell.replaceAll('**', '').replaceAll('`', '')),
  );
  const widths = header.map((_, column) => Math.max(...all.map((cells) => cells[column]?.length ?? 0)));
  return all
    .map((cells) =>
      cells
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const times = (value: number) => `${value.toFixed(2)}×`;
const pct = (value: number) => `${value > 0 ? '+' : ''}${value.toFixed(1)} %`;
const perSec = (value: number) => value.toFixed(1);

function workflowTable(summary: Summary): Table {
  return {
    header: ['', 'concurrency', 'runs', 'p50', 'p95', 'runs/s'],
    rows: summary.workflow.map((row) => [
      row.label,
      String(row.concurrency),
      String(row.runs),
      ms(row.latencyMs.p50),
      ms(row.latencyMs.p95),
      perSec(row.runsPerSec),
    ]),
  };
}

function workflowRatioTable(ratios: Ratios): Table {
  return {
    header: [
      'Pincer vs Temporal, local activities',
      'p50 ×',
      'p95 ×',
      'throughput ÷',
      'overhead p50',
      'overhead runs/s',
      'p50 × vs activities',
    ],
    rows: ratios.workflow.map((row) => [
      `c=${row.concurrency}`,
      times(row.p50),
      times(row.p95),
      times(row.throughput),
      pct(row.latencyOverheadPct),
      pct(row.throughputOverheadPct),
      times(row.vsActivities.p50),
    ]),
  };
}

function worstLevel(ratios: WorkflowRatio[]): string {
  const worst = Math.max(...ratios.flatMap((row) => [row.latencyOverheadPct, row.throughputOverheadPct]));
  const found = ratios.find((row) => row.latencyOverheadPct === worst || row.throughputOverheadPct === worst);
  if (!found) return '';
  return found.latencyOverheadPct === worst
    ? `p50 latency at c=${found.concurrency}`
    : `runs/s at c=${found.concurrency}`;
}

function targetLine(ratios: Ratios): string {
  const { target } = ratios;
  const spread = ratios.workflow
    .map(
      (row) =>
        `c=${row.concurrency}: p50 ${pct(row.latencyOverheadPct)}, runs/s ${pct(row.throughputOverheadPct)}`,
    )
    .join('; ');
  const head = target.met
    ? `**Target met**: Pincer's overhead over the hand-written Temporal workflow stays within ${target.limitPct} %`
    : `**Target not met**: the issue asks for at most ${target.limitPct} % overhead over hand-written Temporal; Pincer's worst is ${pct(target.worstPct)} (${worstLevel(ratios.workflow)})`;
  return `${head} (${spread}).`;
}

function stretchRow(label: string, pick: (stretches: Stretches) => number, breakdown: Breakdown): string[] {
  const { pincer, temporal } = breakdown.stretchesMs;
  return [label, ms(pick(pincer)), ms(pick(temporal)), ms(pick(pincer) - pick(temporal))];
}

/** Pincer's time in the worker, cut at its StepRuns: rows with no Temporal column. */
function workerSplitRows(breakdown: Breakdown): string[][] {
  const split = breakdown.pincerWorkerMs;
  return [
    [
      '  · of which until step 1 ended (its StepRun time; inline steps carry their workflow task time)',
      ms(split.untilFirstStep),
      '',
      '',
    ],
    [`  · of which steps 2–${NOOP_STEPS} (${ms(split.perStep)} per step)`, ms(split.otherSteps), '', ''],
    ['  · of which after the last step (run marked done)', ms(split.afterLastStep), '', ''],
  ];
}

function stretchTable(breakdown: Breakdown): Table {
  const { history } = breakdown;
  const count = (label: string, pick: (shape: HistoryShape) => number) => [
    label,
    String(pick(history.pincer)),
    String(pick(history.temporal)),
    String(pick(history.pincer) - pick(history.temporal)),
  ];
  return {
    header: [
      'a run at c=1, cut at its history (medians)',
      'Pincer',
      'Temporal, local activities',
      'Pincer extra',
    ],
    rows: [
      stretchRow('start call → Temporal has the execution', (stretch) => stretch.untilStarted, breakdown),
      stretchRow('→ a worker takes the workflow task', (stretch) => stretch.untilPickedUp, breakdown),
      stretchRow(
        'in the worker: the workflow task(s), local activities included',
        (stretch) => stretch.inWorker,
        breakdown,
      ),
      ...workerSplitRows(breakdown),
      stretchRow('execution completed → result in the client', (stretch) => stretch.untilResult, breakdown),
      stretchRow('total', (stretch) => stretch.total, breakdown),
      count('history events', (shape) => shape.events),
      count('workflow tasks', (shape) => shape.workflowTasks),
      count('local activities (markers)', (shape) => shape.localActivities),
    ],
  };
}

const STRETCH_NAMES: [keyof Stretches, string][] = [
  ['untilStarted', 'the start call'],
  ['untilPickedUp', 'the pickup by a worker'],
  ['inWorker', 'the worker'],
  ['untilResult', 'the way back to the client'],
];

/** Names the stretch with the most extra time; the pickup is the server's matching, the same for both. */
function whereLine(breakdown: Breakdown): string {
  const { pincer, temporal } = breakdown.stretchesMs;
  const extras = STRETCH_NAMES.map(([key, name]) => ({ name, extra: pincer[key] - temporal[key] }));
  const largest = extras.reduce((best, entry) => (entry.extra > best.extra ? entry : best));
  const split = breakdown.pincerWorkerMs;
  return (
    `Pincer's largest extra is in ${largest.name} (${ms(largest.extra)} of ${ms(pincer.total - temporal.total)} in all at c=1). ` +
    `In the worker, its steps take ${ms(split.perStep)} each from one StepRun to the next, and ${ms(split.untilFirstStep)} pass ` +
    `before step 1 is recorded and ${ms(split.afterLastStep)} after the last. The pickup by a worker is Temporal's task matching, ` +
    'the same server for both sides; it varies from run to run, so compare its medians with care.'
  );
}

function costTable(breakdown: Breakdown): Table {
  const { isolatedMs: wall, isolatedCpuMs: cpu } = breakdown;
  return {
    header: ["Pincer's recording calls, each alone", 'median', 'CPU per call'],
    rows: [
      ['`createRun` (the rows a start writes)', ms(wall.createRun), ms(cpu.createRun)],
      ['`recordStep` (one StepRun upsert)', ms(wall.recordStep), ms(cpu.recordStep)],
      ['`recordRun` (one Run update)', ms(wall.recordRun), ms(cpu.recordRun)],
      [
        `\`recordBatch\` (a run's ${NOOP_STEPS} StepRuns and its Run, one statement)`,
        ms(wall.recordBatch),
        ms(cpu.recordBatch),
      ],
      [
        "Pincer's local activities × `recordStep`: the writes in the worker, roughly",
        ms(breakdown.estimatedRecordingMs),
        '',
      ],
    ],
  };
}

function workflowCpuTable(summary: Summary): Table {
  const cpu = (value: number) => value.toFixed(2);
  return {
    header: ['CPU ms per run', 'concurrency', 'benchmark process', 'Temporal', 'PostgreSQL', 'total'],
    rows: summary.workflow.map((row) => [
      row.label,
      String(row.concurrency),
      cpu(row.cpuMsPerRun.bench),
      cpu(row.cpuMsPerRun.temporal),
      cpu(row.cpuMsPerRun.postgres),
      cpu(row.cpuMsPerRun.total),
    ]),
  };
}

function recordedLine(breakdown: Breakdown): string {
  const { runs, stepRuns, expectedStepRuns } = breakdown.recorded;
  const ok = stepRuns === expectedStepRuns;
  return `${ok ? 'Recorded' : '**Recording incomplete**:'} ${runs} succeeded runs with ${stepRuns} succeeded StepRuns (${NOOP_STEPS} each would be ${expectedStepRuns}).`;
}

function webhookTable(summary: Summary, labels: Record<string, string>): Table {
  return {
    header: ['', 'concurrency', 'req/s', 'p50', 'p99', 'requests', 'errors', 'non-2xx', 'wrong body'],
    rows: summary.webhook.map((row) => [
      labels[row.target] ?? row.target,
      String(row.concurrency),
      perSec(row.requestsPerSec),
      `${row.latencyMs.p50} ms`,
      `${row.latencyMs.p99} ms`,
      String(row.requests),
      String(row.errors),
      String(row.non2xx),
      String(row.mismatches),
    ]),
  };
}

function webhookRatioTable(ratios: Ratios): Table {
  return {
    header: [
      'Pincer webhook',
      'req/s ÷ durable',
      'p50 × durable',
      'p99 × durable',
      'bare req/s ÷ Pincer',
      'p50 over bare',
    ],
    rows: ratios.webhook.map((row) => [
      `c=${row.concurrency}`,
      times(row.throughputVsDurable),
      times(row.p50VsDurable),
      times(row.p99VsDurable),
      `${row.bareOverPincer}×`,
      `+${row.p50OverBareMs} ms`,
    ]),
  };
}

function cpuTable(summary: Summary, labels: Record<string, string>): Table {
  const cpu = (value: number) => value.toFixed(2);
  return {
    header: [
      'CPU ms per request',
      'concurrency',
      'its server',
      'benchmark process',
      'Temporal',
      'PostgreSQL',
      'total',
      'machine busy',
    ],
    rows: summary.webhook.map((row) => [
      labels[row.target] ?? row.target,
      String(row.concurrency),
      cpu(row.cpuMsPerRequest.server),
      cpu(row.cpuMsPerRequest.bench),
      cpu(row.cpuMsPerRequest.temporal),
      cpu(row.cpuMsPerRequest.postgres),
      cpu(row.cpuMsPerRequest.total),
      `${row.machineBusyPct} %`,
    ]),
  };
}

/** Pincer's CPU per run against the matching baseline's at the highest concurrency. */
function workflowCpuLine(summary: Summary, ratios: Ratios): string {
  const top = Math.max(...summary.workflow.map((row) => row.concurrency));
  const of = (variant: string) =>
    summary.workflow.find((row) => row.variant === variant && row.concurrency === top)?.cpuMsPerRun.total ??
    0;
  const throughput = ratios.workflow.find((row) => row.concurrency === top)?.throughput ?? 0;
  const pincer = of('pincer');
  const temporal = of('temporalLocal');
  return `At c=${top} Pincer spends ${times(pincer / temporal)} the CPU per run of the hand-written workflow (${ms(pincer)} against ${ms(temporal)}); its throughput ratio there is ${times(throughput)}.`;
}

/** Pincer's CPU per request against the durable baseline's at the highest concurrency. */
function webhookCpuLine(summary: Summary): string {
  const top = Math.max(...summary.webhook.map((row) => row.concurrency));
  const of = (target: string) =>
    summary.webhook.find((row) => row.target === target && row.concurrency === top);
  const pincer = of('pincer')?.cpuMsPerRequest;
  const durable = of('durable')?.cpuMsPerRequest;
  if (!pincer || !durable) return '';
  return `At c=${top} a Pincer webhook request costs ${ms(pincer.total)} of CPU against ${ms(durable.total)} for the hand-written durable server (${times(pincer.total / durable.total)}): ${ms(pincer.bench)} in the benchmark's process, where Pincer's worker runs, ${ms(pincer.server)} in the web server, ${ms(pincer.temporal)} in Temporal, ${ms(pincer.postgres)} in PostgreSQL.`;
}

function failedRequests(summary: Summary): number {
  return summary.webhook.reduce((total, row) => total + row.errors + row.non2xx + row.mismatches, 0);
}

function failureLine(summary: Summary): string {
  const failed = failedRequests(summary);
  return failed === 0
    ? 'Every answer was checked: no connection errors, no non-2xx status, no wrong body.'
    : `**${failed} requests failed** (connection errors, non-2xx or a wrong body): the rows with failures do not measure the path.`;
}

const TARGET_LABELS: Record<string, string> = {
  bare: 'bare node:http, inline (ceiling)',
  durable: 'hand-written Temporal, 3 local activities',
  pincer: 'Pincer webhook (`respond: when_done`)',
};

export function printSummary(results: Results): void {
  const { summary, ratios } = results;
  console.log(`\nA. ${NOOP_STEPS}-step no-op workflow, start → result\n`);
  console.log(plain(workflowTable(summary)));
  console.log('');
  console.log(plain(workflowRatioTable(ratios)));
  console.log(`\n${targetLine(ratios).replaceAll('**', '')}`);
  console.log(`${recordedLine(summary.breakdown).replaceAll('**', '')}\n`);
  console.log(plain(stretchTable(summary.breakdown)));
  console.log(`\n${whereLine(summary.breakdown).replaceAll('`', '')}\n`);
  console.log(plain(costTable(summary.breakdown)));
  console.log('');
  console.log(plain(workflowCpuTable(summary)));
  console.log(`\n${workflowCpuLine(summary, ratios)}`);
  console.log('\nB. webhook → transform → condition → respond\n');
  console.log(plain(webhookTable(summary, TARGET_LABELS)));
  console.log('');
  console.log(plain(webhookRatioTable(ratios)));
  console.log(`\n${failureLine(summary).replaceAll('**', '')}\n`);
  console.log(plain(cpuTable(summary, TARGET_LABELS)));
  console.log(`\n${webhookCpuLine(summary)}`);
}

export function writeResults(results: Results): Promise<string> {
  return writeBenchResults('engine', results);
}

const { start: START_MARK, end: END_MARK } = docsMarks('engine');

function engineSection(results: Results, minutes: number): string {
  const { summary, ratios, machine: box, code } = results;
  const load = `load average ${box.loadAverage.start}${box.loadAverage.end === undefined ? '' : ` → ${box.loadAverage.end}`}`;
  const levels = WORKFLOW_PLAN.levels
    .map((level) => `${level.runs} runs at c=${level.concurrency}`)
    .join(' and ');
  const commit = `${code.commit}${code.dirty ? ' plus uncommitted changes' : ''}`;
  return `${START_MARK}
## Engine

\`npm run bench:engine\` (\`bench/engine/\`, took ${minutes.toFixed(1)} min) starts all it measures itself: a fresh
embedded PostgreSQL (migrated), a Temporal dev server on a SQLite file with \`npm start\`'s flags, Pincer's real workers (\`startWorkers\`) on
a namespace of their own and the baseline worker on its own task queue (its workflows bundled at the
start), all workers in the benchmark's process.

Measured ${results.date} at ${commit} on ${box.cpus} × ${box.model}, ${box.memGB} GB, Node ${box.node}
(${load}; shared machine). Raw numbers: [bench/results/engine.json](../bench/results/engine.json).

### A. A ${NOOP_STEPS}-step no-op workflow

- **Pincer**: ${NOOP_STEPS} \`transform\` steps with \`value: null\`. Transform is a pure node, so the
  interpreter runs it inside the workflow (no activity) and keeps its StepRun back; the ${NOOP_STEPS}
  StepRuns and the run's own records are written by one local activity (\`recordBatch\`, one SQL
  statement) at the run's end; \`startRun\` → \`waitForRun\`. Every run still leaves its ${NOOP_STEPS} StepRuns
  (checked below).
- **Temporal SDK, local activities**, the matching baseline: a hand-written workflow calling ${NOOP_STEPS} no-op
  local activities; \`workflow.start\` → \`result()\`.
- **Temporal SDK, activities**, for reference: the same with ${NOOP_STEPS} regular activities.

Each run is timed from the start call to its result: ${levels} per variant after a warm-up, in
${WORKFLOW_PLAN.rounds} rounds with the order of the variants reversed every round.

${markdown(workflowTable(summary))}

${markdown(workflowRatioTable(ratios))}

${targetLine(ratios)}

${recordedLine(summary.breakdown)}

Where Pincer's time goes, seen from outside the product (no switches in it): the c=1 runs above cut at
the times of their Temporal history (server and benchmark share the machine's clock), the steps' own
StepRun times, and the engine's recording calls timed alone on the same database after the runs.

${markdown(stretchTable(summary.breakdown))}

${whereLine(summary.breakdown)}

${markdown(costTable(summary.breakdown))}

CPU per run, from \`/proc\` over each variant's runs: the benchmark's process (the clients and all
Temporal workers), the Temporal dev server, and PostgreSQL with its backends.

${markdown(workflowCpuTable(summary))}

${workflowCpuLine(summary, ratios)}

### B. Webhook → transform → condition → respond

The path users compare with n8n: \`POST /api/v1/hooks/{id}\` with \`X-Pincer-Secret\` on the real web
server (\`node --import tsx apps/web/src/server.ts\`, a child process) and the real worker, the webhook
set to \`respond: when_done\`, so each request waits for its run and is answered by its \`respond\`
step. The three steps are all pure, so the web server runs them itself and records the run, its
steps and its audit event in one statement before answering (no Temporal workflow; see
architecture.md, inline runs). Baselines in the same run, each a child process too:

- **bare node:http**: the same transform and condition inline, nothing durable: the ceiling.
- **hand-written Temporal**: a node:http server that starts a workflow of 3 local activities (transform,
  condition, respond) and answers with its result: the durable equivalent.

autocannon, ${WEBHOOK_PLAN.warmupSeconds} s warm-up then ${WEBHOOK_PLAN.seconds} s per server at concurrency ${WEBHOOK_PLAN.concurrency.join(', ')}; every
answer is checked (2xx and the expected JSON body). n8n on the same workflow: \`npm run bench:peers\`
(its section below).

${markdown(webhookTable(summary, TARGET_LABELS))}

${markdown(webhookRatioTable(ratios))}

${failureLine(summary)}

Where the CPU goes, from \`/proc\` during each measured window: the server under load, the benchmark's
own process (all Temporal workers, Pincer's and the baseline's, and autocannon), the Temporal dev server
and PostgreSQL with its backends. "Machine busy" is all of it over the window and the machine's
${box.cpus} cores; other work on the machine comes on top.

${markdown(cpuTable(summary, TARGET_LABELS))}

${webhookCpuLine(summary)}
${END_MARK}`;
}

/** Replaces this benchmark's section of docs/benchmarks.md, appending it if it is not there yet. */
export function writeDocs(results: Results, minutes: number): Promise<string> {
  return writeDocsSection('engine', engineSection(results, minutes));
}
