'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { useRole } from '../../components/role.tsx';
import { EmptyState, ErrorState, formatTime, Loading } from '../../components/ui/states.tsx';
import { useTRPC } from '../../lib/trpc/client.tsx';

const ROLES = ['viewer', 'editor', 'owner'] as const;
type RoleName = (typeof ROLES)[number];
const roleOf = (value: string): RoleName => ROLES.find((role) => role === value) ?? 'viewer';

export function SchedulesView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit } = useRole();
  const list = useQuery(trpc.schedules.list.queryOptions());
  const pause = useMutation(
    trpc.schedules.setPaused.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() }),
    }),
  );
  return (
    <section>
      <div className="page-head">
        <h1>Schedules</h1>
      </div>
      {list.isPending && <Loading what="schedules" />}
      {list.error && <ErrorState error={list.error} retry={() => list.refetch()} />}
      {list.data?.length === 0 && (
        <EmptyState title="No schedules">
          A schedule runs a workflow on a cron. Add a trigger to a workflow&rsquo;s YAML and publish it:
          <pre className="json">
            {'triggers:\n  - type: schedule\n    cron: "0 9 * * 1-5"\n    timezone: Europe/Paris'}
          </pre>
        </EmptyState>
      )}
      {list.data && list.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Workflow</th>
              <th>Cron</th>
              <th>Time zone</th>
              <th>Next 5 runs</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((schedule) => (
              <tr key={schedule.id} data-schedule={schedule.workflow}>
                <td>
                  <Link href={`/workflows/${schedule.workflow}`}>{schedule.workflow}</Link>
                </td>
                <td>
                  <code>{schedule.cron}</code>
                </td>
                <td>{schedule.timezone}</td>
                <td>
                  {schedule.problem ? (
                    <span className="error-text">{schedule.problem}</span>
                  ) : (
                    <ul className="plain small">
                      {schedule.nextRuns.map((date) => (
                        <li key={date.toISOString()}>
                          <time dateTime={date.toISOString()}>{formatTime(date)}</time>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  {schedule.paused ? 'paused' : 'active'}{' '}
                  {canEdit && (
                    <button
                      type="button"
                      className="btn small"
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
    </section>
  );
}

export function CredentialsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit } = useRole();
  const list = useQuery(trpc.credentials.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
  const set = useMutation(trpc.credentials.set.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.credentials.delete.mutationOptions({ onSuccess: refresh }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    set.mutate({
      name: String(form.get('name')),
      type: String(form.get('type') || 'secret'),
      value: String(form.get('value')),
    });
    event.currentTarget.reset();
  }
  return (
    <section>
      <div className="page-head">
        <h1>Credentials</h1>
      </div>
      <p className="muted">
        Secrets are encrypted at rest and write-only: steps read them while they run (
        <code>{'{{ secrets.NAME }}'}</code>); nobody can read them back here. Setting an existing name
        replaces its value.
      </p>
      {canEdit && (
        <form className="inline-form" onSubmit={submit}>
          <input
            name="name"
            placeholder="SLACK_TOKEN"
            aria-label="Credential name"
            required
            pattern="[A-Za-z_][A-Za-z0-9_]*"
          />
          <input name="type" placeholder="secret" aria-label="Credential type" />
          <input
            name="value"
            type="password"
            placeholder="value"
            aria-label="Credential value"
            autoComplete="off"
            required
          />
          <button type="submit" className="btn primary" disabled={set.isPending}>
            Save credential
          </button>
        </form>
      )}
      {(set.error ?? remove.error) && <p className="error-text">{(set.error ?? remove.error)?.message}</p>}
      {list.isPending && <Loading what="credentials" />}
      {list.error && <ErrorState error={list.error} />}
      {list.data?.length === 0 && (
        <EmptyState title="No credentials yet">
          Add the API keys and passwords your steps need above.
        </EmptyState>
      )}
      {list.data && list.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Value</th>
              <th>Updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((credential) => (
              <tr key={credential.name}>
                <td>
                  <code>{credential.name}</code>
                </td>
                <td>{credential.type}</td>
                <td className="muted">•••••• (write-only)</td>
                <td>{formatTime(credential.updatedAt)}</td>
                <td>
                  {canEdit && (
                    <button
                      type="button"
                      className="btn small danger"
                      onClick={() => remove.mutate({ name: credential.name })}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function TokensView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { role } = useRole();
  const list = useQuery(trpc.tokens.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: (created) => {
        setSecret(created.token);
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: refresh }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const days = Number(form.get('days'));
    create.mutate({
      name: String(form.get('name')),
      role: roleOf(String(form.get('role'))),
      ...(days > 0 ? { expiresInDays: days } : {}),
    });
  }
  const allowed = ROLES.slice(0, ROLES.indexOf(role) + 1);
  return (
    <section>
      <div className="page-head">
        <h1>API tokens</h1>
      </div>
      <p className="muted">
        Tokens call the REST API (<a href="/api/v1/openapi.json">OpenAPI</a>) and the CLI as you, with at most
        your role.
      </p>
      <form className="inline-form" onSubmit={submit}>
        <input name="name" placeholder="CI deploys" aria-label="Token name" required />
        <select name="role" aria-label="Token role" defaultValue="viewer">
          {allowed.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <input name="days" type="number" min={1} placeholder="expires in days" aria-label="Expires in days" />
        <button type="submit" className="btn primary" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {secret && (
        <div className="notice info" role="status">
          Copy it now, it is shown once: <code data-testid="new-token">{secret}</code>
        </div>
      )}
      {(create.error ?? revoke.error) && (
        <p className="error-text">{(create.error ?? revoke.error)?.message}</p>
      )}
      {list.isPending && <Loading what="tokens" />}
      {list.error && <ErrorState error={list.error} />}
      {list.data?.length === 0 && (
        <EmptyState title="No API tokens">Create one above to script Pincer or connect the CLI.</EmptyState>
      )}
      {list.data && list.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th>Role</th>
              <th className="hide-phone">User</th>
              <th className="hide-phone">Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>
                  <code>{token.prefix}</code>
                </td>
                <td>{token.role}</td>
                <td className="hide-phone">{token.user}</td>
                <td className="hide-phone">{formatTime(token.lastUsedAt)}</td>
                <td>
                  <button
                    type="button"
                    className="btn small danger"
                    onClick={() => revoke.mutate({ id: token.id })}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function AuditView() {
  const trpc = useTRPC();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const list = useQuery(
    trpc.audit.list.queryOptions({ ...(actor ? { actor } : {}), ...(action ? { action } : {}), limit: 200 }),
  );
  return (
    <section>
      <div className="page-head">
        <h1>Audit log</h1>
      </div>
      <div className="filters">
        <input
          type="search"
          placeholder="Who (e-mail, token)"
          aria-label="Actor"
          value={actor}
          onChange={(e) => setActor(e.target.value)}
        />
        <input
          type="search"
          placeholder="Action (workflow., run., approval.)"
          aria-label="Action"
          value={action}
          onChange={(e) => setAction(e.target.value)}
        />
      </div>
      {list.isPending && <Loading what="the audit log" />}
      {list.error && <ErrorState error={list.error} />}
      {list.data?.length === 0 && (
        <EmptyState title="Nothing recorded">
          Every change, publish, run and approval is recorded here as it happens.
        </EmptyState>
      )}
      {list.data && list.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th className="hide-phone">Details</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((event) => (
              <tr key={event.id}>
                <td>{formatTime(event.createdAt)}</td>
                <td>{event.actor}</td>
                <td>
                  <code>{event.action}</code>{' '}
                  {event.targetType === 'run' && event.targetId ? (
                    <Link href={`/runs/${event.targetId}`}>run</Link>
                  ) : null}
                </td>
                <td className="hide-phone small">
                  <code>{JSON.stringify(event.data)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function formatBytes(bytes: number): string {
  return bytes > 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}

export function ModelsView() {
  const trpc = useTRPC();
  const status = useQuery(trpc.models.status.queryOptions(undefined, { refetchInterval: 10_000 }));
  return (
    <section>
      <div className="page-head">
        <h1>Models</h1>
      </div>
      {status.isPending && <Loading what="the model status" />}
      {status.error && <ErrorState error={status.error} />}
      {status.data && !status.data.reachable && (
        <EmptyState title="The worker is not answering">
          The studio asked {status.data.url} ({status.data.problem}). Start Pincer with <code>npm start</code>
          , or set PINCER_WORKER_HEALTH_URL to where the worker serves /health.
        </EmptyState>
      )}
      {status.data?.reachable && !status.data.inference && (
        <EmptyState title="No local model on this worker">
          LLM steps run on a worker that serves the <code>llm</code> capability with a model loaded. See
          docs/configuration.md (inference section) to choose a GGUF model; it is provisioned on the next{' '}
          <code>npm start</code>.
        </EmptyState>
      )}
      {status.data?.reachable && status.data.inference && (
        <dl className="facts" data-testid="model-status">
          <dt>Model</dt>
          <dd>{String(status.data.inference.model?.name ?? 'unknown')}</dd>
          <dt>State</dt>
          <dd>{status.data.inference.state}</dd>
          {status.data.inference.error && (
            <>
              <dt>Error</dt>
              <dd className="error-text">{status.data.inference.error}</dd>
            </>
          )}
          {status.data.inference.residentBytes !== undefined && (
            <>
              <dt>Memory</dt>
              <dd>{formatBytes(status.data.inference.residentBytes)}</dd>
            </>
          )}
          <dt>Speed</dt>
          <dd>
            {status.data.inference.tokensPerSecond !== undefined
              ? `${status.data.inference.tokensPerSecond.toFixed(1)} tokens/s`
              : 'not measured yet (no request so far)'}
          </dd>
          <dt>Active requests</dt>
          <dd>{status.data.inference.activeRequests ?? 0}</dd>
        </dl>
      )}
    </section>
  );
}

export function UsersView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.users.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: refresh }));
  const setRole = useMutation(trpc.users.setRole.mutationOptions({ onSuccess: refresh }));
  const setDisabled = useMutation(trpc.users.setDisabled.mutationOptions({ onSuccess: refresh }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      email: String(form.get('email')),
      password: String(form.get('password')),
      role: roleOf(String(form.get('role'))),
    });
  }
  return (
    <section>
      <div className="page-head">
        <h1>Users</h1>
      </div>
      <p className="muted">Viewers watch runs; editors build, publish and run; owners also manage users.</p>
      <form className="inline-form" onSubmit={submit}>
        <input name="email" type="email" placeholder="ada@example.com" aria-label="E-mail" required />
        <input
          name="password"
          type="password"
          placeholder="initial password"
          aria-label="Password"
          minLength={8}
          required
        />
        <select name="role" aria-label="Role" defaultValue="viewer">
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <button type="submit" className="btn primary" disabled={create.isPending}>
          Add user
        </button>
      </form>
      {(create.error ?? setRole.error ?? setDisabled.error) && (
        <p className="error-text">{(create.error ?? setRole.error ?? setDisabled.error)?.message}</p>
      )}
      {list.isPending && <Loading what="users" />}
      {list.error && <ErrorState error={list.error} />}
      {list.data && (
        <table className="table">
          <thead>
            <tr>
              <th>E-mail</th>
              <th>Role</th>
              <th className="hide-phone">Since</th>
              <th>Access</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((user) => (
              <tr key={user.id}>
                <td>{user.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${user.email}`}
                    value={user.role}
                    onChange={(e) => setRole.mutate({ id: user.id, role: roleOf(e.target.value) })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td className="hide-phone">{formatTime(user.createdAt)}</td>
                <td>
                  {user.disabledAt && <span className="badge failed">disabled</span>}{' '}
                  <button
                    type="button"
                    className="btn small"
                    disabled={setDisabled.isPending}
                    aria-label={`${user.disabledAt ? 'Enable' : 'Disable'} ${user.email}`}
                    onClick={() => setDisabled.mutate({ id: user.id, disabled: !user.disabledAt })}
                  >
                    {user.disabledAt ? 'Enable' : 'Disable'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
