'use client';

import type { ReactNode } from 'react';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden /> Loading {what}…
    </div>
  );
}

export function ErrorState({ error, retry }: { error: { message: string }; retry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <strong>Something went wrong.</strong> {error.message}
      {retry && (
        <button type="button" className="btn small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** An empty list that says what the list is for and how to fill it. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state empty">
      <h3>{title}</h3>
      <div className="muted">{children}</div>
      {action}
    </div>
  );
}

const STATUS_TONE: Record<string, string> = {
  succeeded: 'up',
  failed: 'down',
  timed_out: 'down',
  cancelled: 'idle',
  skipped: 'idle',
  pending: 'idle',
  queued: 'idle',
  running: 'run',
  waiting: 'warn',
  waiting_approval: 'warn',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge ${STATUS_TONE[status] ?? 'idle'}`} data-status={status}>
      {status.replace('_', ' ')}
    </span>
  );
}

export function formatDuration(start: Date | null, end: Date | null): string {
  if (!start) return '–';
  const ms = (end ?? new Date()).getTime() - start.getTime();
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * A run id short enough to show: its last 8 digits. Run ids are UUIDv7, whose first digits are the
 * time and stay the same for about a minute; the last ones are random.
 */
export function shortRunId(id: string): string {
  return id.slice(-8);
}

export function formatTime(date: Date | null | undefined): string {
  return date ? date.toLocaleString() : '–';
}
