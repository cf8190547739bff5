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

  it('lists the same definitions the registry ships', () => {
    for (const [type, node] of PURE_NODES) {
      expect(builtinNodes.find((builtin) => builtin.type === type)).toBe(node);
      expect(typeof node.pure).toBe('function');
    }
  });
});
