import { TRIGGER_TYPES } from '@pincer/nodes';
import { z } from 'zod';
import { needPattern } from './needs.ts';

/**
 * The workflow definition: the document people write as YAML and the studio edits as a graph.
 * A step is its common fields (below) plus its node type's own config fields, side by side:
 *
 *   - name: fetch_logs
 *     type: shell
 *     needs: [a, check.true]
 *     command: "grep ERROR /var/log/app.log"
 */

export const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
const name = z
  .string()
  .regex(NAME_PATTERN, 'use snake_case: lowercase letters, digits and _, starting with a letter');

/** A duration as written: "30s", "5m", "1h30m" or ms; parsed (and checked) by the compiler. */
const durationText = z.union([z.number().int().nonnegative(), z.string().min(1)]);

export const RetrySchema = z.strictObject({
  max_attempts: z.number().int().min(1).max(100).optional(),
  initial_interval: durationText.optional(),
  backoff: z.number().min(1).max(10).optional(),
  max_interval: durationText.optional(),
});

export const UiSchema = z.strictObject({ x: z.number(), y: z.number() });

/** The fields every step has, whatever its type. Everything else belongs to the node's config. */
export const COMMON_STEP_KEYS = [
  'name',
  'type',
  'description',
  'needs',
  'join',
  'when',
  'on_error',
  'retry',
  'timeout',
  'ui',
] as const;

export const StepCommonSchema = z.strictObject({
  name,
  type: z.string().min(1, 'every step needs a type'),
  description: z.string().optional(),
  /** Steps that must finish first; `step.port` waits for a branch (`check.true`) or a failure (`x.error`). */
  needs: z.array(z.string().regex(needPattern, 'expected "step" or "step.port"')).optional(),
  /** `all` (default): every need satisfied; `any`: at least one, once all have settled (merging branches). */
  join: z.enum(['all', 'any']).optional(),
  when: z.string().optional(),
  /** `fail` (default) stops the run, `continue` carries on, or the name of a step that handles the failure. */
  on_error: z.union([z.enum(['fail', 'continue']), name]).optional(),
  retry: RetrySchema.optional(),
  timeout: durationText.optional(),
  ui: UiSchema.optional(),
});

export type StepCommon = z.infer<typeof StepCommonSchema>;

/** A step as written: common fields plus config fields. */
export type StepDefinition = StepCommon & { [configKey: string]: unknown };

export const TriggerDefinitionSchema = z
  .object({
    type: z.enum(TRIGGER_TYPES),
    name: name.optional(),
    ui: UiSchema.optional(),
  })
  .catchall(z.unknown());

export type TriggerDefinition = z.infer<typeof TriggerDefinitionSchema>;

export const WorkflowDefinitionSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, 'use lowercase letters, digits, _ and -, starting with a letter')
    .max(100),
  description: z.string().max(2000).optional(),
  tags: z.array(z.string().min(1).max(50)).max(50).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  triggers: z.array(TriggerDefinitionSchema).optional(),
  steps: z.array(z.object({}).catchall(z.unknown())).min(1, 'a workflow needs at least one step').max(1000),
});

export interface WorkflowDefinition {
  name: string;
  description?: string;
  tags?: string[];
  vars?: Record<string, unknown>;
  triggers?: TriggerDefinition[];
  steps: StepDefinition[];
}

/** The YAML document: everything under a top-level `workflow:` key. */
export const WorkflowDocumentSchema = z.strictObject({ workflow: z.unknown() });

/** Splits a written step into its common fields and its node config. */
export function splitStep(step: Record<string, unknown>): {
  common: Record<string, unknown>;
  config: Record<string, unknown>;
} {
  const common: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  const commonKeys: readonly string[] = COMMON_STEP_KEYS;
  for (const [key, value] of Object.entries(step)) {
    if (commonKeys.includes(key)) common[key] = value;
    else config[key] = value;
  }
  return { common, config };
}
