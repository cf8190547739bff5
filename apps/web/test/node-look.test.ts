import { builtinNodes, CATEGORIES } from '@pincer/nodes';
import { describe, expect, it } from 'vitest';
import { CATEGORY_COLORS, NODE_ICONS } from '../src/components/canvas/node-look.ts';

describe('the look of nodes on the canvas', () => {
  it('has an icon for every node type Pincer ships', () => {
    const missing = builtinNodes.map((node) => node.type).filter((type) => !NODE_ICONS[type]);
    expect(missing).toEqual([]);
  });

  it('has no icon for a node type that does not exist', () => {
    const types = new Set(builtinNodes.map((node) => node.type));
    expect(Object.keys(NODE_ICONS).filter((type) => !types.has(type))).toEqual([]);
  });

  it('has a colour for every category', () => {
    expect(CATEGORIES.filter((category) => !CATEGORY_COLORS[category])).toEqual([]);
  });
});
