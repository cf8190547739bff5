/**
 * A synchronous evaluator for the simplest JSONata expressions: plain field paths into objects
 * (`steps.price.output.total`), literals, and arithmetic, comparison, equality, `and`/`or` and `&`
 * on values of the one type JSONata itself accepts for them. It gives exactly what JSONata
 * gives, or declines (`undefined`) and JSONata evaluates the expression.
 *
 * Why: in workflow code every promise the SDK sees records its stack trace (for the stack-trace
 * query), and JSONata's evaluator creates promises for every node of an expression; a webhook
 * step's few templates cost milliseconds of CPU that way. Part of the sandbox-safe runtime entry.
 */
/** What the evaluator gives back when it produced a value (a wrapper: the value may be null). */
export interface Simple {
  value: unknown;
}

/** A node of JSONata's parsed expression (`expression.ast()`), read loosely: unknown keys decline. */
export interface Node {
  type: string;
  value?: unknown;
  [key: string]: unknown;
}

const LITERAL_KEYS = new Set(['type', 'value', 'position']);
const PATH_KEYS = new Set(['type', 'steps']);
const BINARY_KEYS = new Set(['type', 'value', 'position', 'lhs', 'rhs']);
const UNARY_KEYS = new Set(['type', 'value', 'position', 'expression']);

function onlyKeys(node: object, allowed: Set<string>): boolean {
  return Object.keys(node).every((key) => allowed.has(key));
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function finite(value: number): Simple | undefined {
  return Number.isFinite(value) ? { value } : undefined;
}

/** A path of field names through plain objects, each field present, ending on a non-array value. */
function path(node: Node, scope: unknown): Simple | undefined {
  if (!onlyKeys(node, PATH_KEYS) || !Array.isArray(node.steps)) return undefined;
  let current: unknown = scope;
  for (const step of node.steps as Node[]) {
    if (step.type !== 'name' || typeof step.value !== 'string' || !onlyKeys(step, LITERAL_KEYS))
      return undefined;
    if (!isPlainObject(current) || !Object.hasOwn(current, step.value)) return undefined;
    current = current[step.value];
  }
  if (current === undefined || Array.isArray(current) || typeof current === 'function') return undefined;
  return { value: current };
}

function arithmetic(op: string, left: number, right: number): Simple | undefined {
  switch (op) {
    case '+':
      return finite(left + right);
    case '-':
      return finite(left - right);
    case '*':
      return finite(left * right);
    case '/':
      return finite(left / right);
    case '%':
      return finite(left % right);
    default:
      return undefined;
  }
}

function compare(op: string, left: number | string, right: number | string): Simple | undefined {
  switch (op) {
    case '<':
      return { value: left < right };
    case '<=':
      return { value: left <= right };
    case '>':
      return { value: left > right };
    case '>=':
      return { value: left >= right };
    default:
      return undefined;
  }
}

function binary(node: Node, scope: unknown): Simple | undefined {
  if (!onlyKeys(node, BINARY_KEYS)) return undefined;
  const left = simpleEvaluate(node.lhs as Node, scope);
  if (!left) return undefined;
  const right = simpleEvaluate(node.rhs as Node, scope);
  if (!right) return undefined;
  const op = String(node.value);
  const [a, b] = [left.value, right.value];
  if (op === '=' || op === '!=') {
    if (!isPrimitive(a) || !isPrimitive(b)) return undefined;
    return { value: op === '=' ? a === b : a !== b };
  }
  if (op === 'and' || op === 'or') {
    if (typeof a !== 'boolean' || typeof b !== 'boolean') return undefined;
    return { value: op === 'and' ? a && b : a || b };
  }
  if (op === '&') return typeof a === 'string' && typeof b === 'string' ? { value: a + b } : undefined;
  if (typeof a === 'number' && typeof b === 'number') return arithmetic(op, a, b) ?? compare(op, a, b);
  if (typeof a === 'string' && typeof b === 'string') return compare(op, a, b);
  return undefined;
}

/** The expression's value, or `undefined` when it is not one this evaluator is sure of. */
export function simpleEvaluate(node: Node | undefined, scope: unknown): Simple | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'path':
      return path(node, scope);
    case 'number':
      return onlyKeys(node, LITERAL_KEYS) && typeof node.value === 'number' ? finite(node.value) : undefined;
    case 'string':
      return onlyKeys(node, LITERAL_KEYS) && typeof node.value === 'string'
        ? { value: node.value }
        : undefined;
    case 'value':
      return onlyKeys(node, LITERAL_KEYS) && (node.value === null || typeof node.value === 'boolean')
        ? { value: node.value }
        : undefined;
    case 'binary':
      return binary(node, scope);
    case 'unary': {
      if (node.value !== '-' || !onlyKeys(node, UNARY_KEYS)) return undefined;
      const operand = simpleEvaluate(node.expression as Node, scope);
      return operand && typeof operand.value === 'number' ? { value: -operand.value } : undefined;
    }
    default:
      return undefined;
  }
}
