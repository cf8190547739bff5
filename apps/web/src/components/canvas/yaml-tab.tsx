'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '../../lib/trpc/client.tsx';
import type { CompileIssue, WorkflowGraph } from './model.ts';

/**
 * The YAML face of the same workflow: opened from the canvas's graph; edits are parsed on the
 * server as you type and, once they parse, replace the canvas's graph.
 */
export function YamlTab({
  graph,
  readOnly,
  onGraph,
}: {
  graph: WorkflowGraph;
  readOnly: boolean;
  onGraph(graph: WorkflowGraph): void;
}) {
  const trpc = useTRPC();
  // The graph when the tab opened: later canvas changes come from this tab itself.
  const [opened] = useState(graph);
  const yaml = useQuery(trpc.workflows.toYaml.queryOptions({ graph: opened }, { staleTime: 0 }));
  const [text, setText] = useState<string | null>(null);
  const [problems, setProblems] = useState<CompileIssue[]>([]);
  const [state, setState] = useState<'idle' | 'checking' | 'applied' | 'invalid'>('idle');
  const parse = useMutation(trpc.workflows.fromYaml.mutationOptions());
  const latest = useRef(0);

  // Only typing starts a parse (not a new onGraph or mutation object on each render).
  // biome-ignore lint/correctness/useExhaustiveDependencies: parse on text changes only
  useEffect(() => {
    if (text === null || readOnly) return;
    const ticket = ++latest.current;
    setState('checking');
    const timer = setTimeout(async () => {
      const result = await parse.mutateAsync({ yaml: text }).catch((error: Error) => ({
        ok: false as const,
        issues: [{ code: 'yaml_invalid' as const, message: error.message }],
      }));
      if (ticket !== latest.current) return;
      if (result.ok) {
        onGraph(result.graph);
        setProblems(result.issues);
        setState('applied');
      } else {
        setProblems(result.issues);
        setState('invalid');
      }
    }, 500);
    return () => clearTimeout(timer);
  }, [text]);

  if (yaml.isPending) return <div className="yaml-tab muted">Loading YAML…</div>;
  if (yaml.error) return <div className="yaml-tab error-text">{yaml.error.message}</div>;
  return (
    <div className="yaml-tab">
      <p className="muted small" aria-live="polite" data-testid="yaml-state">
        {state === 'checking' && 'Checking…'}
        {state === 'applied' && 'Applied to the canvas.'}
        {state === 'invalid' && 'Not applied: fix the YAML below.'}
        {state === 'idle' &&
          (readOnly ? 'Read-only.' : 'Edits apply to the canvas as soon as the YAML parses.')}
      </p>
      <textarea
        aria-label="Workflow YAML"
        className="yaml"
        spellCheck={false}
        readOnly={readOnly}
        value={text ?? yaml.data.yaml}
        onChange={(event) => setText(event.target.value)}
      />
      {problems.length > 0 && (
        <ul className="issues" aria-label="YAML problems">
          {problems.map((issue) => (
            <li key={issue.message}>{issue.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
