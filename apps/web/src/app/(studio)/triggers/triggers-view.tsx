'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useRole } from '../../../components/role.tsx';
import { EmptyState, ErrorState, formatTime, Loading } from '../../../components/ui/states.tsx';
import { useTRPC } from '../../../lib/trpc/client.tsx';

const STATE_TONE: Record<string, string> = {
  connected: 'up',
  starting: 'run',
  reconnecting: 'warn',
  refused: 'down',
  stopped: 'idle',
  unknown: 'idle',
};

const CHANNEL_EXAMPLE = `channels:
  owners: ["telegram:123456789"]   # who approves pairings
  telegram:
    token: \${PINCER_TELEGRAM_TOKEN}  # from @BotFather
    allowUsers: ["123456789"]`;

/** Every workflow's triggers, the chat channels with their live state, and pairings to decide. */
export function TriggersView() {
  return (
    <section>
      <div className="page-head">
        <h1>Triggers &amp; channels</h1>
      </div>
      <Triggers />
      <Channels />
    </section>
  );
}

function useOrigin(publicUrl: string | null | undefined): string {
  const [origin, setOrigin] = useState(publicUrl ?? '');
  useEffect(() => {
    if (!publicUrl) setOrigin(window.location.origin);
  }, [publicUrl]);
  return (publicUrl ?? origin).replace(/\/$/, '');
}

function Triggers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit } = useRole();
  const list = useQuery(trpc.triggers.list.queryOptions());
  const origin = useOrigin(list.data?.publicUrl);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.triggers.list.queryKey() });
  const [revealed, setRevealed] = useState<{ id: string; secret: string } | null>(null);
  const rotate = useMutation(
    trpc.triggers.rotateSecret.mutationOptions({
      onSuccess: (result) => {
        setRevealed(result);
        void refresh();
      },
    }),
  );
  const pause = useMutation(trpc.schedules.setPaused.mutationOptions({ onSuccess: refresh }));
  if (list.isPending) return <Loading what="triggers" />;
  if (list.error) return <ErrorState error={list.error} retry={() => list.refetch()} />;
  const { webhooks, schedules, manual } = list.data;
  return (
    <>
      <h2>Webhooks</h2>
      {webhooks.length === 0 ? (
        <EmptyState title="No webhooks">
          A webhook starts a workflow when something POSTs to its URL. Add one to a workflow&rsquo;s triggers
          and publish it; its URL and secret appear here.
          <pre className="json">{'triggers:\n  - type: webhook\n    name: github_push'}</pre>
        </EmptyState>
      ) : (
        <table className="table" aria-label="Webhooks">
          <thead>
            <tr>
              <th>Workflow</th>
              <th>URL</th>
              <th>Secret</th>
            </tr>
          </thead>
          <tbody>
            {webhooks.map((hook) => {
              const url = `${origin}/api/v1/hooks/${hook.id}`;
              return (
                <tr key={hook.id} data-webhook={hook.key}>
                  <td>
                    <Link href={`/workflows/${hook.workflow}`}>{hook.workflow}</Link>
                    <div className="muted small">
                      {hook.key} · {hook.method} · answers {hook.respond.replace('_', ' ')}
                    </div>
                  </td>
                  <td>
                    <span className="row">
                      <input
                        readOnly
                        value={url}
                        aria-label={`Webhook URL of ${hook.workflow} ${hook.key}`}
                        onFocus={(event) => event.currentTarget.select()}
                      />
                      <CopyButton text={url} label="Copy URL" />
                    </span>
                  </td>
                  <td>
                    <span className="muted" title="Write-only: stored as a hash, never shown again">
                      •••••••• (write-only)
                    </span>{' '}
                    {canEdit && (
                      <button
                        type="button"
                        className="btn small"
                        disabled={rotate.isPending}
                        onClick={() => {
                          if (
                            window.confirm(
                              'Rotate the secret? Senders using the old one stop working at once.',
                            )
                          )
                            rotate.mutate({ id: hook.id });
                        }}
                      >
                        Rotate secret
                      </button>
                    )}
                    {revealed?.id === hook.id && (
                      <div className="notice" role="status" data-testid="new-secret">
                        New secret (copy it now, it is not shown again): <code>{revealed.secret}</code>{' '}
                        <CopyButton text={revealed.secret} label="Copy secret" />
                        <pre className="json">{`curl -X ${hook.method} -H 'X-Pincer-Secret: ${revealed.secret}' ${url}`}</pre>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {rotate.error && <ErrorState error={rotate.error} />}

      <h2>Schedules</h2>
      {schedules.length === 0 ? (
        <EmptyState title="No schedules">
          A schedule runs a workflow on a cron in a time zone:
          <pre className="json">
            {'triggers:\n  - type: schedule\n    cron: "0 9 * * 1-5"\n    timezone: Europe/Paris'}
          </pre>
        </EmptyState>
      ) : (
        <table className="table" aria-label="Schedules">
          <thead>
            <tr>
              <th>Workflow</th>
              <th>Cron</th>
              <th>Next runs</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {schedules.map((schedule) => (
              <tr key={schedule.id} data-schedule={schedule.workflow}>
                <td>
                  <Link href={`/workflows/${schedule.workflow}`}>{schedule.workflow}</Link>
                </td>
                <td>
                  <code>{schedule.cron}</code> <span className="muted small">{schedule.timezone}</span>
                </td>
                <td>
                  {schedule.problem ? (
                    <span className="error-text">{schedule.problem}</span>
                  ) : (
                    <ul className="plain small">
                      {schedule.nextRuns.slice(0, 3).map((date) => (
                        <li key={date.toISOString()}>
                          <time dateTime={date.toISOString()}>{formatTime(date)}</time>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  <span data-testid="schedule-state">{schedule.paused ? 'paused' : 'active'}</span>{' '}
                  {canEdit && (
                    <button
                      type="button"
                      className="btn small"
                      disabled={pause.isPending}
                      onClick={() => pause.mutate({ id: schedule.id, paused: !schedule.paused })}
                    >
                      {schedule.paused ? 'Resume' : 'Pause'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Manual</h2>
      {manual.length === 0 ? (
        <p className="muted">No workflow starts by hand.</p>
      ) : (
        <p>
          Started from the studio (Run now), <code>pincer run NAME</code> or{' '}
          <code>POST /api/v1/workflows/NAME/runs</code>:{' '}
          {manual.map((name, index) => (
            <span key={name}>
              {index > 0 && ', '}
              <Link href={`/workflows/${name}`}>{name}</Link>
            </span>
          ))}
        </p>
      )}
    </>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn small ghost"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setCopied(true));
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

function Channels() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { isOwner } = useRole();
  // The gateway's health is pulled: refresh it while the page is open.
  const status = useQuery(trpc.channels.status.queryOptions(undefined, { refetchInterval: 5000 }));
  // Pairing codes approve people: only owners see them, as in REST.
  const pairings = useQuery(
    trpc.channels.pairings.queryOptions({ status: 'pending' }, { refetchInterval: 5000, enabled: isOwner }),
  );
  const decide = useMutation(
    trpc.channels.decidePairing.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.channels.pairings.queryKey() }),
    }),
  );
  return (
    <>
      <h2>Chat channels</h2>
      {status.isPending && <Loading what="channels" />}
      {status.error && <ErrorState error={status.error} retry={() => status.refetch()} />}
      {status.data?.channels.length === 0 && (
        <EmptyState title="No chat channels">
          Let people talk to Pincer (and run workflows) from Telegram, Slack, Discord or e-mail. Add a channel
          to <code>pincer.yaml</code> and restart <code>npm start</code>; the gateway connects it and its
          state shows here:
          <pre className="json">{CHANNEL_EXAMPLE}</pre>
          See <code>docs/chat.md</code> for Slack, Discord and e-mail.
        </EmptyState>
      )}
      {status.data && status.data.channels.length > 0 && (
        <>
          {status.data.gatewayProblem && (
            <p className="error-text" role="alert">
              {status.data.gatewayProblem}
            </p>
          )}
          <table className="table" aria-label="Chat channels">
            <thead>
              <tr>
                <th>Channel</th>
                <th>State</th>
                <th>Messages</th>
              </tr>
            </thead>
            <tbody>
              {status.data.channels.map((channel) => (
                <tr key={channel.platform} data-channel={channel.platform}>
                  <td>
                    <strong>{channel.platform}</strong>
                    <div className="muted small">{channel.summary}</div>
                  </td>
                  <td>
                    <span
                      className={`badge ${STATE_TONE[channel.state] ?? 'idle'}`}
                      data-testid="channel-state"
                      data-state={channel.state}
                    >
                      {channel.state}
                    </span>
                    {channel.error && (
                      <div className="error-text small" data-testid="channel-error">
                        {channel.error}
                      </div>
                    )}
                    {channel.retryInMs !== null && (
                      <div className="muted small">retries in {Math.ceil(channel.retryInMs / 1000)} s</div>
                    )}
                  </td>
                  <td>{channel.received ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h2>Pairings waiting for approval</h2>
      {!isOwner && (
        <p className="muted">
          Pairings and their codes are shown to owners, who decide them (or{' '}
          <code>pincer chat approve CODE</code>).
        </p>
      )}
      {pairings.error && <ErrorState error={pairings.error} retry={() => pairings.refetch()} />}
      {pairings.data?.length === 0 && (
        <p className="muted">
          Nobody is waiting. Someone not on a channel&rsquo;s allow list who writes to the assistant gets a
          pairing code; it shows here for an owner to approve (or <code>pincer chat approve CODE</code>).
        </p>
      )}
      {pairings.data && pairings.data.length > 0 && (
        <table className="table" aria-label="Pairings">
          <thead>
            <tr>
              <th>Code</th>
              <th>Who</th>
              <th>Asked</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {pairings.data.map((pairing) => (
              <tr key={pairing.code} data-pairing={pairing.code}>
                <td>
                  <code>{pairing.code}</code>
                </td>
                <td>
                  {pairing.name ?? pairing.userId}{' '}
                  <span className="muted small">
                    {pairing.platform}:{pairing.userId}
                  </span>
                </td>
                <td>{formatTime(pairing.createdAt)}</td>
                <td>
                  {isOwner ? (
                    <span className="row">
                      <button
                        type="button"
                        className="btn small primary"
                        disabled={decide.isPending}
                        onClick={() => decide.mutate({ code: pairing.code, approved: true })}
                      >
                        Approve
                      </button>
                      <button
                        type="button"
                        className="btn small"
                        disabled={decide.isPending}
                        onClick={() => decide.mutate({ code: pairing.code, approved: false })}
                      >
                        Reject
                      </button>
                    </span>
                  ) : (
                    <span className="muted small">an owner decides</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {decide.error && <ErrorState error={decide.error} />}
    </>
  );
}
