import type { Expected } from './cases.ts';

/** A proportion with its 95 % Wilson score interval (sound for small n and for 0 % or 100 %). */
export interface Score {
  right: number;
  total: number;
  rate: number;
  low: number;
  high: number;
}

export function wilson(right: number, total: number, z = 1.96): Score {
  if (total === 0) return { right, total, rate: 0, low: 0, high: 0 };
  const rate = right / total;
  const denominator = 1 + (z * z) / total;
  const centre = (rate + (z * z) / (2 * total)) / denominator;
  const half = (z * Math.sqrt((rate * (1 - rate)) / total + (z * z) / (4 * total * total))) / denominator;
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    right,
    total,
    rate: round(rate),
    low: round(Math.max(0, centre - half)),
    high: round(Math.min(1, centre + half)),
  };
}

export function formatScore(score: Score): string {
  const percent = (value: number) => `${Math.round(value * 100)} %`;
  return `${percent(score.rate)} (${score.right}/${score.total}, 95 % CI ${percent(score.low)}–${percent(score.high)})`;
}

/** Case, accents and spacing aside, and a trailing full stop or comma. */
function loose(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[.,;:]+$/, '')
    .trim();
}

/** Whether an extracted or generated value is the expected one. */
export function matches(actual: unknown, expected: Expected): boolean {
  if (typeof expected === 'number') {
    const value = typeof actual === 'string' ? Number(actual.replace(/[^\d.-]/g, '')) : actual;
    return typeof value === 'number' && Math.abs(value - expected) < 0.005;
  }
  if (typeof actual !== 'string' && typeof actual !== 'number') return false;
  const candidates = typeof expected === 'string' ? [expected] : expected;
  return candidates.some((candidate) => loose(String(actual)) === loose(candidate));
}

/** Whether a chat answer says it does not know. */
export function admitsNotKnowing(answer: string): boolean {
  return /\b(i don['’]t know|i do not know|not sure|no information|don['’]t have (any )?information|cannot (find|answer|know)|can['’]t (find|answer|know)|unknown|not aware|no (such|record)|does not exist|doesn['’]t exist|fictional|not a real)\b/i.test(
    answer,
  );
}
