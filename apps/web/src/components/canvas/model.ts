import { Graph, layout } from '@dagrejs/dagre';
import type { inferRouterOutputs } from '@trpc/server';
import type { Edge, Node } from '@xyflow/react';
import type { AppRouter } from '../../lib/trpc/router.ts';
import { formatDuration } from '../ui/states.tsx';

type Outputs = inferRouterOutputs<AppRouter>;
export type WorkflowDetail = Outputs['workflows']['get'];
export type WorkflowGraph = WorkflowDetail['graph'];
export type GraphNode = WorkflowGraph['nodes'][number];
export type CatalogEntry = Outputs['nodes']['catalog'][number];
export type LiveRun = Outputs['runs']['get'];
export type CompileIssue = Outputs['workflows']['get']['issues'][number];

/** What a canvas node carries: the step's type and its fields as the graph has them. */
export interface StepNodeData extends Record<string, unknown> {
  stepType: string;
  step: GraphNode['data'];
}

export type StepNode = Node<StepNodeData, 'step'>;

/** Everything of the workflow that is not drawn (name, description, tags, triggers, vars). */
export type GraphMeta = Omit<WorkflowGraph, 'nodes' | 'edges'>;

/** Fitting the graph leaves room for the controls (bottom left) and the minimap (bottom right). */
export const FIT_VIEW = {
  padding: { top: '24px', left: '64px', right: '224px', bottom: '24px' },
  maxZoom: 1.2,
} as const;

/** The same without a minimap (the run page's graph). */
export const FIT_VIEW_PLAIN = {
  padding: { top: '24px', left: '64px', right: '24px', bottom: '24px' },
  maxZoom: 1.2,
} as const;

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 52;

/** A step's state in a run, as the canvas shows it on the step's node. */
export interface StepRunState {
  status: string;
  /** How long it ran, or ran so far; null before it started. */
  duration: string | null;
}

/**
 * Each step's state in a run, by step name. A step repeated by a for-each shows its iterations
 * together: the last one's status, from the first start to the last finish.
 */
export function stepStatesOf(run: Pick<LiveRun, 'steps'>): Map<string, StepRunState> {
  const byName = new Map<string, LiveRun['steps']>();
  for (const step of run.steps) byName.set(step.name, [...(byName.get(step.name) ?? []), step]);
  const states = new Map<string, StepRunState>();
  for (const [name, records] of byName) {
    const own = records.find((record) => !record.iteration);
    const shown = own ? [own] : records;
    const last = shown.at(-1);
    if (!last) continue;
    const starts = shown.flatMap((record) => (record.startedAt ? [record.startedAt.getTime()] : []));
    const finishes = shown.map((record) => record.finishedAt?.getTime() ?? null);
    const begin = starts.length > 0 ? Math.min(...starts) : null;
    const end = finishes.includes(null) ? null : Math.max(...(finishes as number[]));
    states.set(name, {
      status: last.status,
      duration: begin === null ? null : formatDuration(new Date(begin), end === null ? null : new Date(end)),
    });
  }
  return states;
}

export function toFlow(graph: WorkflowGraph): { nodes: StepNode[]; edges: Edge[]; meta: GraphMeta } {
  const { nodes, edges, ...meta } = graph;
  const flowNodes = nodes.map(
    (node): StepNode => ({
      id: node.id,
      type: 'step',
      position: node.position ?? { x: 0, y: 0 },
      data: { stepType: node.type, step: node.data },
    }),
  );
  const flowEdges = edges.map((edge) => ({ ...edge }));
  const placed = nodes.every((node) => node.position);
  return { nodes: placed ? flowNodes : autoLayout(flowNodes, flowEdges), edges: flowEdges, meta };
}

export function toGraph(nodes: StepNode[], edges: Edge[], meta: GraphMeta): WorkflowGraph {
  return {
    ...meta,
    nodes: nodes.map((node) => ({
      id: node.id,
      type: node.data.stepType,
      position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
      data: node.data.step,
    })),
    edges: edges.map((edge) => ({
      id: edge.id,
      source: edge.source,
      sourceHandle: edge.sourceHandle ?? 'main',
      target: edge.target,
    })),
  };
}

/** Top-to-bottom layered layout (dagre). */
export function autoLayout(nodes: StepNode[], edges: Edge[]): StepNode[] {
  const graph = new Graph();
  graph.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of edges) graph.setEdge(edge.source, edge.target);
  layout(graph);
  return nodes.map((node) => {
    const placed = graph.node(node.id);
    return { ...node, position: { x: placed.x - NODE_WIDTH / 2, y: placed.y - NODE_HEIGHT / 2 } };
  });
}

/** Whether an edge source→target would close a loop (target already reaches source). */
export function wouldCycle(
  edges: readonly Pick<Edge, 'source' | 'target'>[],
  source: string,
  target: string,
): boolean {
  if (source === target) return true;
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === undefined || seen.has(current)) continue;
    if (current === source) return true;
    seen.add(current);
    stack.push(...(next.get(current) ?? []));
  }
  return false;
}

/** The steps whose outputs a step may use: everything upstream of it. */
export function upstreamOf(edges: readonly Pick<Edge, 'source' | 'target'>[], step: string): string[] {
  const previous = new Map<string, string[]>();
  for (const edge of edges) previous.set(edge.target, [...(previous.get(edge.target) ?? []), edge.source]);
  const seen = new Set<string>();
  const stack = [...(previous.get(step) ?? [])];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === undefined || seen.has(current)) continue;
    seen.add(current);
    stack.push(...(previous.get(current) ?? []));
  }
  return [...seen].sort();
}

/** A step name not used yet: `shell`, `shell_2`, ... */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  const clean = base.replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z]+/, '') || 'step';
  if (!taken.has(clean)) return clean;
  let n = 2;
  while (taken.has(`${clean}_${n}`)) n += 1;
  return `${clean}_${n}`;
}
