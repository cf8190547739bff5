'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { diffLines } from 'diff';
import { useState } from 'react';
import { useTRPC } from '../../lib/trpc/client.tsx';
import { useRole } from '../role.tsx';
import { EmptyState, formatTime } from '../ui/states.tsx';
import type { WorkflowGraph } from './model.ts';

/** Published versions, a line diff between any two, and rollback. */
export function Versions({ name, onRolledBack }: { name: string; onRolledBack(graph: WorkflowGraph): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit } = useRole();
  const detail = useQuery(trpc.workflows.get.queryOptions({ name }));
  const versions = detail.data?.versions ?? [];
  const [left, setLeft] = useState<number | null>(null);
  const [right, setRight] = useState<number | null>(null);
  const from = left ?? versions[1]?.version ?? null;
  const to = right ?? versions[0]?.version ?? null;
  const a = useQuery(
    trpc.workflows.version.queryOptions({ name, version: from ?? 1 }, { enabled: from !== null }),
  );
  const b = useQuery(
    trpc.workflows.version.queryOptions({ name, version: to ?? 1 }, { enabled: to !== null }),
  );
  const rollback = useMutation(
    trpc.workflows.rollback.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.workflows.get.queryKey({ name }) });
        const fresh = await queryClient.fetchQuery(trpc.workflows.get.queryOptions({ name }));
        onRolledBack(fresh.graph);
      },
    }),
  );

  if (versions.length === 0)
    return (
      <EmptyState title="Nothing published yet">
        Save the draft and press Publish: each publish freezes an immutable version that runs are pinned to.
      </EmptyState>
    );
  return (
    <div className="versions">
      <table className="table">
        <thead>
          <tr>
            <th>Version</th>
            <th>Published</th>
            <th>By</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.version}>
              <td>v{version.version}</td>
              <td>{formatTime(version.createdAt)}</td>
              <td>{version.by ?? '–'}</td>
              <td>
                {canEdit && version.version !== versions[0]?.version && (
                  <button
                    type="button"
                    className="btn small"
                    onClick={() => rollback.mutate({ name, version: version.version })}
                  >
                    Roll back to v{version.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rollback.error && <p className="error-text">{rollback.error.message}</p>}
      {versions.length > 1 && (
        <>
          <div className="filters">
            <label>
              From{' '}
              <select value={from ?? ''} onChange={(event) => setLeft(Number(event.target.value))}>
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
            <label>
              To{' '}
              <select value={to ?? ''} onChange={(event) => setRight(Number(event.target.value))}>
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {a.data && b.data && (
            <pre className="diff">
              {diffRows(a.data.yaml, b.data.yaml).map((row) => (
                <span key={row.key} className={row.kind}>
                  {row.text}
                  {'\n'}
                </span>
              ))}
            </pre>
          )}
        </>
      )}
    </div>
  );
}

/** Line diff parts, keyed by where they start in the combined text, each line marked +, - or blank. */
function diffRows(from: string, to: string) {
  let offset = 0;
  return diffLines(from, to).map((part) => {
    const key = offset;
    offset += part.value.length;
    const mark = part.added ? '+' : part.removed ? '-' : ' ';
    return {
      key,
      kind: part.added ? 'added' : part.removed ? 'removed' : undefined,
      text: part.value
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => `${mark} ${line}`)
        .join('\n'),
    };
  });
}
