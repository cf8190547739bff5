/**
 * `{{ jsonata }}` templates in step config. Evaluation is deterministic and has no access to the
 * process (JSONata, never eval), so it runs inside workflow code. This module is part of the
 * sandbox-safe runtime entry: it must not import anything that does I/O.
 */
import jsonata from 'jsonata';
import { secretName } from './secret-refs.ts';
import { type Node, simpleEvaluate } from './simple-expressions.ts';

const TEMPLATE = /\{\{([\s\S]+?)\}\}/g;
const WHOLE_TEMPLATE = /^\s*\{\{([\s\S]+?)\}\}\s*$/;

/** The names an expression may start from; `item`/`index` exist inside a for-each step. */
export const EXPRESSION_ROOTS = ['trigger', 'steps', 'vars', 'secrets', 'item', 'index', 'run'] as const;
export type ExpressionRoot = (typeof EXPRESSION_ROOTS)[number];

export interface Scope {
  trigger: unknown;
  steps: Record<string, { output: unknown; status: string; error?: unknown }>;
  vars: Record<string, unknown>;
  run: { id: string; workflow: string; version: number };
  item?: unknown;
  index?: number;
}

export function hasTemplate(value: string): boolean {
  return value.includes('{{');
}

/** The expressions inside a string's `{{ }}` templates. */
export function templatesIn(value: string): string[] {
  return [...value.matchAll(TEMPLATE)].map((match) => (match[1] ?? '').trim());
}

/** Every template string in a config tree, with its path (for error messages). */
export function templateStrings(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; text: string }[] {
  if (typeof value === 'string') return hasTemplate(value) ? [{ path, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((entry, index) => templateStrings(entry, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, entry]) => templateStrings(entry, [...path, key]));
  }
  return [];
}

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(message);
  }
}

const compiled = new Map<string, jsonata.Expression>();

function compile(expression: string): jsonata.Expression {
  let found = compiled.get(expression);
  if (!found) {
    try {
      found = jsonata(expression);
    } catch (error) {
      throw new ExpressionError(expression, `invalid expression "${expression}": ${jsonataMessage(error)}`);
    }
    if (compiled.size > 5000) compiled.clear();
    compiled.set(expression, found);
  }
  return found;
}

function jsonataMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    const position =
      'position' in error && typeof error.position === 'number' ? ` at character ${error.position}` : '';
    return `${error.message}${position}`;
  }
  return String(error);
}

/** Syntax check; throws ExpressionError. */
export function parseExpression(expression: string): jsonata.ExprNode {
  return compile(expression).ast();
}

/**
 * The root names an expression reads (`steps`, `trigger`...) and, for `steps.X...`, the step
 * names it references. Paths inside predicates and lambdas are relative to their context item,
 * so only paths at the expression's top level count.
 */
export function referencesOf(expression: string): { roots: Set<string>; steps: Set<string> } {
  const found = { roots: new Set<string>(), steps: new Set<string>() };
  collectReferences(parseExpression(expression), true, found);
  return found;
}

const NON_CHILD_KEYS = new Set(['type', 'value', 'position', 'name', 'keepArray', 'consarray', 'tuple']);

function collectReferences(
  node: unknown,
  topLevel: boolean,
  found: { roots: Set<string>; steps: Set<string> },
): void {
  if (Array.isArray(node)) {
    for (const entry of node) collectReferences(entry, topLevel, found);
    return;
  }
  if (!isRecord(node)) return;
  if (node.type === 'path' && Array.isArray(node.steps)) {
    const [first, second] = node.steps;
    if (topLevel && isRecord(first) && first.type === 'name' && typeof first.value === 'string') {
      found.roots.add(first.value);
      if (
        first.value === 'steps' &&
        isRecord(second) &&
        second.type === 'name' &&
        typeof second.value === 'string'
      ) {
        found.steps.add(second.value);
      }
    }
    // Later steps (and predicates) evaluate against the path's own context, not the scope.
    collectReferences(node.steps.slice(1), false, found);
    if (isRecord(first) && first.type !== 'name') collectReferences(first, topLevel, found);
    return;
  }
  if (node.type === 'name' && topLevel && typeof node.value === 'string') {
    found.roots.add(node.value);
    return;
  }
  const childTopLevel = topLevel && node.type !== 'lambda';
  for (const [key, child] of Object.entries(node)) {
    if (!NON_CHILD_KEYS.has(key)) collectReferences(child, childTopLevel, found);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Evaluates one expression against the scope; `undefined` results become null. */
export async function evaluate(expression: string, scope: Scope): Promise<unknown> {
  const compiledExpression = compile(expression);
  // Plain paths and simple comparisons without JSONata's promises (same values, see simple-expressions.ts).
  const simple = simpleEvaluate(compiledExpression.ast() as unknown as Node, scope);
  if (simple) return simple.value === null ? null : normalize(simple.value);
  try {
    const result: unknown = await compiledExpression.evaluate(scope);
    return result === undefined ? null : normalize(result);
  } catch (error) {
    if (error instanceof ExpressionError) throw error;
    throw new ExpressionError(expression, `expression "${expression}" failed: ${jsonataMessage(error)}`);
  }
}

/** JSONata returns arrays with extra markers (`sequence`); keep plain JSON values only. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, normalize(entry)]));
  }
  return value;
}

/**
 * Resolves every template in a config tree. A string that is exactly one template becomes the
 * expression's value (a number stays a number); templates inside longer strings are interpolated.
 * Secrets are resolved only inside activities: with `secretRef`, a `{{ secrets.NAME }}` template
 * becomes the reference it makes (see secret-refs.ts); without, it is left in place.
 */
export async function resolveTemplates(
  value: unknown,
  scope: Scope,
  secretRef?: (name: string) => string,
): Promise<unknown> {
  if (typeof value === 'string') return resolveString(value, scope, secretRef);
  if (Array.isArray(value)) {
    const resolved: unknown[] = [];
    for (const entry of value) resolved.push(await resolveTemplates(entry, scope, secretRef));
    return resolved;
  }
  if (value !== null && typeof value === 'object') {
    const resolved: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value))
      resolved[key] = await resolveTemplates(entry, scope, secretRef);
    return resolved;
  }
  return value;
}

/** What a template that reads a secret becomes: the run's reference, or the template itself. */
function secretTemplate(template: string, expression: string, secretRef?: (name: string) => string): string {
  const name = secretName(expression);
  return name && secretRef ? secretRef(name) : template;
}

function readsSecrets(expression: string): boolean {
  return /(^|[^\w$.])secrets\s*\./.test(expression);
}

async function resolveString(
  value: string,
  scope: Scope,
  secretRef?: (name: string) => string,
): Promise<unknown> {
  if (!hasTemplate(value)) return value;
  const whole = value.match(WHOLE_TEMPLATE);
  if (whole && !value.slice(value.indexOf('{{') + 2).includes('{{')) {
    const expression = (whole[1] ?? '').trim();
    return readsSecrets(expression)
      ? secretTemplate(value, expression, secretRef)
      : evaluate(expression, scope);
  }
  let result = '';
  let last = 0;
  for (const match of value.matchAll(TEMPLATE)) {
    const expression = (match[1] ?? '').trim();
    const index = match.index ?? 0;
    result += value.slice(last, index);
    result += readsSecrets(expression)
      ? secretTemplate(match[0], expression, secretRef)
      : stringify(await evaluate(expression, scope));
    last = index + match[0].length;
  }
  return result + value.slice(last);
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
