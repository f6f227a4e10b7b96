import { describe, expect, it } from 'vitest';
import { median, medianInterval } from './measure.ts';

describe('medianInterval', () => {
  it('takes the 2nd and 9th of 10 values (97.9% coverage), whatever their order', () => {
    const values = [9, 3, 10, 1, 5, 7, 2, 8, 6, 4];
    const interval = medianInterval(values);
    expect(interval.low).toBe(2);
    expect(interval.high).toBe(9);
    expect(interval.coverage).toBeCloseTo(1 - 2 * (11 / 1024), 10);
    expect(median(values)).toBe(5.5);
  });

  it('narrows as values accumulate, and never below 95% coverage', () => {
    const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const twenty = medianInterval(ranks(20));
    expect([twenty.low, twenty.high]).toEqual([6, 15]);
    expect(twenty.coverage).toBeGreaterThanOrEqual(0.95);
    // One step narrower (7th and 14th) loses P(X = 6) on each side, X ~ Binomial(20, 1/2): under 95%.
    const c20of6 = 38_760;
    expect(twenty.coverage - 2 * (c20of6 / 2 ** 20)).toBeLessThan(0.95);
  });

  it('falls back to the whole range when too few values can give 95%', () => {
    expect(medianInterval([3, 1, 2, 5, 4])).toEqual({ low: 1, high: 5, coverage: 1 - 2 / 32 });
  });
});
