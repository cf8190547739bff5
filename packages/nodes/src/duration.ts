import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** One or more `<integer><unit>` parts, largest unit first by convention: `500ms`, `30s`, `1h30m`, `7d`. */
const DURATION_PATTERN = /^(?:\d+(?:ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+)(ms|s|m|h|d)/g;

function isUnit(unit: string): unit is keyof typeof UNIT_MS {
  return Object.hasOwn(UNIT_MS, unit);
}

/** Milliseconds of a duration string such as `30s` or `1h30m`; throws on anything else. */
export function parseDuration(text: string): number {
  if (!DURATION_PATTERN.test(text)) {
    throw new RangeError(`"${text}" is not a duration: use e.g. 500ms, 30s, 5m, 24h, 7d or 1h30m`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    if (amount === undefined || unit === undefined || !isUnit(unit)) continue;
    total += Number(amount) * UNIT_MS[unit];
  }
  return total;
}

/**
 * A duration as users write it in YAML: a string like `30s`, `5m`, `24h`, `500ms`, `1h30m`, or
 * integer milliseconds. Parses to milliseconds, and accepts its own output, so a parsed config
 * validates again unchanged. Give defaults with `.prefault('30s')` so forms show the readable form.
 */
export const duration = z
  .union(
    [
      z.int().nonnegative(),
      z.string().regex(DURATION_PATTERN, 'expected a duration such as 500ms, 30s, 5m, 24h or 1h30m'),
    ],
    { error: 'expected a duration such as 30s or 5m, or a number of milliseconds' },
  )
  .transform((value) => (typeof value === 'number' ? value : parseDuration(value)));
