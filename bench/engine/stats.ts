/** Percentiles and ratios; every time is in milliseconds. */

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
  count: number;
}

export const round2 = (value: number) => Math.round(value * 100) / 100;

/** Nearest-rank percentile of `sorted` (ascending). */
function percentileOf(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function latency(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    p50: round2(percentileOf(sorted, 0.5)),
    p95: round2(percentileOf(sorted, 0.95)),
    p99: round2(percentileOf(sorted, 0.99)),
    mean: round2(sum / sorted.length),
    min: round2(sorted[0] ?? Number.NaN),
    max: round2(sorted.at(-1) ?? Number.NaN),
    count: sorted.length,
  };
}

export function ratio(numerator: number, denominator: number): number {
  return round2(numerator / denominator);
}

/** How much more `cost` is than `base`, in percent (negative: less). */
export function overheadPct(cost: number, base: number): number {
  return Math.round((cost / base - 1) * 1000) / 10;
}
