import { categoryColor, iconOf } from './node-look.ts';

/** The icon of a node type, in the colour of its category. */
export function NodeIcon({ type, category }: { type: string; category?: string }) {
  return (
    <span className="node-icon" style={{ background: categoryColor(category) }}>
      <svg
        aria-hidden="true"
        focusable="false"
        viewBox="0 0 24 24"
        width="16"
        height="16"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      >
        <path d={iconOf(type)} />
      </svg>
    </span>
  );
}
