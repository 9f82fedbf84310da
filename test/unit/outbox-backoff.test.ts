import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/sim/index.js';
import { afterFailure, backoffDelay, backoffSchedule, DEFAULT_BACKOFF, validateBackoff, type BackoffPolicy } from '../../src/store/outbox.js';

const policy: BackoffPolicy = { baseMs: 1000, maxMs: 60_000, jitter: 0.25, maxAttempts: 9 };

describe('outbox backoff', () => {
  it('doubles from the base and stops at the cap (no jitter)', () => {
    expect(backoffSchedule({ ...policy })).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(backoffDelay(1, policy)).toBe(1000);
    expect(backoffDelay(500, policy)).toBe(60_000);
    expect(backoffDelay(10_000, policy)).toBe(60_000);
  });

  it('the default policy: 30 s doubling to 1 h, ten attempts', () => {
    expect(backoffSchedule()).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000]);
    expect(validateBackoff(DEFAULT_BACKOFF)).toBe(DEFAULT_BACKOFF);
  });

  it('jitter shortens a delay by up to its fraction, never lengthens it, and is reproducible from a seed', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 200 }, (_, i) => backoffDelay(1 + (i % 9), policy, () => rng.next()));
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    a.forEach((d, i) => {
      const nominal = backoffDelay(1 + (i % 9), policy);
      expect(d).toBeLessThanOrEqual(nominal);
      expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - policy.jitter)));
    });
    expect(new Set(a.filter((_, i) => i % 9 === 8)).size).toBeGreaterThan(10);
    // out-of-range draws are clamped
    expect(backoffDelay(3, policy, () => 7)).toBe(3000);
    expect(backoffDelay(3, policy, () => -1)).toBe(4000);
  });

  it('a failure is retried after the backoff (or the provider’s longer Retry-After) until the attempts are used up', () => {
    const now = new Date('2026-11-28T10:00:00.000Z');
    const p = { ...policy, jitter: 0, maxAttempts: 3 };
    expect(afterFailure(1, true, now, p)).toEqual({ status: 'failed', nextAttemptAt: new Date('2026-11-28T10:00:01.000Z') });
    expect(afterFailure(2, true, now, p)).toEqual({ status: 'failed', nextAttemptAt: new Date('2026-11-28T10:00:02.000Z') });
    expect(afterFailure(3, true, now, p)).toEqual({ status: 'dead' });
    expect(afterFailure(1, false, now, p)).toEqual({ status: 'dead' });
    expect(afterFailure(1, true, now, p, () => 0, 5000)).toEqual({ status: 'failed', nextAttemptAt: new Date('2026-11-28T10:00:05.000Z') });
    expect(afterFailure(2, true, now, p, () => 0, 10)).toEqual({ status: 'failed', nextAttemptAt: new Date('2026-11-28T10:00:02.000Z') });
  });

  it('rejects nonsense', () => {
    expect(() => backoffDelay(0, policy)).toThrow('attempt: must be a whole number of at least 1');
    expect(() => validateBackoff({ ...policy, maxMs: 10 })).toThrow('backoff.maxMs: must be at least baseMs');
    expect(() => validateBackoff({ ...policy, jitter: 2 })).toThrow('backoff.jitter');
    expect(() => validateBackoff({ ...policy, maxAttempts: 0 })).toThrow('backoff.maxAttempts');
    expect(() => validateBackoff({ ...policy, baseMs: 0 })).toThrow('backoff.baseMs');
  });
});
