/**
 * A small, fast, seedable PRNG (sfc32, seeded through splitmix32) and hashing helpers.
 *
 * Everything in `sim` draws from an Rng passed in or derived from a seed: no Math.random, no clock.
 * Only integer arithmetic and one division are used, so a seed gives the same stream on every
 * platform and Node version.
 */

import { fmix32, hashString } from '../core/index.js';

export { fmix32, hashString };

/** Folds any number (negative, fractional, beyond 2^32) into a 32-bit seed word. */
export function seedWord(seed: number): number {
  if (Number.isSafeInteger(seed) && seed >= 0 && seed <= 0xffffffff) return seed >>> 0;
  if (Number.isSafeInteger(seed)) {
    const lo = seed % 0x100000000;
    const hi = Math.floor(seed / 0x100000000);
    return fmix32((lo >>> 0) ^ Math.imul(hi | 0, 0x9e3779b9));
  }
  return hashString(String(seed));
}

/** Combines two 32-bit words into a new well-mixed seed (order matters). */
export function mixSeeds(a: number, b: number): number {
  return fmix32((Math.imul(a >>> 0, 0x9e3779b1) + fmix32((b >>> 0) ^ 0x5bd1e995)) >>> 0);
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` and `stream` select independent sequences; the same pair always gives the same one. */
  constructor(seed: number, stream = 0) {
    // splitmix32 fills the four state words from the seed
    let s = mixSeeds(seedWord(seed), stream >>> 0);
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      return fmix32(s);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next 32-bit unsigned integer (sfc32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (max < min) throw new RangeError(`Rng.int: max ${max} < min ${min}`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks a value with probability proportional to its weight. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of pairs) total += w;
    if (!(total > 0)) throw new RangeError('Rng.weighted: weights must sum to more than 0');
    let x = this.next() * total;
    for (const [v, w] of pairs) {
      x -= w;
      if (x < 0) return v;
    }
    return (pairs[pairs.length - 1] as readonly [T, number])[0];
  }

  /**
   * Approximately normal (Irwin–Hall: the sum of four uniforms, rescaled to unit variance), bounded
   * to ±3.46 sd. No transcendental functions, so it is bit-identical everywhere.
   */
  normal(mean = 0, sd = 1): number {
    const sum = this.next() + this.next() + this.next() + this.next();
    return mean + sd * (sum - 2) * 1.7320508075688772;
  }
}
