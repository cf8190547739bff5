/**
 * The small facts about node types that other packages list, defined once. Zod-free and free of
 * work at module scope, so the studio's browser code and workflow code can import it
 * (`@pincer/nodes/kinds`).
 */

/** Palette groups of the studio, in palette order, with the heading each is shown under. */
export const CATEGORY_LABELS = {
  trigger: 'Triggers',
  ai: 'AI',
  code: 'Code',
  browser: 'Browser',
  messaging: 'Messaging',
  logic: 'Logic',
  data: 'Data',
} as const;
export type Category = keyof typeof CATEGORY_LABELS;
export const CATEGORIES = Object.keys(CATEGORY_LABELS) as [Category, ...Category[]];

/**
 * How a trigger is written under `triggers:` (`type: webhook`); its node type is `<type>_trigger`.
 * builtin.ts checks that each has its trigger node.
 */
export const TRIGGER_TYPES = ['manual', 'webhook', 'schedule'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export function triggerNodeType<T extends TriggerType>(type: T): `${T}_trigger` {
  return `${type}_trigger`;
}

/**
 * What a step of a node type may do outside its run:
 * - `none`: nothing (triggers, logic, waiting, the language model): chat may start a workflow
 *   made only of such steps without an owner's approval;
 * - `external`: it may change something outside the run (send, write, run code, call an API or
 *   another workflow). A plugin that does not say counts as `external`.
 * A for-each is `none` itself: the step it runs per item is judged by its own type.
 */
export const SIDE_EFFECTS = ['none', 'external'] as const;
export type SideEffects = (typeof SIDE_EFFECTS)[number];
