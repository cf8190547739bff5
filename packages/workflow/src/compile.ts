import { closest } from '@pincer/config';
import type { NodeDefinition } from '@pincer/nodes';
import { parseDuration, taskQueueFor } from '@pincer/nodes';
import { z } from 'zod';
import {
  StepCommonSchema,
  type StepDefinition,
  splitStep,
  TriggerDefinitionSchema,
  type WorkflowDefinition,
  WorkflowDefinitionSchema,
} from './definition.ts';
import { CompileError, type CompileIssue } from './errors.ts';
import {
  EXPRESSION_ROOTS,
  ExpressionError,
  hasTemplate,
  referencesOf,
  templateStrings,
  templatesIn,
} from './expressions.ts';
import { effectiveNeeds, formatNeed } from './needs.ts';
import type { Plan, PlanNeed, PlanRetry, PlanStep, PlanTask } from './plan.ts';

/** What the compiler needs of the node registry. */
export interface NodeCatalog {
  get(type: string): NodeDefinition | undefined;
  types(): string[];
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const NO_RETRY: PlanRetry = {
  maximumAttempts: 1,
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 60_000,
};

export interface CompiledWorkflow {
  /** The definition as validated (typed steps). */
  definition: WorkflowDefinition;
  plan: Plan;
}

/** Validates a definition completely and turns it into a plan; throws CompileError listing every problem. */
export function compile(input: unknown, catalog: NodeCatalog): CompiledWorkflow {
  const issues: CompileIssue[] = [];
  const parsed = WorkflowDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    throw new CompileError(
      parsed.error.issues.map((issue) => zodIssue('definition_invalid', issue, 'workflow')),
    );
  }
  const steps = validateSteps(parsed.data.steps, catalog, issues);
  const inputSchema = validateTriggers(parsed.data.triggers ?? [], catalog, issues);
  if (issues.length > 0) throw new CompileError(issues);

  const definition: WorkflowDefinition = { ...parsed.data, steps: steps.map((s) => s.step) };
  const needs = effectiveNeeds(definition.steps);
  checkNeeds(steps, needs, issues);
  if (issues.length > 0) throw new CompileError(issues);
  const order = topologicalOrder(definition.steps, needs, issues);
  if (issues.length > 0) throw new CompileError(issues);
  checkExpressions(steps, needs, issues);
  if (issues.length > 0) throw new CompileError(issues);

  const routed = new Set(
    [...needs.values()]
      .flat()
      .filter((need) => need.port === 'error')
      .map((need) => need.step),
  );
  const byName = new Map(steps.map((entry) => [entry.step.name, entry]));
  const plan: Plan = {
    schema: 1,
    workflow: definition.name,
    vars: definition.vars ?? {},
    ...(inputSchema ? { inputSchema } : {}),
    steps: order.map((name) => {
      const entry = byName.get(name);
      if (!entry) throw new Error(`internal: step ${name} vanished`);
      return planStep(entry, needs.get(name) ?? [], routed.has(name));
    }),
  };
  return { definition, plan };
}

interface CheckedStep {
  step: StepDefinition;
  config: Record<string, unknown>;
  node: NodeDefinition;
  /** For for_each: the per-item step's node and config. */
  each?: { node: NodeDefinition; config: Record<string, unknown> };
}

function validateSteps(
  raw: Record<string, unknown>[],
  catalog: NodeCatalog,
  issues: CompileIssue[],
): CheckedStep[] {
  const checked: CheckedStep[] = [];
  const seen = new Set<string>();
  raw.forEach((candidate, index) => {
    const { common, config } = splitStep(candidate);
    const label = typeof common.name === 'string' ? common.name : `#${index + 1}`;
    const parsed = StepCommonSchema.safeParse(common);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        issues.push(zodIssue('definition_invalid', issue, `Step "${label}"`, label));
      return;
    }
    const step: StepDefinition = { ...parsed.data, ...config };
    checkDurations(step, issues);
    if (seen.has(step.name)) {
      issues.push({
        code: 'duplicate_step',
        step: step.name,
        message: `Step "${step.name}": the name is used twice; step names must be unique.`,
      });
      return;
    }
    seen.add(step.name);
    const node = knownNode(step.name, step.type, catalog, issues);
    if (!node) return;
    if (node.category === 'trigger') {
      issues.push({
        code: 'unknown_type',
        step: step.name,
        field: 'type',
        message: `Step "${step.name}": "${step.type}" is a trigger; declare it under triggers:, not steps:.`,
      });
      return;
    }
    const entry: CheckedStep = { step, config, node };
    validateConfig(step.name, node, config, issues, '');
    if (node.type === 'for_each') {
      const each = config.step;
      if (isRecord(each) && typeof each.type === 'string') {
        const eachNode = knownNode(step.name, each.type, catalog, issues, 'step.type');
        if (eachNode) {
          const { type: _type, ...eachConfig } = each;
          validateConfig(step.name, eachNode, eachConfig, issues, 'step.');
          entry.each = { node: eachNode, config: eachConfig };
        }
      }
    }
    checked.push(entry);
  });
  return checked;
}

/** Step-level durations use the same syntax as node fields ("30s", "1h30m", or ms). */
function checkDurations(step: StepDefinition, issues: CompileIssue[]): void {
  const fields: [string, string | number | undefined][] = [
    ['timeout', step.timeout],
    ['retry.initial_interval', step.retry?.initial_interval],
    ['retry.max_interval', step.retry?.max_interval],
  ];
  for (const [field, value] of fields) {
    if (typeof value !== 'string') continue;
    try {
      parseDuration(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      issues.push({
        code: 'definition_invalid',
        step: step.name,
        field,
        message: `Step "${step.name}", ${field}: ${reason}.`,
      });
    }
  }
}

function knownNode(
  stepName: string,
  type: string,
  catalog: NodeCatalog,
  issues: CompileIssue[],
  field = 'type',
): NodeDefinition | undefined {
  const node = catalog.get(type);
  if (node) return node;
  const known = catalog.types().filter((candidate) => catalog.get(candidate)?.category !== 'trigger');
  const hint = closest(type, known);
  issues.push({
    code: 'unknown_type',
    step: stepName,
    field,
    message: `Step "${stepName}": unknown type "${type}"${hint ? ` (did you mean "${hint}"?)` : ''} (known: ${known.join(', ')}).`,
  });
  return undefined;
}

/**
 * Validates config as written. Values that are `{{ }}` templates are only known at run time, so
 * issues on them are left to the run-time check of the resolved config.
 */
function validateConfig(
  stepName: string,
  node: NodeDefinition,
  config: Record<string, unknown>,
  issues: CompileIssue[],
  prefix: string,
): void {
  const result = node.config.safeParse(config);
  if (result.success) return;
  for (const issue of result.error.issues) {
    if (issue.code !== 'unrecognized_keys' && isTemplateAt(config, issue.path)) continue;
    const field =
      issue.code === 'unrecognized_keys'
        ? `${prefix}${issue.keys[0] ?? ''}`
        : `${prefix}${issue.path.join('.')}`;
    const what =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${prefix}${key}"`).join(', ')} for type ${node.type}`
        : `${field || 'config'}: ${issue.message}`;
    issues.push({ code: 'config_invalid', step: stepName, field, message: `Step "${stepName}": ${what}.` });
  }
}

function isTemplateAt(config: unknown, path: readonly PropertyKey[]): boolean {
  let current: unknown = config;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isRecord(current) && typeof key === 'string') current = current[key];
    else return false;
  }
  return typeof current === 'string' && hasTemplate(current);
}

/** Checks each trigger's config; returns the manual trigger's input schema, when it has one. */
function validateTriggers(
  triggers: unknown[],
  catalog: NodeCatalog,
  issues: CompileIssue[],
): Record<string, unknown> | undefined {
  let inputSchema: Record<string, unknown> | undefined;
  triggers.forEach((raw, index) => {
    const parsed = TriggerDefinitionSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        issues.push(zodIssue('trigger_invalid', issue, `Trigger #${index + 1}`));
      return;
    }
    const { type, name: _name, ui: _ui, ...config } = parsed.data;
    const node = catalog.get(`${type}_trigger`);
    if (!node) return;
    const result = node.config.safeParse(config);
    if (!result.success) {
      for (const issue of result.error.issues)
        issues.push(zodIssue('trigger_invalid', issue, `Trigger #${index + 1} (${type})`));
      return;
    }
    const schema = (result.data as { input_schema?: Record<string, unknown> }).input_schema;
    if (type !== 'manual' || !schema || Object.keys(schema).length === 0) return;
    try {
      z.fromJSONSchema(schema);
      inputSchema = schema;
    } catch (error) {
      issues.push({
        code: 'trigger_invalid',
        field: 'input_schema',
        message: `Trigger #${index + 1} (manual): input_schema is not a JSON Schema Pincer can check input with (${error instanceof Error ? error.message : String(error)}); write it like { type: object, properties: { name: { type: string } }, required: [name] }.`,
      });
    }
  });
  return inputSchema;
}

function portsOf(entry: CheckedStep): readonly string[] {
  const outputs = entry.node.outputs;
  const ports = typeof outputs === 'function' ? outputs(entry.node.config.parse(entry.config)) : outputs;
  return [...new Set(['main', ...ports, 'error'])];
}

function checkNeeds(steps: CheckedStep[], needs: Map<string, PlanNeed[]>, issues: CompileIssue[]): void {
  const byName = new Map(steps.map((entry) => [entry.step.name, entry]));
  const names = [...byName.keys()];
  for (const entry of steps) {
    const target = entry.step.on_error;
    if (typeof target === 'string' && target !== 'fail' && target !== 'continue' && !byName.has(target)) {
      const hint = closest(target, names);
      issues.push({
        code: 'dangling_need',
        step: entry.step.name,
        field: 'on_error',
        message: `Step "${entry.step.name}": on_error names "${target}", which is not a step${hint ? ` (did you mean "${hint}"?)` : ''}.`,
      });
    }
    for (const need of needs.get(entry.step.name) ?? []) {
      const source = byName.get(need.step);
      if (!source) {
        const hint = closest(need.step, names);
        issues.push({
          code: 'dangling_need',
          step: entry.step.name,
          field: 'needs',
          message: `Step "${entry.step.name}": needs "${need.step}", which is not a step${hint ? ` (did you mean "${hint}"?)` : ''}.`,
        });
        continue;
      }
      if (need.step === entry.step.name) {
        issues.push({
          code: 'cycle',
          step: entry.step.name,
          field: 'needs',
          message: `Step "${entry.step.name}": a step cannot need itself.`,
        });
        continue;
      }
      const ports = portsOf(source);
      if (!ports.includes(need.port)) {
        issues.push({
          code: 'unknown_port',
          step: entry.step.name,
          field: 'needs',
          message: `Step "${entry.step.name}": "${formatNeed(need)}" names no output of ${source.node.type} step "${need.step}" (its outputs: ${ports.join(', ')}).`,
        });
      }
    }
  }
}

/** Kahn's algorithm, keeping the written order among ready steps; reports a cycle with its steps. */
function topologicalOrder(
  steps: StepDefinition[],
  needs: Map<string, PlanNeed[]>,
  issues: CompileIssue[],
): string[] {
  const pending = new Map(
    steps.map((step) => [step.name, new Set((needs.get(step.name) ?? []).map((need) => need.step))]),
  );
  const order: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending.entries()].find(([, waiting]) =>
      [...waiting].every((name) => !pending.has(name)),
    );
    if (!ready) {
      const cycle = findCycle(pending);
      issues.push({
        code: 'cycle',
        step: cycle[0],
        field: 'needs',
        message: `Steps ${cycle.map((name) => `"${name}"`).join(' → ')} form a cycle: remove one of these needs.`,
      });
      return order;
    }
    order.push(ready[0]);
    pending.delete(ready[0]);
  }
  return order;
}

function findCycle(pending: Map<string, Set<string>>): string[] {
  const start = [...pending.keys()][0] ?? '';
  const path: string[] = [];
  let current = start;
  while (!path.includes(current)) {
    path.push(current);
    const next = [...(pending.get(current) ?? [])].find((name) => pending.has(name));
    if (!next) return path;
    current = next;
  }
  const cycle = path.slice(path.indexOf(current));
  return [...cycle.reverse(), cycle[0] ?? current];
}

/** Every step a step runs after, directly or not. */
function ancestors(needs: Map<string, PlanNeed[]>): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const visit = (name: string): Set<string> => {
    const known = memo.get(name);
    if (known) return known;
    const result = new Set<string>();
    memo.set(name, result);
    for (const need of needs.get(name) ?? []) {
      result.add(need.step);
      for (const ancestor of visit(need.step)) result.add(ancestor);
    }
    return result;
  };
  for (const name of needs.keys()) visit(name);
  return memo;
}

function checkExpressions(
  steps: CheckedStep[],
  needs: Map<string, PlanNeed[]>,
  issues: CompileIssue[],
): void {
  const upstream = ancestors(needs);
  const names = steps.map((entry) => entry.step.name);
  for (const entry of steps) {
    const name = entry.step.name;
    const sources: { field: string; expression: string; roots: readonly string[] }[] = [];
    const configRoots = EXPRESSION_ROOTS.filter((root) => root !== 'item' && root !== 'index');
    for (const { path, text } of templateStrings(entry.config)) {
      const inEach = entry.node.type === 'for_each' && path[0] === 'step';
      for (const expression of templatesIn(text)) {
        sources.push({ field: path.join('.'), expression, roots: inEach ? EXPRESSION_ROOTS : configRoots });
      }
    }
    if (
      entry.step.when !== undefined &&
      hasTemplate(entry.step.when) &&
      !/^\s*\{\{[\s\S]*\}\}\s*$/.test(entry.step.when)
    ) {
      issues.push({
        code: 'expression_invalid',
        step: name,
        field: 'when',
        message: `Step "${name}", when: write one expression, either bare or as one {{ }} template, without text around it.`,
      });
    } else if (entry.step.when !== undefined && templatesIn(entry.step.when).length > 1) {
      issues.push({
        code: 'expression_invalid',
        step: name,
        field: 'when',
        message: `Step "${name}", when: write one expression (combine conditions with and / or inside one {{ }}).`,
      });
    }
    if (entry.step.when !== undefined) {
      const whenRoots = configRoots.filter((root) => root !== 'secrets');
      const expressions = hasTemplate(entry.step.when) ? templatesIn(entry.step.when) : [entry.step.when];
      for (const expression of expressions) sources.push({ field: 'when', expression, roots: whenRoots });
    }
    for (const source of sources)
      checkExpression(name, source, names, upstream.get(name) ?? new Set(), issues);
  }
}

function checkExpression(
  step: string,
  source: { field: string; expression: string; roots: readonly string[] },
  names: string[],
  upstream: Set<string>,
  issues: CompileIssue[],
): void {
  let references: ReturnType<typeof referencesOf>;
  try {
    references = referencesOf(source.expression);
  } catch (error) {
    const message = error instanceof ExpressionError ? error.message : String(error);
    issues.push({
      code: 'expression_invalid',
      step,
      field: source.field,
      message: `Step "${step}", ${source.field}: ${message}.`,
    });
    return;
  }
  if (references.roots.has('secrets') && !/^secrets\.[A-Za-z_]\w*$/.test(source.expression.trim())) {
    issues.push({
      code: 'expression_invalid',
      step,
      field: source.field,
      message: `Step "${step}", ${source.field}: a secret is read whole, as {{ secrets.NAME }}; put text around the braces, not inside ("Bearer {{ secrets.token }}").`,
    });
  }
  for (const root of references.roots) {
    if (!source.roots.includes(root)) {
      issues.push({
        code: 'unknown_expression_root',
        step,
        field: source.field,
        message: `Step "${step}", ${source.field}: "${root}" is not something an expression can read here (use ${source.roots.join(', ')}).`,
      });
    }
  }
  for (const referenced of references.steps) {
    if (!names.includes(referenced)) {
      const hint = closest(referenced, names);
      issues.push({
        code: 'unknown_step_reference',
        step,
        field: source.field,
        message: `Step "${step}", ${source.field}: reads steps.${referenced}, which is not a step${hint ? ` (did you mean "${hint}"?)` : ''}.`,
      });
    } else if (!upstream.has(referenced)) {
      issues.push({
        code: 'unordered_step_reference',
        step,
        field: source.field,
        message: `Step "${step}", ${source.field}: reads steps.${referenced}, but does not run after it; add "${referenced}" to its needs.`,
      });
    }
  }
}

function toMs(value: string | number): number {
  return typeof value === 'number' ? value : parseDuration(value);
}

function retryOf(step: StepDefinition, node: NodeDefinition): PlanRetry {
  const base = { ...NO_RETRY, ...node.defaults?.retry };
  const written = step.retry;
  if (!written) return base;
  return {
    maximumAttempts: written.max_attempts ?? base.maximumAttempts,
    initialIntervalMs:
      written.initial_interval !== undefined ? toMs(written.initial_interval) : base.initialIntervalMs,
    backoffCoefficient: written.backoff ?? base.backoffCoefficient,
    maximumIntervalMs:
      written.max_interval !== undefined ? toMs(written.max_interval) : base.maximumIntervalMs,
  };
}

function task(node: NodeDefinition, config: Record<string, unknown>, step: StepDefinition): PlanTask {
  return {
    type: node.type,
    execution: node.execution,
    taskQueue: taskQueueFor(node.capability),
    retry: retryOf(step, node),
    timeoutMs:
      step.timeout !== undefined ? toMs(step.timeout) : (node.defaults?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    config,
  };
}

function planStep(entry: CheckedStep, needs: PlanNeed[], routed: boolean): PlanStep {
  const { step } = entry;
  const base = task(entry.node, entry.config, step);
  const when =
    step.when === undefined ? undefined : hasTemplate(step.when) ? templatesIn(step.when)[0] : step.when;
  // `continue` keeps the main path going even when a handler also waits on the failure.
  const onError = step.on_error === 'continue' ? 'continue' : routed ? 'route' : 'fail';
  return {
    ...base,
    ...(entry.each ? { each: task(entry.each.node, entry.each.config, step) } : {}),
    name: step.name,
    needs,
    join: step.join ?? 'all',
    ...(when !== undefined ? { when } : {}),
    onError,
  };
}

function zodIssue(
  code: CompileIssue['code'],
  issue: z.core.$ZodIssue,
  where: string,
  step?: string,
): CompileIssue {
  const field = issue.path.join('.');
  const message =
    issue.code === 'unrecognized_keys'
      ? `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}.`
      : `${where}${field ? `, ${field}` : ''}: ${issue.message}.`;
  return { code, message, ...(step ? { step } : {}), ...(field ? { field } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
