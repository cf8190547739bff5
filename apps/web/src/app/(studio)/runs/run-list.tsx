'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import {
  EmptyState,
  ErrorState,
  formatDuration,
  formatTime,
  Loading,
  StatusBadge,
  shortRunId,
} from '../../../components/ui/states.tsx';
import { useTRPC } from '../../../lib/trpc/client.tsx';

const STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;
const TRIGGERS = ['manual', 'webhook', 'schedule', 'chat', 'email', 'subworkflow'] as const;
const PERIODS = { '': 'Any time', '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days' } as const;
const PERIOD_KEYS = ['', '1h', '24h', '7d'] as const;
const PERIOD_MS: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

type Status = (typeof STATUSES)[number];
type Trigger = (typeof TRIGGERS)[number];

export function RunList() {
  const trpc = useTRPC();
  const [workflow, setWorkflow] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const [trigger, setTrigger] = useState<Trigger | ''>('');
  const [period, setPeriod] = useState<keyof typeof PERIODS>('');
  // Rounded to the minute so the query key stays put between renders.
  const since = period
    ? new Date(Math.floor((Date.now() - (PERIOD_MS[period] ?? 0)) / 60_000) * 60_000)
    : undefined;
  const workflows = useQuery(trpc.workflows.list.queryOptions({}));
  const runs = useQuery(
    trpc.runs.list.queryOptions(
      {
        ...(workflow ? { workflow } : {}),
        ...(status ? { status } : {}),
        ...(trigger ? { trigger } : {}),
        ...(since ? { since } : {}),
        limit: 100,
      },
      { refetchInterval: 5_000 },
    ),
  );
  return (
    <section>
      <div className="page-head">
        <h1>Runs</h1>
      </div>
      <div className="filters">
        <select aria-label="Workflow" value={workflow} onChange={(event) => setWorkflow(event.target.value)}>
          <option value="">All workflows</option>
          {workflows.data?.workflows.map((w) => (
            <option key={w.name}>{w.name}</option>
          ))}
        </select>
        <select
          aria-label="Status"
          value={status}
          onChange={(event) => setStatus(STATUSES.find((s) => s === event.target.value) ?? '')}
        >
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select
          aria-label="Trigger"
          value={trigger}
          onChange={(event) => setTrigger(TRIGGERS.find((t) => t === event.target.value) ?? '')}
        >
          <option value="">Any trigger</option>
          {TRIGGERS.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <select
          aria-label="Time"
          value={period}
          onChange={(event) => setPeriod(PERIOD_KEYS.find((key) => key === event.target.value) ?? '')}
        >
          {Object.entries(PERIODS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {runs.isPending && <Loading what="runs" />}
      {runs.error && <ErrorState error={runs.error} retry={() => runs.refetch()} />}
      {runs.data && runs.data.length === 0 && (
        <EmptyState title="No runs here">
          Runs appear when a workflow starts: press Run now in a workflow, call POST
          /api/v1/workflows/NAME/runs, or wait for its schedule. Filters may hide some: clear them.
        </EmptyState>
      )}
      {runs.data && runs.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Workflow</th>
              <th>Status</th>
              <th className="hide-phone">Trigger</th>
              <th className="hide-phone">Started</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.map((run) => (
              <tr key={run.id}>
                <td>
                  <Link href={`/runs/${run.id}`}>{shortRunId(run.id)}</Link>
                </td>
                <td>
                  {run.workflow} <span className="muted">v{run.version}</span>
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td className="hide-phone">
                  {run.trigger} <span className="muted small">{run.actor}</span>
                </td>
                <td className="hide-phone">{formatTime(run.createdAt)}</td>
                <td>{formatDuration(run.startedAt ?? run.createdAt, run.finishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
