import { Graph, layout } from '@dagrejs/dagre';
import type { inferRouterOutputs } from '@trpc/server';
import type { Edge, Node } from '@xyflow/react';
import type { AppRouter } from '../../lib/trpc/router.ts';

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

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 72;

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
