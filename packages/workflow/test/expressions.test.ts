import { evaluate, type Scope } from '@pincer/workflow/runtime';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { type Node, simpleEvaluate } from '../src/simple-expressions.ts';

const scope: Scope = {
  trigger: {
    body: { customer: 'ada', price: 12.5, quantity: 4, tags: ['a', 'b'], nested: { deep: { n: 0 } } },
    flag: true,
    empty: null,
    zero: 0,
  },
  steps: {
    price: { output: { customer: 'ada', total: 50 }, status: 'succeeded' },
    approve: { output: { branch: 'true' }, status: 'succeeded' },
    none: { output: null, status: 'skipped' },
  },
  vars: { limit: 100, name: 'orders', on: false },
  run: { id: 'run-1', workflow: 'orders', version: 3 },
};

// Every expression here is evaluated by JSONata too: the fast path must give the same, or decline.
const EXPRESSIONS = [
  'trigger.body.customer',
  'trigger.body.price * trigger.body.quantity',
  'trigger.body.price + 1',
  'trigger.body.price - trigger.body.quantity',
  'trigger.body.price / trigger.body.quantity',
  'trigger.body.quantity % 3',
  'trigger.body.price / trigger.zero',
  'steps.price.output.total > vars.limit',
  'steps.price.output.total <= 50',
  "steps.approve.output.branch = 'true'",
  "steps.approve.output.branch != 'true'",
  'steps.price.output',
  'steps.none.output',
  'trigger.body.tags',
  'trigger.body.tags[0]',
  'trigger.body.missing',
  'trigger.body.missing = 1',
  'trigger.body.missing + 1',
  'trigger.body.customer.length',
  'trigger.body.nested.deep.n',
  'trigger.empty',
  'trigger.empty = null',
  'trigger.flag and vars.on',
  'trigger.flag or vars.on',
  'trigger.body.quantity and true',
  "vars.name & '-' & run.id",
  'vars.name & 1',
  "'a' < 'b'",
  "'a' < 1",
  '-trigger.body.price',
  '-trigger.body.customer',
  'steps.price.output = steps.price.output',
  '$string(vars.limit)',
  'steps.price.output.{ "c": customer }',
  'run.version',
  '1e308 * 10',
  'true',
  'null',
  '"text"',
];

/** JSONata's value as plain data (its sequences carry extra markers). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plain(entry)]));
  return value;
}

async function viaJsonata(expression: string): Promise<unknown> {
  try {
    const result: unknown = await jsonata(expression).evaluate(scope);
    return { value: result === undefined ? null : plain(result) };
  } catch {
    return { error: true };
  }
}

async function viaEvaluate(expression: string): Promise<unknown> {
  try {
    return { value: await evaluate(expression, scope) };
  } catch {
    return { error: true };
  }
}

describe('template expressions', () => {
  it.each(EXPRESSIONS)('%s gives what JSONata gives', async (expression) => {
    expect(await viaEvaluate(expression)).toEqual(await viaJsonata(expression));
  });

  it('evaluates plain paths and simple comparisons without JSONata', () => {
    const simple = (expression: string) =>
      simpleEvaluate(jsonata(expression).ast() as unknown as Node, scope);
    expect(simple('steps.price.output.total > vars.limit')).toEqual({ value: false });
    expect(simple('trigger.body.price * trigger.body.quantity')).toEqual({ value: 50 });
    expect(simple("steps.approve.output.branch = 'true'")).toEqual({ value: true });
    // Arrays, missing fields, functions and mixed types are left to JSONata.
    expect(simple('trigger.body.tags')).toBeUndefined();
    expect(simple('trigger.body.missing')).toBeUndefined();
    expect(simple('$string(vars.limit)')).toBeUndefined();
    expect(simple("'a' < 1")).toBeUndefined();
  });
});

describe('limits (an expression may read anyone’s webhook body)', () => {
  const text: Scope = { ...scope, trigger: { body: `${'a'.repeat(5000)}!` } };

  it('matches on RE2: a pattern that backtracks for ever in JavaScript answers at once', async () => {
    expect(await evaluate('$match(trigger.body, /(a+)+$/)', text)).toBeNull();
    expect(await evaluate('$replace("a-b-c", /-/, "+")', text)).toBe('a+b+c');
    expect(await evaluate('$split("a1b22c", /[0-9]+/)', text)).toEqual(['a', 'b', 'c']);
    expect(await evaluate('$match("Hello", /L(.)/i).groups', text)).toEqual(['l']);
    await expect(evaluate('$match("aXb", /a(?=X)/)', text)).rejects.toThrow(
      /the regular expression \/a\(\?=X\)\/ is not supported .*RE2, which has no backreferences or lookaround/,
    );
  });

  it('stops an evaluation that runs or grows without bound, saying which limit it hit', async () => {
    await expect(evaluate('$pad("", 50000000)', text)).rejects.toThrow(
      /stopped: \$pad to 50000000 characters is over 2000000/,
    );
    expect(await evaluate('$pad("ab", -5, "x")', text)).toBe('xxxab');
    await expect(evaluate('($f := function($n){ $f($n + 1) }; $f(0))', text)).rejects.toThrow(
      /stopped: it took more than 20000 evaluation steps/,
    );
    await expect(
      evaluate('$count($map([1..100], function($i){ $pad("", 1000000, "x") }))', text),
    ).rejects.toThrow(/stopped: it made more than 20000000 characters of text/);
  });

  it('stops recursion that is not a tail call early', async () => {
    await expect(evaluate('($f := function($n){ 1 + $f($n + 1) }; $f(0))', text)).rejects.toThrow(
      /Stack overflow/,
    );
  });

  it('evaluates as before for runs that started before the limits (their replay)', async () => {
    expect(await evaluate('$match("aXb", /a(?=X)/).match', text, { unlimited: true })).toBe('a');
  });
});
