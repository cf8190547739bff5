/**
 * The built-in node types that are pure functions of their config (`pure` instead of `run`): the
 * interpreter runs them inside the workflow, with no activity. Workflow code imports this entry,
 * so it must stay deterministic and I/O-free (zod and the node files below only).
 */
import type { NodeDefinition } from './define.ts';
import { condition } from './nodes/condition.ts';
import { respond } from './nodes/respond.ts';
import { switchNode } from './nodes/switch.ts';
import { transform } from './nodes/transform.ts';

const PURE: readonly NodeDefinition[] = [transform, condition, switchNode, respond];

export const PURE_NODES: ReadonlyMap<string, NodeDefinition> = new Map(PURE.map((node) => [node.type, node]));
