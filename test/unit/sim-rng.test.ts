import { describe, expect, it } from 'vitest';
import { hashString, mixSeeds, Rng, seedWord } from '../../src/sim/index.js';

const draw = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.uint32());

describe('sim rng', () => {
  it('is deterministic per seed and stream, and differs across them', () => {
    expect(draw(new Rng(42), 50)).toEqual(draw(new Rng(42), 50));
    expect(draw(new Rng(42, 3), 50)).toEqual(draw(new Rng(42, 3), 50));
    expect(draw(new Rng(42), 50)).not.toEqual(draw(new Rng(43), 50));
    expect(draw(new Rng(42, 0), 50)).not.toEqual(draw(new Rng(42, 1), 50));
  });

  it('folds any seed into a 32-bit word, deterministically', () => {
    for (const s of [0, 1, -1, 0.5, 2 ** 40 + 7, -(2 ** 45), Number.MAX_SAFE_INTEGER, 1e300, NaN]) {
      const w = seedWord(s);
      expect(Number.isInteger(w) && w >= 0 && w <= 0xffffffff).toBe(true);
      expect(seedWord(s)).toBe(w);
      expect(draw(new Rng(s), 5)).toEqual(draw(new Rng(s), 5));
    }
    expect(seedWord(2 ** 40 + 7)).not.toBe(seedWord(7));
    expect(hashString('L-0000001')).toBe(hashString('L-0000001'));
    expect(hashString('L-0000001')).not.toBe(hashString('L-0000002'));
    expect(mixSeeds(1, 2)).not.toBe(mixSeeds(2, 1));
  });

  it('next is in [0, 1) and int covers its inclusive range uniformly', () => {
    const r = new Rng(7);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      const k = r.int(-2, 3);
      counts[k + 2] = (counts[k + 2] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => r.int(3, 2)).toThrow(RangeError);
  });

  it('weighted follows the weights; pick and chance behave', () => {
    const r = new Rng(11);
    const tally: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 100_000; i++) {
      const v = r.weighted([['a', 0.65], ['b', 0.25], ['c', 0.1]] as const);
      tally[v] = (tally[v] ?? 0) + 1;
    }
    expect((tally.a ?? 0) / 100_000).toBeCloseTo(0.65, 1);
    expect((tally.b ?? 0) / 100_000).toBeCloseTo(0.25, 1);
    expect((tally.c ?? 0) / 100_000).toBeCloseTo(0.1, 1);
    expect(() => r.weighted([['x', 0]] as const)).toThrow(RangeError);
    expect(() => r.pick([])).toThrow(RangeError);
    expect(['x', 'y']).toContain(r.pick(['x', 'y']));
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (r.chance(0.3)) hits++;
    expect(hits / 10_000).toBeCloseTo(0.3, 1);
  });

  it('normal has roughly the requested mean and spread, bounded tails', () => {
    const r = new Rng(5);
    let sum = 0;
    let sq = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = r.normal(10, 2);
      expect(Math.abs(x - 10)).toBeLessThanOrEqual(2 * 3.4642);
      sum += x;
      sq += x * x;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sq / n - mean * mean);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });
});
