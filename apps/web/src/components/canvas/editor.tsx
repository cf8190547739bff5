'use client';

import { CATEGORIES, CATEGORY_LABELS, TRIGGER_TYPES } from '@pincer/nodes/kinds';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import {
  addEdge,
  Background,
  type Connection,
  Controls,
  type Edge,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useEdgesState,
  useNodesState,
  useReactFlow,
} from '@xyflow/react';
import Link from 'next/link';
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTRPC } from '../../lib/trpc/client.tsx';
import { useRole } from '../role.tsx';
import { ErrorState, Loading, StatusBadge, shortRunId } from '../ui/states.tsx';
import {
  autoLayout,
  type CatalogEntry,
  type CompileIssue,
  FIT_VIEW,
  freeName,
  type GraphMeta,
  type LiveRun,
  NODE_HEIGHT,
  NODE_WIDTH,
  type StepNode,
  stepStatesOf,
  toFlow,
  toGraph,
  upstreamOf,
  type WorkflowDetail,
  type WorkflowGraph,
  wouldCycle,
} from './model.ts';
import { NodeIcon } from './node-icon.tsx';
import { categoryColor } from './node-look.ts';
import { RunDialog } from './run-dialog.tsx';
import { StepForm } from './step-form.tsx';
import { OverlayContext, StepNodeComponent } from './step-node.tsx';
import { Versions } from './versions.tsx';
import { YamlTab } from './yaml-tab.tsx';

const NODE_TYPES = { step: StepNodeComponent };
const DRAG_TYPE = 'application/x-pincer-node';
const HISTORY_LIMIT = 100;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

interface Snapshot {
  nodes: StepNode[];
  edges: Edge[];
  meta: GraphMeta;
}

/**
 * What an expression in a step may name: each upstream step's output and the fields it had in
 * earlier runs, the trigger, and the workflow's vars.
 */
function completionsOf(upstream: string[], paths: Record<string, string[]>, meta: GraphMeta): string[] {
  return [
    ...upstream.flatMap((step) => [
      `steps.${step}.output`,
      ...(paths[step] ?? []).map((path) => `steps.${step}.output.${path}`),
    ]),
    'trigger',
    'vars',
    ...Object.keys(meta.vars ?? {}).map((key) => `vars.${key}`),
  ];
}

export function WorkflowEditor({ name }: { name: string }) {
  const trpc = useTRPC();
  const workflow = useQuery(
    trpc.workflows.get.queryOptions({ name }, { staleTime: Number.POSITIVE_INFINITY }),
  );
  const catalog = useQuery(
    trpc.nodes.catalog.queryOptions(undefined, { staleTime: Number.POSITIVE_INFINITY }),
  );
  if (workflow.error) return <ErrorState error={workflow.error} retry={() => workflow.refetch()} />;
  if (catalog.error) return <ErrorState error={catalog.error} retry={() => catalog.refetch()} />;
  if (!workflow.data || !catalog.data) return <Loading what="the workflow" />;
  return (
    <ReactFlowProvider>
      <Editor name={name} initial={workflow.data} catalog={catalog.data} />
    </ReactFlowProvider>
  );
}

function Editor({
  name,
  initial,
  catalog,
}: {
  name: string;
  initial: WorkflowDetail;
  catalog: CatalogEntry[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit } = useRole();
  const flow = useReactFlow<StepNode, Edge>();
  const start = useMemo(() => toFlow(initial.graph), [initial.graph]);
  const [nodes, setNodes, onNodesChange] = useNodesState<StepNode>(start.nodes);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>(start.edges);
  const [meta, setMeta] = useState<GraphMeta>(start.meta);
  const [tab, setTab] = useState<'canvas' | 'yaml' | 'versions'>('canvas');
  const [notice, setNotice] = useState<{ tone: 'info' | 'error'; text: string } | null>(null);
  const [dirty, setDirty] = useState(false);
  const [runId, setRunId] = useState<string | null>(null);
  const [runOpen, setRunOpen] = useState(false);
  const past = useRef<Snapshot[]>([]);
  const future = useRef<Snapshot[]>([]);
  const clipboard = useRef<{ nodes: StepNode[]; edges: Edge[] } | null>(null);
  const catalogByType = useMemo(() => new Map(catalog.map((entry) => [entry.type, entry])), [catalog]);

  const minimapColor = useCallback(
    (node: StepNode) => categoryColor(catalogByType.get(node.data.stepType)?.category),
    [catalogByType],
  );

  const graph = useMemo(() => toGraph(nodes, edges, meta), [nodes, edges, meta]);
  const [checkedGraph, setCheckedGraph] = useState<WorkflowGraph>(graph);
  useEffect(() => {
    const timer = setTimeout(() => setCheckedGraph(graph), 400);
    return () => clearTimeout(timer);
  }, [graph]);
  const check = useQuery(
    trpc.workflows.check.queryOptions({ graph: checkedGraph }, { placeholderData: (previous) => previous }),
  );
  const issues: CompileIssue[] = check.data?.issues ?? initial.issues;
  const issuesByStep = useMemo(() => {
    const byStep = new Map<string, CompileIssue[]>();
    for (const issue of issues)
      if (issue.step) byStep.set(issue.step, [...(byStep.get(issue.step) ?? []), issue]);
    return byStep;
  }, [issues]);

  // The fields earlier runs' step outputs had, for completion; read again when a run ends here.
  const outputPaths = useQuery(trpc.workflows.outputPaths.queryOptions({ name }));

  // The latest state pushed for the run started here; the stream ends once the run has finished.
  const [liveRun, setLiveRun] = useState<LiveRun | null>(null);
  const finished = liveRun !== null && FINISHED.has(liveRun.status);
  useSubscription(
    trpc.runs.watch.subscriptionOptions(
      { id: runId ?? '' },
      { enabled: runId !== null && !finished, onData: (data) => setLiveRun(data) },
    ),
  );
  const refetchPaths = outputPaths.refetch;
  useEffect(() => {
    if (finished) void refetchPaths();
  }, [finished, refetchPaths]);
  const stepStates = useMemo(() => (liveRun ? stepStatesOf(liveRun) : new Map()), [liveRun]);

  const overlay = useMemo(
    () => ({ issues: issuesByStep, steps: stepStates, catalog: catalogByType }),
    [issuesByStep, stepStates, catalogByType],
  );

  /** Records the current state for undo, before a change. */
  const remember = useCallback(() => {
    past.current = [...past.current.slice(-HISTORY_LIMIT + 1), { nodes, edges, meta }];
    future.current = [];
    setDirty(true);
  }, [nodes, edges, meta]);

  const restore = useCallback(
    (from: 'undo' | 'redo') => {
      const source = from === 'undo' ? past : future;
      const target = from === 'undo' ? future : past;
      const snapshot = source.current.at(-1);
      if (!snapshot) return;
      source.current = source.current.slice(0, -1);
      target.current = [...target.current, { nodes, edges, meta }];
      setNodes(snapshot.nodes);
      setEdges(snapshot.edges);
      setMeta(snapshot.meta);
      setDirty(true);
    },
    [nodes, edges, meta, setNodes, setEdges],
  );

  const isValidConnection = useCallback(
    (connection: Connection | Edge) => !wouldCycle(edges, connection.source, connection.target),
    [edges],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      if (wouldCycle(edges, connection.source, connection.target)) {
        setNotice({ tone: 'error', text: cycleMessage(connection.source, connection.target) });
        return;
      }
      remember();
      setEdges((current) =>
        addEdge(
          {
            ...connection,
            id: `${connection.source}.${connection.sourceHandle ?? 'main'}->${connection.target}`,
          },
          current,
        ),
      );
    },
    [edges, remember, setEdges],
  );

  const onConnectEnd = useCallback(
    (
      _event: MouseEvent | TouchEvent,
      state: { isValid: boolean | null; fromNode: { id: string } | null; toNode: { id: string } | null },
    ) => {
      if (state.isValid === false && state.fromNode && state.toNode)
        setNotice({ tone: 'error', text: cycleMessage(state.fromNode.id, state.toNode.id) });
    },
    [],
  );

  function addStepAt(entry: CatalogEntry, position: { x: number; y: number }) {
    if (!canEdit) return;
    remember();
    if (entry.category === 'trigger') {
      const kind = entry.type.replace(/_trigger$/, '');
      const trigger = TRIGGER_TYPES.find((type) => type === kind);
      if (trigger)
        setMeta((current) => ({
          ...current,
          triggers: [...current.triggers, { type: trigger, config: {} }],
        }));
      return;
    }
    const id = freeName(entry.type, new Set(nodes.map((node) => node.id)));
    setNodes((current) => [
      ...current.map((node) => ({ ...node, selected: false })),
      { id, type: 'step', position, selected: true, data: { stepType: entry.type, step: { config: {} } } },
    ]);
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    const entry = catalogByType.get(event.dataTransfer.getData(DRAG_TYPE));
    if (entry) addStepAt(entry, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
  }

  /** Keyboard and click alternative to dragging: the step lands in the middle of the view. */
  function addAtCenter(entry: CatalogEntry) {
    const pane = document.querySelector('.react-flow__pane')?.getBoundingClientRect();
    const center = pane ? { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 } : { x: 0, y: 0 };
    addStepAt(entry, flow.screenToFlowPosition(center));
  }

  function layout() {
    remember();
    setNodes(autoLayout(nodes, edges));
    window.requestAnimationFrame(() => flow.fitView(FIT_VIEW));
  }

  function copySelection() {
    const chosen = nodes.filter((node) => node.selected);
    const ids = new Set(chosen.map((node) => node.id));
    clipboard.current = {
      nodes: chosen,
      edges: edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)),
    };
  }

  function paste() {
    const copied = clipboard.current;
    if (!copied || copied.nodes.length === 0 || !canEdit) return;
    remember();
    const taken = new Set(nodes.map((node) => node.id));
    const renamed = new Map<string, string>();
    for (const node of copied.nodes) {
      const fresh = freeName(node.id, taken);
      taken.add(fresh);
      renamed.set(node.id, fresh);
    }
    setNodes((current) => [
      ...current.map((node) => ({ ...node, selected: false })),
      ...copied.nodes.map((node) => ({
        ...node,
        id: renamed.get(node.id) ?? node.id,
        selected: true,
        position: { x: node.position.x + 40, y: node.position.y + 40 },
      })),
    ]);
    setEdges((current) => [
      ...current,
      ...copied.edges.map((edge) => {
        const source = renamed.get(edge.source) ?? edge.source;
        const target = renamed.get(edge.target) ?? edge.target;
        return { ...edge, id: `${source}.${edge.sourceHandle ?? 'main'}->${target}`, source, target };
      }),
    ]);
  }

  const saveDraft = useMutation(
    trpc.workflows.saveDraft.mutationOptions({
      onSuccess: (result) => {
        setDirty(false);
        setNotice({
          tone: result.issues.length > 0 ? 'error' : 'info',
          text:
            result.issues.length > 0
              ? `Draft saved with ${result.issues.length} problem(s) to fix before publishing: ${result.issues[0]?.message}`
              : 'Draft saved.',
        });
        void queryClient.invalidateQueries({ queryKey: trpc.workflows.list.queryKey() });
      },
      onError: (error) => setNotice({ tone: 'error', text: error.message }),
    }),
  );
  const publish = useMutation(
    trpc.workflows.publish.mutationOptions({
      onSuccess: (result) => {
        setNotice({
          tone: 'info',
          text: result.created
            ? `Published version ${result.version}.`
            : `Version ${result.version} is already this draft.`,
        });
        void queryClient.invalidateQueries({ queryKey: trpc.workflows.get.queryKey({ name }) });
      },
      onError: (error) => setNotice({ tone: 'error', text: error.message }),
    }),
  );

  function save() {
    if (canEdit) saveDraft.mutate({ name, graph });
  }

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target;
      if (
        target instanceof HTMLElement &&
        target.closest('input, textarea, select, [contenteditable="true"]')
      )
        return;
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === 'z' && !event.shiftKey) restore('undo');
      else if ((key === 'z' && event.shiftKey) || key === 'y') restore('redo');
      else if (key === 'c') copySelection();
      else if (key === 'v') paste();
      else if (key === 's') save();
      else return;
      event.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const selected = nodes.filter((node) => node.selected);
  const current = selected.length === 1 ? selected[0] : undefined;

  // The side panel narrows the canvas when it opens: keep the chosen step in view beside it.
  const currentId = current?.id;
  useEffect(() => {
    if (!currentId) return;
    const frame = window.requestAnimationFrame(() => {
      const pane = document.querySelector('.canvas .react-flow')?.getBoundingClientRect();
      const box = document
        .querySelector(`.react-flow__node[data-id="${CSS.escape(currentId)}"]`)
        ?.getBoundingClientRect();
      const node = flow.getNode(currentId);
      if (!pane || !box || !node) return;
      const inside =
        box.left >= pane.left && box.right <= pane.right && box.top >= pane.top && box.bottom <= pane.bottom;
      if (inside) return;
      void flow.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, {
        zoom: flow.getZoom(),
        duration: 200,
      });
    });
    return () => window.cancelAnimationFrame(frame);
  }, [currentId, flow]);

  function updateStep(id: string, step: StepNode['data']['step']) {
    if (!canEdit) return;
    remember();
    setNodes((all) => all.map((node) => (node.id === id ? { ...node, data: { ...node.data, step } } : node)));
  }

  function renameStep(from: string, to: string): string | null {
    if (!/^[a-z][a-z0-9_]*$/.test(to))
      return 'Use snake_case: lowercase letters, digits and _, starting with a letter.';
    if (nodes.some((node) => node.id === to)) return `A step named "${to}" exists already.`;
    remember();
    setNodes((all) => all.map((node) => (node.id === from ? { ...node, id: to } : node)));
    setEdges((all) =>
      all.map((edge) => {
        const source = edge.source === from ? to : edge.source;
        const target = edge.target === from ? to : edge.target;
        return { ...edge, source, target, id: `${source}.${edge.sourceHandle ?? 'main'}->${target}` };
      }),
    );
    return null;
  }

  function applyGraph(next: WorkflowGraph) {
    remember();
    const positions = new Map(nodes.map((node) => [node.id, node.position]));
    const withPositions = {
      ...next,
      nodes: next.nodes.map((node) => {
        const position = node.position ?? positions.get(node.id);
        return position ? { ...node, position } : node;
      }),
    };
    const converted = toFlow(withPositions);
    setNodes(converted.nodes);
    setEdges(converted.edges);
    setMeta(converted.meta);
  }

  const byCategory = useMemo(() => {
    const groups = new Map<string, CatalogEntry[]>();
    for (const entry of catalog) groups.set(entry.category, [...(groups.get(entry.category) ?? []), entry]);
    return CATEGORIES.filter((category) => groups.has(category)).map((category) => ({
      category,
      entries: groups.get(category) ?? [],
    }));
  }, [catalog]);

  return (
    <OverlayContext.Provider value={overlay}>
      <div className="editor">
        <div className="editor-bar">
          <h1>
            <Link href="/workflows" className="muted">
              Workflows /
            </Link>{' '}
            {name}
          </h1>
          <span className="muted small" data-testid="draft-state">
            {dirty
              ? 'unsaved changes'
              : initial.latestVersion
                ? `published v${initial.latestVersion}`
                : 'draft'}
          </span>
          <div className="tabs" role="tablist">
            {(['canvas', 'yaml', 'versions'] as const).map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                aria-selected={tab === name}
                onClick={() => setTab(name)}
              >
                {name === 'yaml' ? 'YAML' : name[0]?.toUpperCase() + name.slice(1)}
              </button>
            ))}
          </div>
          <div className="editor-actions">
            {canEdit && (
              <>
                <button
                  type="button"
                  className="btn"
                  onClick={() => restore('undo')}
                  title="Undo (Ctrl+Z)"
                  aria-label="Undo"
                >
                  ↶
                </button>
                <button
                  type="button"
                  className="btn"
                  onClick={() => restore('redo')}
                  title="Redo (Ctrl+Shift+Z)"
                  aria-label="Redo"
                >
                  ↷
                </button>
                <button type="button" className="btn" onClick={layout}>
                  Auto-layout
                </button>
                <button type="button" className="btn" onClick={save} disabled={saveDraft.isPending}>
                  Save draft
                </button>
                <button
                  type="button"
                  className="btn"
                  disabled={publish.isPending || dirty || issues.length > 0}
                  title={
                    dirty ? 'Save the draft first' : issues.length > 0 ? 'Fix the problems first' : undefined
                  }
                  onClick={() => publish.mutate({ name })}
                >
                  Publish
                </button>
                <button type="button" className="btn primary" onClick={() => setRunOpen(true)}>
                  Run now
                </button>
              </>
            )}
            {!canEdit && <span className="badge idle">read-only (viewer)</span>}
          </div>
        </div>
        {notice && (
          <div className={`notice ${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
            {notice.text}
            <button
              type="button"
              className="btn ghost small"
              onClick={() => setNotice(null)}
              aria-label="Dismiss"
            >
              ×
            </button>
          </div>
        )}
        {runId && liveRun && (
          <div className="notice info" data-testid="live-run">
            Run <Link href={`/runs/${runId}`}>{shortRunId(runId)}</Link>{' '}
            <StatusBadge status={liveRun.status} />
            <Link href={`/runs/${runId}`}>Open run</Link>
          </div>
        )}
        {meta.triggers.length > 0 && (
          <div className="triggers muted small">
            Triggers:{' '}
            {meta.triggers.map((trigger, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: triggers have no identity besides their place
              <span key={`${trigger.type}${index}`} className="tag">
                {trigger.name ?? trigger.type}
              </span>
            ))}
          </div>
        )}
        {tab === 'canvas' && (
          <div className="editor-body">
            {canEdit && (
              <aside className="palette" aria-label="Palette">
                {byCategory.map(({ category, entries }) => (
                  <section key={category}>
                    <h3 className="palette-heading">{CATEGORY_LABELS[category]}</h3>
                    {entries.map((entry) => (
                      <button
                        key={entry.type}
                        type="button"
                        className="palette-item"
                        draggable
                        data-node-type={entry.type}
                        title={entry.description}
                        onClick={() => addAtCenter(entry)}
                        onDragStart={(event) => {
                          event.dataTransfer.setData(DRAG_TYPE, entry.type);
                          event.dataTransfer.effectAllowed = 'move';
                        }}
                      >
                        <NodeIcon type={entry.type} category={entry.category} />
                        {entry.title}
                      </button>
                    ))}
                  </section>
                ))}
              </aside>
            )}
            <div
              className="canvas"
              role="application"
              aria-label="Workflow canvas"
              onDrop={onDrop}
              onDragOver={(event) => event.preventDefault()}
            >
              <ReactFlow<StepNode, Edge>
                nodes={nodes}
                edges={edges}
                nodeTypes={NODE_TYPES}
                onNodesChange={onNodesChange}
                onEdgesChange={onEdgesChange}
                onConnect={onConnect}
                onConnectEnd={onConnectEnd}
                isValidConnection={isValidConnection}
                onBeforeDelete={async () => {
                  remember();
                  return canEdit;
                }}
                onNodeDragStart={() => remember()}
                nodesDraggable={canEdit}
                nodesConnectable={canEdit}
                deleteKeyCode={canEdit ? ['Backspace', 'Delete'] : null}
                fitView
                fitViewOptions={FIT_VIEW}
                proOptions={{ hideAttribution: true }}
              >
                <Background />
                <MiniMap pannable zoomable nodeColor={minimapColor} />
                <Controls showInteractive={false} />
              </ReactFlow>
              {nodes.length === 0 && (
                <div className="canvas-empty">
                  {canEdit
                    ? 'Drag a step from the palette onto the canvas, then drag from its bottom dot to the next step to connect them.'
                    : 'This workflow has no steps yet.'}
                </div>
              )}
            </div>
            {current && (
              <aside className="side-panel" aria-label="Step settings">
                <StepForm
                  key={current.id}
                  node={{ id: current.id, type: current.data.stepType, data: current.data.step }}
                  entry={catalogByType.get(current.data.stepType)}
                  issues={issuesByStep.get(current.id) ?? []}
                  completions={completionsOf(upstreamOf(edges, current.id), outputPaths.data ?? {}, meta)}
                  readOnly={!canEdit}
                  onChange={(step) => updateStep(current.id, step)}
                  onRename={(to) => renameStep(current.id, to)}
                />
              </aside>
            )}
          </div>
        )}
        {tab === 'yaml' && <YamlTab graph={graph} readOnly={!canEdit} onGraph={applyGraph} />}
        {tab === 'versions' && <Versions name={name} onRolledBack={(graph) => applyGraph(graph)} />}
        {issues.length > 0 && (
          <details className="issue-list" open={issues.length < 4}>
            <summary>{issues.length} problem(s) to fix before publishing</summary>
            <ul>
              {issues.map((issue) => (
                <li key={`${issue.step}:${issue.field}:${issue.message}`}>{issue.message}</li>
              ))}
            </ul>
          </details>
        )}
        {runOpen && (
          <RunDialog
            name={name}
            triggers={meta.triggers}
            unpublished={dirty || initial.unpublished}
            onClose={() => setRunOpen(false)}
            onStarted={(id) => {
              setRunOpen(false);
              setLiveRun(null);
              setRunId(id);
            }}
          />
        )}
      </div>
    </OverlayContext.Provider>
  );
}

function cycleMessage(source: string, target: string): string {
  return `Not connected: ${source} → ${target} would make a cycle (${target} already leads to ${source}). Workflows run top to bottom; use a for-each step to repeat work.`;
}
