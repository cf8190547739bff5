/**
 * CPU time of the processes the benchmark measures, from /proc: who spends what per run or
 * request. A process's own time plus its reaped children's, plus its live descendants' when asked
 * for (PostgreSQL's backends are children of the postmaster).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  ppid: number;
  /** utime + stime + cutime + cstime, in ms. */
  cpuMs: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    const fields = text
      .slice(text.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const ticks = (fields[11] ?? 0) + (fields[12] ?? 0) + (fields[13] ?? 0) + (fields[14] ?? 0);
    return { ppid: fields[1] ?? 0, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    const stat = Number.isInteger(pid) ? procStat(pid) : undefined;
    if (stat) stats.set(pid, stat);
  }
  return stats;
}

function descendantsOf(root: number, stats: Map<number, ProcStat>): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [pid, stat] of stats) {
      if (stat.ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

export interface CpuGroup {
  pid: number;
  withDescendants: boolean;
}

/**
 * The server under load (none in part A), the benchmark's process (workers, clients, load
 * generator), Temporal, PostgreSQL.
 */
export interface CpuGroups {
  server?: CpuGroup;
  bench: CpuGroup;
  temporal: CpuGroup;
  postgres: CpuGroup;
}

export type CpuTimes = Record<keyof CpuGroups, number>;

export const NO_CPU: CpuTimes = { server: 0, bench: 0, temporal: 0, postgres: 0 };

export function cpuSpent(before: CpuTimes, after: CpuTimes): CpuTimes {
  return {
    server: after.server - before.server,
    bench: after.bench - before.bench,
    temporal: after.temporal - before.temporal,
    postgres: after.postgres - before.postgres,
  };
}

export function addCpu(a: CpuTimes, b: CpuTimes): CpuTimes {
  return {
    server: a.server + b.server,
    bench: a.bench + b.bench,
    temporal: a.temporal + b.temporal,
    postgres: a.postgres + b.postgres,
  };
}

/** Per unit of work, rounded, with the total. */
export function cpuPer(spent: CpuTimes, units: number): CpuTimes & { total: number } {
  const per = (ms: number) => Math.round((ms / Math.max(1, units)) * 100) / 100;
  const total = spent.server + spent.bench + spent.temporal + spent.postgres;
  return {
    server: per(spent.server),
    bench: per(spent.bench),
    temporal: per(spent.temporal),
    postgres: per(spent.postgres),
    total: per(total),
  };
}

/** The services both parts share; the benchmark's children are the servers: count its process alone. */
export function serviceGroups(pids: { postgres: number; temporal: number }): CpuGroups {
  return {
    bench: { pid: process.pid, withDescendants: false },
    temporal: { pid: pids.temporal, withDescendants: true },
    postgres: { pid: pids.postgres, withDescendants: true },
  };
}

/** Cumulative CPU ms of each group now; subtract two snapshots for a window. */
export function cpuSnapshot(groups: CpuGroups): CpuTimes {
  const stats = allStats();
  const cpuOf = (group: CpuGroup | undefined) => {
    if (!group) return 0;
    const pids = group.withDescendants ? [group.pid, ...descendantsOf(group.pid, stats)] : [group.pid];
    return pids.reduce((total, pid) => total + (stats.get(pid)?.cpuMs ?? 0), 0);
  };
  return {
    server: cpuOf(groups.server),
    bench: cpuOf(groups.bench),
    temporal: cpuOf(groups.temporal),
    postgres: cpuOf(groups.postgres),
  };
}
