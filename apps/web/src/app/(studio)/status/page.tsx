import { PINCER_VERSION } from '@pincer/config';
import type { DependencyCheck, DependencyStatus, HealthReport } from '@pincer/provision';
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { requireUser } from '../../../lib/auth/server.ts';
import { readHealth } from '../../../lib/health.ts';
import styles from './status.module.css';

const OVERALL_LABEL: Record<HealthReport['status'], string> = {
  ok: 'All dependencies up',
  degraded: 'Degraded',
  down: 'Not ready',
};

const CHECK_LABEL: Record<DependencyStatus, string> = {
  up: 'Up',
  down: 'Down',
  not_configured: 'Not configured',
};

export const metadata: Metadata = { title: 'Status' };

/** The owner's view of what /api/health reports: each dependency, its state and how to fix it. */
export default async function StatusPage() {
  await requireUser('owner');
  return (
    <section>
      <div className="page-head">
        <h1>Status</h1>
        <span className="muted small">Pincer v{PINCER_VERSION}</span>
      </div>
      <section className={styles.card} aria-labelledby="dependencies">
        {/* Probes of unreachable services take up to their timeout: stream the rest of the page first. */}
        <Suspense fallback={<DependenciesPending />}>
          <Dependencies />
        </Suspense>
      </section>
      <p className="muted small">
        The same checks from a terminal: <code>npx pincer doctor</code>.
      </p>
    </section>
  );
}

async function Dependencies() {
  const report = await readHealth();
  return (
    <>
      <div className={styles.cardHead}>
        <h2 id="dependencies">Dependencies</h2>
        <span className={styles.overall} data-status={report.status}>
          {OVERALL_LABEL[report.status]}
        </span>
      </div>
      <ul className={styles.checks}>
        {report.checks.map((check) => (
          <CheckRow key={check.name} check={check} />
        ))}
      </ul>
      <p className={styles.footnote}>
        Checked <time dateTime={report.checkedAt}>{formatTime(report.checkedAt)}</time> · also as JSON at{' '}
        <a href="/api/health">/api/health</a>
      </p>
    </>
  );
}

function DependenciesPending() {
  return (
    <>
      <div className={styles.cardHead}>
        <h2 id="dependencies">Dependencies</h2>
        <span className={styles.overall}>Checking…</span>
      </div>
      <p className={styles.pending}>Probing the database, Temporal, the worker and the gateway.</p>
    </>
  );
}

function CheckRow({ check }: { check: DependencyCheck }) {
  return (
    <li className={styles.check}>
      <span className={styles.dot} data-status={check.status} aria-hidden="true" />
      <div className={styles.checkBody}>
        <div className={styles.checkName}>{check.name}</div>
        <div className={styles.detail}>{check.detail}</div>
        {check.fix ? <div className={styles.fix}>{check.fix}</div> : null}
      </div>
      <div className={styles.checkMeta}>
        <span className={styles.badge} data-status={check.status}>
          {CHECK_LABEL[check.status]}
        </span>
        {check.latencyMs === undefined ? null : <span className={styles.latency}>{check.latencyMs} ms</span>}
      </div>
    </li>
  );
}

function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
