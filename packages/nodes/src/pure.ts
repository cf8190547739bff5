/**
 * The built-in node types that are pure functions of their config (`pure` instead of `run`): the
 * interpreter runs them inside the workflow, with no activity. Workflow code imports this entry,
 * so it must stay deterministic, I/O-free and cheap to load: Temporal evaluates the workflow
 * bundle's modules again for every workflow it starts, so nothing here may build schemas (no zod)
 * or do other work at module scope.
 *
 * Each pure node's work is defined here and is its definition's `pure` (nodes/*.ts, where the zod
 * config schema lives); its config check gives what that schema gives for the config a step
 * resolved to: the same output and, for a config it refuses, the same issues with the same
 * messages (test/pure.test.ts compares the two).
 */

/** What a config check reports, as a zod issue does: where (empty for the whole config) and what. */
export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

export type ConfigCheck<Config> = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

export type PureOutcome = { ok: true; output: unknown } | { ok: false; issues: ConfigIssue[] };

/** A pure node type as the interpreter runs it. */
export interface PureNode {
  type: string;
  /** The node's work: the same function as its definition's `pure`. */
  evaluate: (config: never) => unknown;
  /** Checks the config as the node's schema does and, when it passes, does the work. */
  run(config: unknown): PureOutcome;
}

export interface TransformConfig {
  value?: unknown;
}

export interface ConditionConfig {
  condition?: unknown;
}

export interface SwitchCase {
  name: string;
  equals?: unknown;
}

export interface SwitchConfig {
  value?: unknown;
  cases: SwitchCase[];
}

export interface RespondConfig {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** The transform node's work: its output is its (resolved) value. */
export function transformValue(config: TransformConfig): unknown {
  return config.value;
}

/**
 * JSONata's `$boolean()`, so a condition means the same as the same expression inside a template:
 * empty strings, 0, NaN, null, false, empty arrays and empty objects are false; an array is true
 * when any of its items is.
 */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTruthy);
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'function') return false;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return false;
}

/** The condition node's work: the branch its value picks. */
export function conditionBranch(config: ConditionConfig): { branch: 'true' | 'false'; value: unknown } {
  return { branch: isTruthy(config.condition) ? 'true' : 'false', value: config.condition };
}

/** The switch node's work: the port of the first case that equals the value, else `default`. */
export function switchBranch(config: SwitchConfig): { branch: string; value: unknown } {
  const match = config.cases.find((c) => jsonEqual(c.equals, config.value));
  return { branch: match?.name ?? 'default', value: config.value };
}

/** The respond node's work: the webhook's answer. */
export function respondAnswer(config: RespondConfig): {
  status: number;
  headers: Record<string, string>;
  body: unknown;
} {
  return { status: config.status, headers: config.headers, body: config.body };
}

/** Structural equality of JSON values: `1` and `"1"` differ, key order does not matter. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => jsonEqual(item, b[i]))
    );
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Ports every switch has besides its cases, so no case may take their names. */
/**
 * Headers only Pincer sets on a webhook answer. A webhook's answer is served from the studio's
 * origin, so a step must never set cookies or the headers that decide how a browser treats the page
 * (see docs/security.md, "Webhook answers"). CORS headers (`access-control-*`) are Pincer's too.
 */
export const RESERVED_ANSWER_HEADERS: readonly string[] = [
  'set-cookie',
  'set-cookie2',
  'clear-site-data',
  'content-security-policy',
  'content-security-policy-report-only',
  'x-content-type-options',
  'x-frame-options',
  'strict-transport-security',
  'permissions-policy',
  'cross-origin-opener-policy',
  'cross-origin-embedder-policy',
  'cross-origin-resource-policy',
  'service-worker-allowed',
  'origin-agent-cluster',
  'x-pincer-run',
];

/** Whether a respond step may set this header on a webhook's answer. */
export function answerHeaderAllowed(header: string): boolean {
  const name = header.toLowerCase();
  return !RESERVED_ANSWER_HEADERS.includes(name) && !name.startsWith('access-control-');
}

export function reservedAnswerHeaderMessage(header: string): string {
  return `${header} is set by Pincer only: a respond step cannot set it (webhook answers are served from the studio's origin; see docs/security.md)`;
}

export const RESERVED_PORTS: readonly string[] = ['default', 'error'];

/** What a node's output port may be named (define.ts builds `portName` from these). */
export const PORT_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
export const PORT_NAME_MESSAGE = 'ports are snake_case';
export const RESERVED_PORT_MESSAGE = `"default" and "error" are ports every switch has; name the case something else`;
export const NO_CASES_MESSAGE = 'a switch needs at least one case';

export function duplicateCaseMessage(name: string): string {
  return `case "${name}" appears twice; case names are output ports and must be unique`;
}

// The checks below mirror zod's: a strict object reports its fields in declared order, then the
// keys it does not know; a value of the wrong type stops the checks of that value; the messages
// are zod's English ones.

/** A value's type as zod's messages name it. */
function typeName(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    return Number.isFinite(value) ? 'number' : String(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    if (Object.getPrototypeOf(value) !== Object.prototype && 'constructor' in value && value.constructor)
      return (value.constructor as { name: string }).name;
    return 'object';
  }
  return typeof value;
}

function wrongType(expected: string, value: unknown, path: (string | number)[]): ConfigIssue {
  return { path, message: `Invalid input: expected ${expected}, received ${typeName(value)}` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field every config must have, of any type: zod's `z.unknown()` in a strict object. */
function required(
  config: Record<string, unknown>,
  key: string,
  path: (string | number)[],
  issues: ConfigIssue[],
) {
  if (!(key in config)) issues.push(wrongType('nonoptional', undefined, [...path, key]));
}

/** The keys a strict object does not know, reported together after its fields. */
function unknownKeys(
  config: Record<string, unknown>,
  known: readonly string[],
  path: (string | number)[],
  issues: ConfigIssue[],
): void {
  const extra: string[] = [];
  for (const key in config) if (!known.includes(key)) extra.push(key);
  if (extra.length === 0) return;
  const keys = extra.map((key) => `"${key}"`).join(', ');
  issues.push({ path, message: `Unrecognized key${extra.length > 1 ? 's' : ''}: ${keys}` });
}

function checked<Config>(issues: ConfigIssue[], config: () => Config): ConfigCheck<Config> {
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: config() };
}

export function checkTransform(config: unknown): ConfigCheck<TransformConfig> {
  if (!isObject(config)) return { ok: false, issues: [wrongType('object', config, [])] };
  const issues: ConfigIssue[] = [];
  required(config, 'value', [], issues);
  unknownKeys(config, ['value'], [], issues);
  return checked(issues, () => ({ value: config.value }));
}

export function checkCondition(config: unknown): ConfigCheck<ConditionConfig> {
  if (!isObject(config)) return { ok: false, issues: [wrongType('object', config, [])] };
  const issues: ConfigIssue[] = [];
  required(config, 'condition', [], issues);
  unknownKeys(config, ['condition'], [], issues);
  return checked(issues, () => ({ condition: config.condition }));
}

export function checkSwitch(config: unknown): ConfigCheck<SwitchConfig> {
  if (!isObject(config)) return { ok: false, issues: [wrongType('object', config, [])] };
  const issues: ConfigIssue[] = [];
  required(config, 'value', [], issues);
  const cases = config.cases;
  if (!Array.isArray(cases)) issues.push(wrongType('array', cases, ['cases']));
  else {
    // Only a wrong type stops the array's own checks; a name that is not snake_case does not.
    let stopped = false;
    for (const [index, item] of (cases as unknown[]).entries()) {
      const path = ['cases', index];
      if (!isObject(item)) {
        issues.push(wrongType('object', item, path));
        stopped = true;
        continue;
      }
      const name = item.name;
      if (typeof name !== 'string') {
        issues.push(wrongType('string', name, [...path, 'name']));
        stopped = true;
      } else {
        if (!PORT_NAME_PATTERN.test(name))
          issues.push({ path: [...path, 'name'], message: PORT_NAME_MESSAGE });
        if (RESERVED_PORTS.includes(name))
          issues.push({ path: [...path, 'name'], message: RESERVED_PORT_MESSAGE });
      }
      if (!('equals' in item)) {
        issues.push(wrongType('nonoptional', undefined, [...path, 'equals']));
        stopped = true;
      }
      unknownKeys(item, ['name', 'equals'], path, issues);
    }
    if (cases.length < 1) issues.push({ path: ['cases'], message: NO_CASES_MESSAGE });
    if (!stopped) {
      const seen = new Set<unknown>();
      for (const [index, item] of cases.entries()) {
        const name = (item as SwitchCase).name;
        if (seen.has(name))
          issues.push({ path: ['cases', index, 'name'], message: duplicateCaseMessage(name) });
        seen.add(name);
      }
    }
  }
  unknownKeys(config, ['value', 'cases'], [], issues);
  return checked(issues, () => ({
    value: config.value,
    cases: (cases as Record<string, unknown>[]).map((c) => ({ name: c.name as string, equals: c.equals })),
  }));
}

export function checkRespond(config: unknown): ConfigCheck<RespondConfig> {
  if (!isObject(config)) return { ok: false, issues: [wrongType('object', config, [])] };
  const issues: ConfigIssue[] = [];
  // A default stands in for a missing value only, not for null.
  const status = config.status === undefined ? 200 : config.status;
  if (typeof status !== 'number' || !Number.isFinite(status))
    issues.push(wrongType('number', status, ['status']));
  else if (!Number.isInteger(status)) issues.push(wrongType('int', status, ['status']));
  else {
    if (!Number.isSafeInteger(status))
      issues.push({
        path: ['status'],
        message:
          status > 0
            ? `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`
            : `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`,
      });
    if (status < 100) issues.push({ path: ['status'], message: 'Too small: expected number to be >=100' });
    if (status > 599) issues.push({ path: ['status'], message: 'Too big: expected number to be <=599' });
  }
  const headers = config.headers === undefined ? {} : config.headers;
  const answerHeaders: Record<string, string> = {};
  const issuesBeforeHeaders = issues.length;
  if (!isObject(headers)) issues.push(wrongType('record', headers, ['headers']));
  else
    for (const [key, value] of Object.entries(headers)) {
      // As zod's record does: a `__proto__` key is left out, unchecked.
      if (key === '__proto__') continue;
      if (typeof value === 'string') answerHeaders[key] = value;
      else issues.push(wrongType('string', value, ['headers', key]));
    }
  // As the schema's refinement does: checked once every header is a string.
  if (issues.length === issuesBeforeHeaders)
    for (const key of Object.keys(answerHeaders))
      if (!answerHeaderAllowed(key))
        issues.push({ path: ['headers', key], message: reservedAnswerHeaderMessage(key) });
  unknownKeys(config, ['status', 'headers', 'body'], [], issues);
  return checked(issues, () => ({
    status: status as number,
    headers: answerHeaders,
    ...('body' in config ? { body: config.body } : {}),
  }));
}

function pureNode<Config>(
  type: string,
  check: (config: unknown) => ConfigCheck<Config>,
  evaluate: (config: Config) => unknown,
): PureNode {
  return {
    type,
    evaluate,
    run(config) {
      const result = check(config);
      return result.ok ? { ok: true, output: evaluate(result.config) } : result;
    },
  };
}

const PURE: readonly PureNode[] = [
  pureNode('transform', checkTransform, transformValue),
  pureNode('condition', checkCondition, conditionBranch),
  pureNode('switch', checkSwitch, switchBranch),
  pureNode('respond', checkRespond, respondAnswer),
];

export const PURE_NODES: ReadonlyMap<string, PureNode> = new Map(PURE.map((node) => [node.type, node]));
