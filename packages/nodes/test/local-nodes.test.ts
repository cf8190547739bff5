import { describe, expect, it } from 'vitest';
import { condition, isTruthy, respond, switchNode, transform } from '../src/index.ts';
import { runNode } from './context.ts';

describe('transform', () => {
  it('outputs the resolved value as it is', async () => {
    const value = { total: 3, items: ['a', 'b'], nested: { ok: true } };
    expect(await runNode(transform, { value })).toStrictEqual(value);
    expect(await runNode(transform, { value: null })).toBeNull();
  });
});

describe('condition', () => {
  it.each([
    [true, 'true'],
    ['yes', 'true'],
    [1, 'true'],
    [{ a: 1 }, 'true'],
    [[0, 'x'], 'true'],
    [false, 'false'],
    ['', 'false'],
    [0, 'false'],
    [null, 'false'],
    [[], 'false'],
    [{}, 'false'],
    [[0, ''], 'false'],
  ])('%j goes through %s', async (value, branch) => {
    expect(await runNode(condition, { condition: value })).toStrictEqual({ branch, value });
  });

  it('treats a value that resolved to nothing as false', () => {
    expect(isTruthy(undefined)).toBe(false);
    expect(isTruthy(Number.NaN)).toBe(false);
  });
});

describe('switch', () => {
  const cases = [
    { name: 'small', equals: { size: 's' } },
    { name: 'large', equals: { size: 'l' } },
    { name: 'also_large', equals: { size: 'l' } },
  ];

  it('takes the first case whose equals deep-equals the value', async () => {
    expect(await runNode(switchNode, { value: { size: 'l' }, cases })).toStrictEqual({
      branch: 'large',
      value: { size: 'l' },
    });
  });

  it('goes through default when no case matches, without coercing types', async () => {
    const numbered = [{ name: 'one', equals: 1 }];
    expect(await runNode(switchNode, { value: '1', cases: numbered })).toEqual({
      branch: 'default',
      value: '1',
    });
    expect(await runNode(switchNode, { value: { size: 'm' }, cases })).toEqual({
      branch: 'default',
      value: { size: 'm' },
    });
  });

  it('compares arrays by order and objects regardless of key order', async () => {
    const listCases = [{ name: 'pair', equals: { tags: ['a', 'b'], n: 2 } }];
    expect((await runNode(switchNode, { value: { n: 2, tags: ['a', 'b'] }, cases: listCases })).branch).toBe(
      'pair',
    );
    expect((await runNode(switchNode, { value: { n: 2, tags: ['b', 'a'] }, cases: listCases })).branch).toBe(
      'default',
    );
  });
});

describe('respond', () => {
  it('outputs the answer for the webhook with defaults', async () => {
    expect(await runNode(respond, { body: { ok: true } })).toStrictEqual({
      status: 200,
      headers: {},
      body: { ok: true },
    });
    expect(
      await runNode(respond, { status: 404, headers: { 'x-reason': 'gone' }, body: 'no' }),
    ).toStrictEqual({
      status: 404,
      headers: { 'x-reason': 'gone' },
      body: 'no',
    });
  });

  it('refuses statuses outside 100-599', () => {
    expect(respond.config.safeParse({ status: 99 }).success).toBe(false);
    expect(respond.config.safeParse({ status: 600 }).success).toBe(false);
  });
});
