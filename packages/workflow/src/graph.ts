import { TRIGGER_TYPES } from '@pincer/nodes/kinds';
import { z } from 'zod';
import {
  type StepDefinition,
  splitStep,
  type TriggerDefinition,
  type WorkflowDefinition,
} from './definition.ts';
import { effectiveNeeds, errorHandlers, formatNeed, implicitNeeds } from './needs.ts';
import type { PlanNeed } from './plan.ts';

/**
 * The canvas face of a definition (React Flow's nodes and edges). It converts to and from the
 * definition without loss: `graphToDefinition(definitionToGraph(d))` gives `d` back in its
 * canonical form (needs written only where they differ from the implicit order).
 */
export interface GraphPosition {
  x: number;
  y: number;
}

export interface GraphStepData {
  description?: string;
  join?: 'all' | 'any';
  when?: string;
  on_error?: 'fail' | 'continue';
  retry?: StepDefinition['retry'];
  timeout?: StepDefinition['timeout'];
  /** The node type's own fields. */
  config: Record<string, unknown>;
}

export interface GraphNode {
  /** The step name. */
  id: string;
  type: string;
  position?: GraphPosition;
  data: GraphStepData;
}

export interface GraphEdge {
  id: string;
  source: string;
  /** The source step's output port: `main`, `error`, or a branch. */
  sourceHandle: string;
  target: string;
}

export interface GraphTrigger {
  type: TriggerDefinition['type'];
  name?: string;
  position?: GraphPosition;
  config: Record<string, unknown>;
}

export interface WorkflowGraph {
  name: string;
  description?: string;
  tags?: string[];
  vars?: Record<string, unknown>;
  triggers: GraphTrigger[];
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const Position = z.object({ x: z.number(), y: z.number() });

/**
 * The canvas's graph as the browser sends it; graphToDefinition and compile check the rest (so it
 * is looser than a definition: a draft may not compile yet). Its output is a WorkflowGraph.
 */
export const WorkflowGraphSchema = z.object({
  name: z.string().min(1).max(100),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  triggers: z.array(
    z.object({
      type: z.enum(TRIGGER_TYPES),
      name: z.string().optional(),
      position: Position.optional(),
      config: z.record(z.string(), z.unknown()),
    }),
  ),
  nodes: z
    .array(
      z.object({
        id: z.string().min(1).max(100),
        type: z.string().min(1),
        position: Position.optional(),
        data: z.object({
          description: z.string().optional(),
          join: z.enum(['all', 'any']).optional(),
          when: z.string().optional(),
          on_error: z.enum(['fail', 'continue']).optional(),
          retry: z
            .object({
              max_attempts: z.number().optional(),
              initial_interval: z.union([z.string(), z.number()]).optional(),
              backoff: z.number().optional(),
              max_interval: z.union([z.string(), z.number()]).optional(),
            })
            .optional(),
          timeout: z.union([z.string(), z.number()]).optional(),
          config: z.record(z.string(), z.unknown()),
        }),
      }),
    )
    .max(2000),
  edges: z
    .array(z.object({ id: z.string(), source: z.string(), sourceHandle: z.string(), target: z.string() }))
    .max(10_000),
}) satisfies z.ZodType<WorkflowGraph>;

export function edgeId(need: PlanNeed, target: string): string {
  return `${formatNeed(need)}->${target}`;
}

export function definitionToGraph(definition: WorkflowDefinition): WorkflowGraph {
  const needs = effectiveNeeds(definition.steps);
  return {
    name: definition.name,
    ...(definition.description !== undefined ? { description: definition.description } : {}),
    ...(definition.tags !== undefined ? { tags: definition.tags } : {}),
    ...(definition.vars !== undefined ? { vars: definition.vars } : {}),
    triggers: (definition.triggers ?? []).map(toGraphTrigger),
    nodes: definition.steps.map(toGraphNode),
    edges: definition.steps.flatMap((step) =>
      (needs.get(step.name) ?? []).map((need) => ({
        id: edgeId(need, step.name),
        source: need.step,
        sourceHandle: need.port,
        target: step.name,
      })),
    ),
  };
}

function toGraphTrigger(trigger: TriggerDefinition): GraphTrigger {
  const { type, name, ui, ...config } = trigger;
  return { type, ...(name !== undefined ? { name } : {}), ...(ui ? { position: ui } : {}), config };
}

function toGraphNode(step: StepDefinition): GraphNode {
  const { config } = splitStep(step);
  const data: GraphStepData = { config };
  if (step.description !== undefined) data.description = step.description;
  if (step.join !== undefined) data.join = step.join;
  if (step.when !== undefined) data.when = step.when;
  if (step.on_error === 'fail' || step.on_error === 'continue') data.on_error = step.on_error;
  if (step.retry !== undefined) data.retry = step.retry;
  if (step.timeout !== undefined) data.timeout = step.timeout;
  return { id: step.name, type: step.type, ...(step.ui ? { position: step.ui } : {}), data };
}

export function graphToDefinition(graph: WorkflowGraph): WorkflowDefinition {
  const incoming = new Map<string, PlanNeed[]>();
  for (const edge of graph.edges) {
    incoming.set(edge.target, [
      ...(incoming.get(edge.target) ?? []),
      { step: edge.source, port: edge.sourceHandle },
    ]);
  }
  // A single error edge out of a step is written as that step's on_error; any others stay needs.
  const routedTo = new Map<string, string>();
  for (const node of graph.nodes) {
    const errorEdges = graph.edges.filter((edge) => edge.source === node.id && edge.sourceHandle === 'error');
    const [only] = errorEdges;
    if (errorEdges.length === 1 && only && node.data.on_error === undefined)
      routedTo.set(node.id, only.target);
  }
  const steps: StepDefinition[] = graph.nodes.map((node) => {
    const step: StepDefinition = { name: node.id, type: node.type };
    const { data } = node;
    if (data.description !== undefined) step.description = data.description;
    if (data.join !== undefined) step.join = data.join;
    if (data.when !== undefined) step.when = data.when;
    const routed = routedTo.get(node.id);
    if (routed !== undefined) step.on_error = routed;
    else if (data.on_error !== undefined) step.on_error = data.on_error;
    if (data.retry !== undefined) step.retry = data.retry;
    if (data.timeout !== undefined) step.timeout = data.timeout;
    if (node.position) step.ui = node.position;
    return Object.assign(step, data.config);
  });
  const handlers = errorHandlers(steps);
  steps.forEach((step, index) => {
    const written = (incoming.get(step.name) ?? []).filter(
      (need) => !(need.port === 'error' && routedTo.get(need.step) === step.name),
    );
    const implicit = implicitNeeds(steps, index, handlers);
    if (!sameNeeds(written, implicit)) step.needs = written.map(formatNeed);
  });
  return {
    name: graph.name,
    ...(graph.description !== undefined ? { description: graph.description } : {}),
    ...(graph.tags !== undefined ? { tags: graph.tags } : {}),
    ...(graph.vars !== undefined ? { vars: graph.vars } : {}),
    ...(graph.triggers.length > 0 ? { triggers: graph.triggers.map(fromGraphTrigger) } : {}),
    steps: steps.map(orderKeys),
  };
}

function fromGraphTrigger(trigger: GraphTrigger): TriggerDefinition {
  return {
    type: trigger.type,
    ...(trigger.name !== undefined ? { name: trigger.name } : {}),
    ...(trigger.position ? { ui: trigger.position } : {}),
    ...trigger.config,
  };
}

function sameNeeds(a: PlanNeed[], b: PlanNeed[]): boolean {
  const key = (need: PlanNeed) => formatNeed(need);
  return a.length === b.length && a.map(key).sort().join() === b.map(key).sort().join();
}

/** Common fields first, in a fixed order, then config: stable YAML diffs. */
const KEY_ORDER = ['name', 'type', 'description', 'needs', 'join', 'when', 'on_error', 'retry', 'timeout'];

function orderKeys(step: StepDefinition): StepDefinition {
  const ordered: StepDefinition = { name: step.name, type: step.type };
  for (const key of KEY_ORDER) if (step[key] !== undefined) ordered[key] = step[key];
  for (const [key, value] of Object.entries(step))
    if (!(key in ordered) && key !== 'ui') ordered[key] = value;
  if (step.ui !== undefined) ordered.ui = step.ui;
  return ordered;
}
