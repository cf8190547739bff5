import { describe, expect, it } from 'vitest';
import { duration, parseDuration } from '../src/index.ts';

describe('duration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['0s', 0],
    [1500, 1500],
  ])('reads %j as %d ms', (input, ms) => {
    expect(duration.parse(input)).toBe(ms);
  });

  it.each(['30', '1.5h', '-1s', '', 'm5', '5 m', '5w', 1.5, -1, null])('refuses %j', (input) => {
    expect(duration.safeParse(input).success).toBe(false);
  });

  it('accepts its own output, so a parsed config validates again unchanged', () => {
    expect(duration.parse(duration.parse('2m'))).toBe(120_000);
  });

  it('says what a duration looks like', () => {
    expect(() => parseDuration('soon')).toThrow(/"soon" is not a duration: use e\.g\. 500ms, 30s/);
    expect(duration.safeParse('soon').error?.issues[0]?.message).toMatch(/expected a duration such as 500ms/);
    expect(duration.safeParse(true).error?.issues[0]?.message).toMatch(/or a number of milliseconds/);
  });
});
