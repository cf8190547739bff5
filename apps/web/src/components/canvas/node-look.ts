/**
 * How a node type looks on the canvas and in the palette: one icon per node type and one colour per
 * category. Node definitions carry no icon; this table is the one place that gives them theirs.
 */

/** Stroke paths on a 24×24 grid, drawn with `currentColor`. */
export const NODE_ICONS: Readonly<Record<string, string>> = {
  manual_trigger: 'M8 5v14l11-7z',
  webhook_trigger:
    'M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7',
  schedule_trigger: 'M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM12 7v5l3 2',
  transform: 'M8 4C6 4 6 6 6 8s-1 4-2 4c1 0 2 2 2 4s0 4 2 4M16 4c2 0 2 2 2 4s1 4 2 4c-1 0-2 2-2 4s0 4-2 4',
  condition: 'M12 3l9 9-9 9-9-9z',
  switch: 'M3 12h6M9 12l5-6h7M9 12l5 6h7M9 12h12',
  respond: 'M9 14L4 9l5-5M4 9h10a6 6 0 0 1 6 6v4',
  delay: 'M6 3h12M6 21h12M7 3c0 6 10 6 10 9s-10 3-10 9M17 3c0 6-10 6-10 9s10 3 10 9',
  approval: 'M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM8 12l3 3 5-6',
  for_each: 'M17 2l4 4-4 4M3 11v-1a4 4 0 0 1 4-4h14M7 22l-4-4 4-4M21 13v1a4 4 0 0 1-4 4H3',
  sub_workflow: 'M3 3h8v8H3zM13 13h8v8h-8zM7 11v6h6',
  external_activity: 'M9 2v6M15 2v6M6 8h12v3a6 6 0 0 1-12 0zM12 17v5',
  http_request:
    'M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM3 12h18M12 3c3.5 3.5 3.5 14.5 0 18M12 3c-3.5 3.5-3.5 14.5 0 18',
  shell: 'M4 17l6-5-6-5M12 19h8',
  python: 'M16 18l6-6-6-6M8 6l-6 6 6 6',
  'llm.chat': 'M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z',
  'llm.classify': 'M20.6 13.4l-7.2 7.2a2 2 0 0 1-2.8 0L3 13V3h10l7.6 7.6a2 2 0 0 1 0 2.8zM7.5 7.5h.01',
  'llm.extract': 'M3 4h18l-7 8v7l-4 2v-9z',
  'llm.summarize': 'M4 6h16M4 12h12M4 18h8',
  message: 'M22 2L11 13M22 2l-7 20-4-9-9-4z',
  browser: 'M3 4h18v16H3zM3 9h18M6 6.5h.01M9 6.5h.01',
};

/** A node type of a plugin, not in the table: a plain box. */
const FALLBACK_ICON = 'M4 4h16v16H4zM4 10h16';

/** The accent of each node category (the palette heading, the node's icon badge and left edge). */
export const CATEGORY_COLORS: Readonly<Record<string, string>> = {
  trigger: '#d9480f',
  ai: '#7048e8',
  code: '#1c7ed6',
  browser: '#0c8599',
  messaging: '#2f9e44',
  logic: '#e67700',
  data: '#5c677d',
};

const FALLBACK_COLOR = '#5c677d';

export function categoryColor(category: string | undefined): string {
  return (category && CATEGORY_COLORS[category]) || FALLBACK_COLOR;
}

/** The icon path of a node type. */
export function iconOf(type: string): string {
  return NODE_ICONS[type] ?? FALLBACK_ICON;
}
