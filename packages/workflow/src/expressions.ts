/**
 * `{{ jsonata }}` templates in step config. Evaluation is deterministic and has no access to the
 * process (JSONata, never eval), so it runs inside workflow code. This module is part of the
 * sandbox-safe runtime entry: it must not import anything that does I/O.
 */
import jsonata from 'jsonata';
import { RE2JS } from 're2js';
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

/**
 * What one evaluation may spend. An expression can read a webhook's body, so these hold against
 * input written by anyone: evaluation steps bound the CPU (counted, not timed, so that a replay
 * decides alike), and the characters and items it produces bound the memory. Generous for real
 * work: Temporal caps a step's data at 2 MB anyway.
 */
export const EXPRESSION_LIMITS = {
  /**
   * JSONata evaluation steps. Inside Temporal's workflow sandbox a step costs far more than
   * outside (every promise records its stack): 20 000 take well under a second on an idle 2-core
   * machine, and a workflow task may take 5 s. Enough for a transform of some thousand items;
   * more belongs in a python step.
   */
  steps: 20_000,
  /**
   * How deep evaluation may nest. Inside Temporal's workflow sandbox every promise records the
   * stack it was made on, so the cost of a step grows with the depth: recursion that is not a
   * tail call must stop early.
   */
  depth: 150,
  /** Characters of one string. */
  stringChars: 2_000_000,
  /** Characters of all strings produced, together. */
  totalChars: 20_000_000,
  /** Items of all arrays produced, together (and of one sequence). */
  totalItems: 2_000_000,
} as const;

/** An evaluation went over one of EXPRESSION_LIMITS. */
class LimitExceeded extends Error {
  override readonly name = 'LimitExceeded';
}

/** What an evaluation has spent so far, kept on JSONata's per-evaluation environment. */
interface Spent {
  steps: number;
  chars: number;
  items: number;
}

/** By JSONata's per-evaluation environment (`environment.base`, shared by nested frames). */
const spending = new WeakMap<object, Spent>();

function spentOf(environment: unknown): Spent {
  const base: unknown =
    environment !== null && typeof environment === 'object' && 'base' in environment
      ? environment.base
      : undefined;
  if (base === null || typeof base !== 'object') throw new LimitExceeded('no evaluation environment');
  let spent = spending.get(base);
  if (!spent) {
    spent = { steps: 0, chars: 0, items: 0 };
    spending.set(base, spent);
  }
  return spent;
}

function onEntry(_node: unknown, _input: unknown, environment: unknown): void {
  const spent = spentOf(environment);
  spent.steps += 1;
  if (spent.steps > EXPRESSION_LIMITS.steps)
    throw new LimitExceeded(`it took more than ${EXPRESSION_LIMITS.steps} evaluation steps`);
}

function countText(spent: Spent, text: string): void {
  if (text.length > EXPRESSION_LIMITS.stringChars)
    throw new LimitExceeded(`it made a string of more than ${EXPRESSION_LIMITS.stringChars} characters`);
  spent.chars += text.length;
  if (spent.chars > EXPRESSION_LIMITS.totalChars)
    throw new LimitExceeded(`it made more than ${EXPRESSION_LIMITS.totalChars} characters of text`);
}

function onExit(_node: unknown, _input: unknown, environment: unknown, result: unknown): void {
  const spent = spentOf(environment);
  if (typeof result === 'string') countText(spent, result);
  else if (Array.isArray(result)) {
    spent.items += result.length;
    if (spent.items > EXPRESSION_LIMITS.totalItems)
      throw new LimitExceeded(`it made more than ${EXPRESSION_LIMITS.totalItems} array items`);
    // A function's results can reach an array without passing a hook of their own ($map of a
    // lambda whose body is a call: JSONata runs that as a tail call).
    for (const item of result) if (typeof item === 'string') countText(spent, item);
  }
}

/**
 * JSONata's `$pad` builds its padding before anything can look at it: this one refuses a width
 * over the string limit first, and otherwise pads as JSONata does (by code points).
 */
function pad(text: string | undefined, width: number, fill?: string): string | undefined {
  if (text === undefined) return undefined;
  const wanted = Math.trunc(width);
  if (Math.abs(wanted) > EXPRESSION_LIMITS.stringChars)
    throw new LimitExceeded(
      `$pad to ${Math.abs(wanted)} characters is over ${EXPRESSION_LIMITS.stringChars}`,
    );
  const char = fill === undefined || fill.length === 0 ? ' ' : fill;
  const missing = Math.abs(wanted) - Array.from(text).length;
  if (missing <= 0) return text;
  const padding = Array.from(char.repeat(Math.ceil(missing / Array.from(char).length)))
    .slice(0, missing)
    .join('');
  return wanted > 0 ? text + padding : padding + text;
}

/**
 * Regular expressions (`/(a+)+$/`, in $match, $replace, $split, $contains) run on RE2: time
 * linear in the input, so no pattern can backtrack for ever. RE2 has no backreferences or
 * lookaround; such a pattern fails with a message that says so. JSONata constructs its engine with
 * the RegExp it parsed and then only sets `lastIndex` and calls `exec`.
 */
class Re2RegExp {
  lastIndex = 0;
  readonly #pattern: RE2JS;

  constructor(pattern: RegExp | string, flags = '') {
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    const all = typeof pattern === 'string' ? flags : pattern.flags;
    let bits = 0;
    if (all.includes('i')) bits |= RE2JS.CASE_INSENSITIVE;
    if (all.includes('m')) bits |= RE2JS.MULTILINE;
    if (all.includes('s')) bits |= RE2JS.DOTALL;
    try {
      this.#pattern = RE2JS.compile(RE2JS.translateRegExp(source), bits);
    } catch (error) {
      throw new LimitExceeded(
        `the regular expression /${source}/ is not supported (${error instanceof Error ? error.message : String(error)}): Pincer matches with RE2, which has no backreferences or lookaround`,
      );
    }
  }

  exec(input: string): (string[] & { index: number }) | null {
    const matcher = this.#pattern.matcher(input);
    if (this.lastIndex > input.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: string[] = [];
    for (let group = 0; group <= matcher.groupCount(); group++) groups.push(matcher.group(group) ?? '');
    this.lastIndex = matcher.end();
    return Object.assign(groups, { index: matcher.start() });
  }
}

// JSONata's typings name the engine RegExpConstructor; it only ever does `new Engine(regexp)`.
const LIMITED: jsonata.JsonataOptions = {
  RegexEngine: Re2RegExp as unknown as RegExpConstructor,
  sequence: EXPRESSION_LIMITS.totalItems,
  stack: EXPRESSION_LIMITS.depth,
};

/** How to evaluate: `unlimited` is how runs started before the limits evaluate when they replay. */
export interface EvaluationOptions {
  unlimited?: boolean;
}

const compiled = new Map<string, jsonata.Expression>();

function compile(expression: string, unlimited = false): jsonata.Expression {
  const key = unlimited ? `unlimited:${expression}` : expression;
  let found = compiled.get(key);
  if (!found) {
    try {
      found = unlimited ? jsonata(expression) : limited(jsonata(expression, LIMITED));
    } catch (error) {
      throw new ExpressionError(expression, `invalid expression "${expression}": ${jsonataMessage(error)}`);
    }
    if (compiled.size > 5000) compiled.clear();
    compiled.set(key, found);
  }
  return found;
}

/** Binds the step and size hooks and the bounded `$pad` to a compiled expression. */
function limited(expression: jsonata.Expression): jsonata.Expression {
  // JSONata looks its evaluation hooks up by symbol; its typings only let `assign` take a string.
  Reflect.apply(expression.assign, expression, [Symbol.for('jsonata.__evaluate_entry'), onEntry]);
  Reflect.apply(expression.assign, expression, [Symbol.for('jsonata.__evaluate_exit'), onExit]);
  expression.registerFunction('pad', pad, '<s-ns?:s>');
  return expression;
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

/**
 * Evaluates one expression against the scope; `undefined` results become null. Over a limit (see
 * EXPRESSION_LIMITS) or on an unsupported pattern it throws an ExpressionError saying which.
 */
export async function evaluate(
  expression: string,
  scope: Scope,
  options: EvaluationOptions = {},
): Promise<unknown> {
  const compiledExpression = compile(expression, options.unlimited);
  // Plain paths and simple comparisons without JSONata's promises (same values, see simple-expressions.ts).
  const simple = simpleEvaluate(compiledExpression.ast() as unknown as Node, scope);
  if (simple) return simple.value === null ? null : normalize(simple.value);
  try {
    const result: unknown = await compiledExpression.evaluate(scope);
    return result === undefined ? null : normalize(result);
  } catch (error) {
    if (error instanceof ExpressionError) throw error;
    if (error instanceof LimitExceeded)
      throw new ExpressionError(
        expression,
        `expression "${shortened(expression)}" stopped: ${error.message}`,
      );
    throw new ExpressionError(expression, `expression "${expression}" failed: ${jsonataMessage(error)}`);
  }
}

function shortened(expression: string): string {
  return expression.length > 200 ? `${expression.slice(0, 200)}…` : expression;
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
  options: EvaluationOptions = {},
): Promise<unknown> {
  if (typeof value === 'string') return resolveString(value, scope, secretRef, options);
  if (Array.isArray(value)) {
    const resolved: unknown[] = [];
    for (const entry of value) resolved.push(await resolveTemplates(entry, scope, secretRef, options));
    return resolved;
  }
  if (value !== null && typeof value === 'object') {
    const resolved: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value))
      resolved[key] = await resolveTemplates(entry, scope, secretRef, options);
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
  secretRef: ((name: string) => string) | undefined,
  options: EvaluationOptions,
): Promise<unknown> {
  if (!hasTemplate(value)) return value;
  const whole = value.match(WHOLE_TEMPLATE);
  if (whole && !value.slice(value.indexOf('{{') + 2).includes('{{')) {
    const expression = (whole[1] ?? '').trim();
    return readsSecrets(expression)
      ? secretTemplate(value, expression, secretRef)
      : evaluate(expression, scope, options);
  }
  let result = '';
  let last = 0;
  for (const match of value.matchAll(TEMPLATE)) {
    const expression = (match[1] ?? '').trim();
    const index = match.index ?? 0;
    result += value.slice(last, index);
    result += readsSecrets(expression)
      ? secretTemplate(match[0], expression, secretRef)
      : stringify(await evaluate(expression, scope, options));
    last = index + match[0].length;
  }
  return result + value.slice(last);
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
