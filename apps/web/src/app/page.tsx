import { PINCER_VERSION } from '@pincer/config';
import type { DependencyCheck, DependencyStatus, HealthReport } from '@pincer/provision';
import { Suspense } from 'react';
import { readHealth } from '../lib/health.ts';
import { Logo } from './logo.tsx';
import styles from './page.module.css';

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

export default function HomePage() {
  return (
    <main className={styles.page}>
      <header className={styles.header}>
        <span className={styles.brand}>
          <Logo />
          Pincer
        </span>
        <span className={styles.version}>v{PINCER_VERSION}</span>
      </header>

      <section className={styles.hero}>
        <h1>Your assistant and workflows, on your own machines.</h1>
        <p>
          Pincer runs durable workflows (shell, Python, local LLMs, headless browsers, chat) and answers on
          the channels you already use. Nothing here needs a cloud service.
        </p>
      </section>

      <section className={styles.card} aria-labelledby="dependencies">
        {/* Probes of unreachable services take up to their timeout: stream the rest of the page first. */}
        <Suspense fallback={<DependenciesPending />}>
          <Dependencies />
        </Suspense>
      </section>

      <section className={styles.next} aria-labelledby="next">
        <h2 id="next">What&rsquo;s next</h2>
        <ul>
          <li>The studio: draw workflows on a canvas or write them as YAML, both kept in sync.</li>
          <li>Runs you can follow step by step, with approvals and a full audit trail.</li>
          <li>Telegram, Slack, Discord and e-mail as triggers and as outputs.</li>
        </ul>
        <p>
          Until then, <code>npm run doctor</code> checks the same dependencies from a terminal.
        </p>
      </section>
    </main>
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
