import { describe, expect, it } from 'vitest';
import { builtinNodes } from '../src/index.ts';
import { PURE_NODES } from '../src/pure.ts';

// The interpreter runs a step inline only if its type is in PURE_NODES; a pure node missing there
// silently costs an activity per step, and one listed there without `pure` would not run at all.
describe('the pure node list', () => {
  it('holds exactly the built-in node types whose definition declares pure', () => {
    const declared = builtinNodes
      .filter((node) => node.pure !== undefined)
      .map((node) => node.type)
      .sort();
    expect([...PURE_NODES.keys()].sort()).toEqual(declared);
    expect(declared.length).toBeGreaterThan(0);
  });

  it('does the work the registry ships', () => {
    for (const [type, node] of PURE_NODES) {
      const builtin = builtinNodes.find((candidate) => candidate.type === type);
      expect(typeof node.evaluate).toBe('function');
      expect(builtin?.pure).toBe(node.evaluate);
    }
  });
});

// The workflow checks a pure step's resolved config without zod (it would be loaded again for
// every workflow): what it accepts, computes and refuses, with which messages, must be what the
// node's schema gives.
const configs: Record<string, unknown[]> = {
  transform: [
    { value: { total: 3, items: ['a'] } },
    { value: null },
    { value: undefined },
    {},
    { value: 1, extra: true },
    { one: 1, two: 2 },
    null,
    ['value'],
    'value',
  ],
  condition: [
    { condition: true },
    { condition: [0, ''] },
    { condition: undefined },
    {},
    { condition: 1, if: 2 },
    42,
  ],
  switch: [
    { value: 'a', cases: [{ name: 'first', equals: 'a' }] },
    {
      value: { n: 1 },
      cases: [
        { name: 'other', equals: 2 },
        { name: 'match', equals: { n: 1 } },
      ],
    },
    { cases: [{ name: 'only', equals: 1 }] },
    { value: 1, cases: [] },
    { value: 1 },
    { value: 1, cases: 'premium' },
    { value: 1, cases: [null, 3] },
    { value: 1, cases: [{ name: 'Premium', equals: 1 }] },
    { value: 1, cases: [{ name: 'default', equals: 1 }] },
    {
      value: 1,
      cases: [
        { name: 'error', equals: 1 },
        { name: 'error', equals: 2 },
      ],
    },
    {
      value: 1,
      cases: [
        { name: 'a', equals: 1 },
        { name: 'a', equals: 2 },
        { name: 'a', equals: 3 },
      ],
    },
    {
      value: 1,
      cases: [
        { name: 'B', equals: 1 },
        { name: 'B', equals: 2 },
      ],
    },
    { value: 1, cases: [{ name: 'a', equals: 1 }, { name: 'a' }] },
    {
      value: 1,
      cases: [
        { name: 'a', equals: 1 },
        { name: 'a', equals: 2, when: 3 },
      ],
    },
    { value: 1, cases: [{ equals: 1 }, { name: 7, equals: 2 }] },
    { value: 1, cases: [{ name: 'a', equals: 1 }], default: 'b', other: 1 },
  ],
  respond: [
    {},
    { status: 201, headers: { Location: '/orders/42' }, body: { ok: true } },
    { body: 'text' },
    { body: undefined },
    { status: undefined, headers: undefined },
    { status: null },
    { status: '200' },
    { status: 99 },
    { status: 600 },
    { status: 200.5 },
    { status: Number.NaN },
    { status: Number.POSITIVE_INFINITY },
    { status: 1e20 },
    { status: -1e20 },
    { headers: { a: 1, b: 'x', c: null } },
    { headers: [] },
    { headers: null },
    { headers: 'x' },
    JSON.parse('{"headers": {"__proto__": "x", "a": "b"}}'),
    { status: 50.5, headers: 3, code: 1 },
    { reply: 1 },
    { headers: { 'Set-Cookie': 'session=planted', Location: '/x' } },
    { headers: { 'access-control-allow-origin': '*', 'x-frame-options': 'ALLOWALL' } },
    { status: 99, headers: { 'set-cookie': 'a=b' } },
    { headers: { 'set-cookie': 'a=b', b: 1 } },
  ],
};

describe('a pure step checked in the workflow', () => {
  for (const [type, cases] of Object.entries(configs)) {
    const node = PURE_NODES.get(type);
    const builtin = builtinNodes.find((candidate) => candidate.type === type);
    it.each(cases)(`${type} %j: as its schema says`, (config) => {
      if (!node?.evaluate || !builtin?.pure) throw new Error(`${type} is not a pure node`);
      const parsed = builtin.config.safeParse(config);
      const expected = parsed.success
        ? { ok: true, output: builtin.pure(parsed.data) }
        : { ok: false, issues: parsed.error.issues.map(({ path, message }) => ({ path, message })) };
      expect(node.run(config)).toStrictEqual(expected);
    });
  }

  it('covers every pure node', () => {
    expect(Object.keys(configs).sort()).toEqual([...PURE_NODES.keys()].sort());
  });
});
