'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { WorkflowGraph } from '../../../../components/canvas/model.ts';
import { RunGraph } from '../../../../components/canvas/run-graph.tsx';
import { useRole } from '../../../../components/role.tsx';
import {
  ErrorState,
  formatDuration,
  formatTime,
  Loading,
  StatusBadge,
  shortRunId,
} from '../../../../components/ui/states.tsx';
import { useTRPC } from '../../../../lib/trpc/client.tsx';

const ACTIVE = new Set(['queued', 'running', 'waiting']);

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">–</span>;
  return <pre className="json">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>;
}

export function RunDetail({ id, graph }: { id: string; graph: WorkflowGraph | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { canEdit } = useRole();
  const first = useQuery(trpc.runs.get.queryOptions({ id }));
  const [live, setLive] = useState<typeof first.data>(undefined);
  const run = live ?? first.data;
  const finished = run !== undefined && !ACTIVE.has(run.status);
  useSubscription(
    trpc.runs.watch.subscriptionOptions({ id }, { enabled: first.isSuccess && !finished, onData: setLive }),
  );
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const decide = useMutation(trpc.runs.decide.mutationOptions());
  const rerun = useMutation(
    trpc.runs.rerun.mutationOptions({ onSuccess: (result) => router.push(`/runs/${result.runId}`) }),
  );

  if (first.error) return <ErrorState error={first.error} retry={() => first.refetch()} />;
  if (!run) return <Loading what="the run" />;
  const begin = run.startedAt ?? run.createdAt;
  const end = run.finishedAt ?? new Date();
  const span = Math.max(1, end.getTime() - begin.getTime());
  const mutationError = cancel.error ?? decide.error ?? rerun.error;
  return (
    <section className="run-detail">
      <div className="page-head">
        <h1>
          <Link href={`/workflows/${run.workflow}`}>{run.workflow}</Link>{' '}
          <span className="muted">v{run.version}</span> · run {shortRunId(run.id)}
        </h1>
        <StatusBadge status={run.status} />
        {canEdit && (
          <div className="row">
            {ACTIVE.has(run.status) && (
              <button
                type="button"
                className="btn"
                onClick={() => cancel.mutate({ id })}
                disabled={cancel.isPending}
              >
                Cancel run
              </button>
            )}
            {!ACTIVE.has(run.status) && (
              <button
                type="button"
                className="btn"
                onClick={() => rerun.mutate({ id })}
                disabled={rerun.isPending}
              >
                Re-run
              </button>
            )}
          </div>
        )}
      </div>
      {mutationError && (
        <p className="error-text" role="alert">
          {mutationError.message}
        </p>
      )}
      <dl className="facts">
        <dt>Trigger</dt>
        <dd>
          {run.trigger} by {run.actor}
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(run.createdAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(run.startedAt, run.finishedAt)}</dd>
      </dl>
      {run.error !== null && run.error !== undefined && (
        <div className="notice error">
          <Json value={run.error} />
        </div>
      )}
      {graph && graph.nodes.length > 0 && <RunGraph graph={graph} run={run} />}
      <h2>Steps</h2>
      {run.steps.length === 0 && <p className="muted">No step has started yet.</p>}
      <ol className="timeline">
        {run.steps.map((step) => {
          const started = step.startedAt?.getTime() ?? begin.getTime();
          const left = Math.min(99, Math.max(0, ((started - begin.getTime()) / span) * 100));
          const width = Math.max(1, (((step.finishedAt?.getTime() ?? end.getTime()) - started) / span) * 100);
          const key = `${step.name}/${step.iteration}`;
          return (
            <li key={key} className="step-row" data-step={step.name} data-status={step.status}>
              <details
                open={step.status === 'failed' || step.status === 'waiting_approval' || run.steps.length <= 5}
              >
                <summary>
                  <span className="step-title">
                    {step.name}
                    {step.iteration ? `[${step.iteration}]` : ''}{' '}
                    <span className="muted small">{step.type}</span>
                  </span>
                  <StatusBadge status={step.status} />
                  <span className="muted small">
                    {formatDuration(step.startedAt, step.finishedAt)}
                    {step.attempts > 1 ? ` · ${step.attempts} attempts` : ''}
                  </span>
                  <span className="bar" aria-hidden>
                    <span
                      className={`bar-fill ${step.status}`}
                      style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }}
                    />
                  </span>
                </summary>
                {step.status === 'failed' && !step.iteration && canEdit && !ACTIVE.has(run.status) && (
                  <div className="row">
                    <span className="muted small">
                      Fixed the cause? Run again from here; the steps before keep their outputs.
                    </span>
                    <button
                      type="button"
                      className="btn"
                      onClick={() => rerun.mutate({ id, fromStep: step.name })}
                      disabled={rerun.isPending}
                    >
                      Re-run from {step.name}
                    </button>
                  </div>
                )}
                {step.status === 'waiting_approval' && canEdit && (
                  <div className="row approval">
                    <span>This step waits for your decision.</span>
                    <button
                      type="button"
                      className="btn primary"
                      onClick={() =>
                        decide.mutate({
                          id,
                          step: step.iteration ? `${step.name}[${step.iteration}]` : step.name,
                          approved: true,
                        })
                      }
                    >
                      Approve
                    </button>
                    <button
                      type="button"
                      className="btn danger"
                      onClick={() =>
                        decide.mutate({
                          id,
                          step: step.iteration ? `${step.name}[${step.iteration}]` : step.name,
                          approved: false,
                        })
                      }
                    >
                      Reject
                    </button>
                  </div>
                )}
                <div className="step-io">
                  <div>
                    <h4>Input</h4>
                    <Json value={step.input} />
                  </div>
                  <div data-testid={`output-${step.name}`}>
                    <h4>Output</h4>
                    <Json value={step.output} />
                  </div>
                  {step.error !== null && step.error !== undefined && (
                    <div>
                      <h4>Error</h4>
                      <Json value={step.error} />
                    </div>
                  )}
                  {step.logs && (
                    <div>
                      <h4>Logs</h4>
                      <pre className="json">{step.logs}</pre>
                    </div>
                  )}
                </div>
              </details>
            </li>
          );
        })}
      </ol>
      {run.artifacts.length > 0 && (
        <>
          <h2>Files</h2>
          <ul className="artifacts" data-testid="artifacts">
            {run.artifacts.map((artifact) => (
              <li key={artifact.id}>
                <a href={artifact.url} target="_blank" rel="noreferrer">
                  {artifact.name}
                </a>{' '}
                <span className="muted small">
                  {artifact.step} · {artifact.mediaType} · {Math.max(1, Math.round(artifact.size / 1024))} KiB
                </span>
                {artifact.mediaType.startsWith('image/') && (
                  // biome-ignore lint/performance/noImgElement: a step's own screenshot, served as it is
                  <img
                    className="artifact-preview"
                    src={artifact.url}
                    alt={`${artifact.name} from ${artifact.step}`}
                  />
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Run input and output</h2>
      <div className="step-io">
        <div>
          <h4>Input</h4>
          <Json value={run.input} />
        </div>
        <div>
          <h4>Output</h4>
          <Json value={run.output} />
        </div>
      </div>
    </section>
  );
}
