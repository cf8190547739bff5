'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { useRole } from '../../../components/role.tsx';
import { EmptyState, ErrorState, formatTime, Loading, StatusBadge } from '../../../components/ui/states.tsx';
import { useTRPC } from '../../../lib/trpc/client.tsx';

export function WorkflowList() {
  const trpc = useTRPC();
  const { canEdit } = useRole();
  const [search, setSearch] = useState('');
  const [tag, setTag] = useState('');
  const list = useQuery(
    trpc.workflows.list.queryOptions({ ...(search ? { search } : {}), ...(tag ? { tag } : {}) }),
  );
  return (
    <section>
      <div className="page-head">
        <h1>Workflows</h1>
        {canEdit && <NewWorkflow />}
      </div>
      <div className="filters">
        <input
          type="search"
          placeholder="Search by name or description"
          aria-label="Search workflows"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <select aria-label="Tag" value={tag} onChange={(event) => setTag(event.target.value)}>
          <option value="">All tags</option>
          {list.data?.tags.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </div>
      {list.isPending && <Loading what="workflows" />}
      {list.error && <ErrorState error={list.error} retry={() => list.refetch()} />}
      {list.data && list.data.workflows.length === 0 && (
        <EmptyState title={search || tag ? 'No workflow matches' : 'No workflows yet'}>
          {search || tag
            ? 'Clear the search or the tag filter.'
            : 'A workflow is a few steps that run in order: create one above and drag steps from the palette onto the canvas, or import YAML with `pincer workflow import FILE`.'}
        </EmptyState>
      )}
      {list.data && list.data.workflows.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th className="hide-phone">Tags</th>
              <th>Version</th>
              <th>Last run</th>
              <th className="hide-phone">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.workflows.map((workflow) => (
              <tr key={workflow.name}>
                <td>
                  <Link href={`/workflows/${workflow.name}`}>{workflow.name}</Link>
                  {workflow.description && <div className="muted small">{workflow.description}</div>}
                </td>
                <td className="hide-phone">
                  {workflow.tags.map((name) => (
                    <span key={name} className="tag">
                      {name}
                    </span>
                  ))}
                </td>
                <td>
                  {workflow.latestVersion ? (
                    `v${workflow.latestVersion}`
                  ) : (
                    <span className="muted">draft</span>
                  )}
                </td>
                <td>
                  {workflow.lastRun ? (
                    <Link href={`/runs/${workflow.lastRun.id}`}>
                      <StatusBadge status={workflow.lastRun.status} />
                    </Link>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td className="hide-phone">{formatTime(workflow.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewWorkflow() {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState('');
  const create = useMutation(
    trpc.workflows.create.mutationOptions({
      onSuccess: (created) => router.push(`/workflows/${created.name}`),
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name });
  }
  return (
    <form className="inline-form" onSubmit={submit}>
      <input
        aria-label="New workflow name"
        placeholder="new_workflow_name"
        value={name}
        pattern="[a-z][a-z0-9_\-]*"
        title="lowercase letters, digits, _ and -, starting with a letter"
        onChange={(event) => setName(event.target.value)}
        required
      />
      <button type="submit" className="btn primary" disabled={create.isPending}>
        New workflow
      </button>
      {create.error && (
        <span role="alert" className="error-text">
          {create.error.message}
        </span>
      )}
    </form>
  );
}
