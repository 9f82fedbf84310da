/**
 * Delinquency: days past due, buckets and pauses. Pure functions.
 */
import { addDays, toEpochDay, ValidationError } from '../core/index.js';
import type { BusinessDate } from '../core/index.js';
import type { BucketDef, PausePeriod } from './types.js';

export const DEFAULT_BUCKETS: readonly BucketDef[] = [
  { name: 'C', min: 0, max: 0 },
  { name: 'M1', min: 1, max: 30 },
  { name: 'M2', min: 31, max: 60 },
  { name: 'M3', min: 61, max: 90 },
  { name: 'M4', min: 91, max: 120 },
  { name: 'M5', min: 121, max: 150 },
  { name: 'M6', min: 151, max: 180 },
  { name: 'M7+', min: 181, max: null },
];

/**
 * Validates a bucket table: ranges start at 0, are contiguous, do not overlap, and the last is open-ended.
 */
export function parseBuckets(raw: unknown, field = 'buckets'): BucketDef[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ValidationError(field, 'must be a non-empty list of { name, min, max }');
  const out: BucketDef[] = [];
  let expected = 0;
  raw.forEach((b: unknown, i) => {
    const f = `${field}[${i}]`;
    if (typeof b !== 'object' || b === null) throw new ValidationError(f, 'must be a mapping { name, min, max }');
    const { name, min, max } = b as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') throw new ValidationError(`${f}.name`, 'must be a non-empty string');
    if (min !== expected) throw new ValidationError(`${f}.min`, `must be ${expected} so that ranges are contiguous from 0, got ${JSON.stringify(min)}`);
    const last = i === raw.length - 1;
    if (last) {
      if (max !== null && max !== undefined) throw new ValidationError(`${f}.max`, 'the last bucket must be open-ended (max: null)');
      out.push({ name, min, max: null });
    } else {
      if (typeof max !== 'number' || !Number.isInteger(max) || max < min) {
        throw new ValidationError(`${f}.max`, `must be a whole number ≥ min (${min}), got ${JSON.stringify(max)}`);
      }
      out.push({ name, min, max });
      expected = max + 1;
    }
  });
  if (new Set(out.map((b) => b.name)).size !== out.length) throw new ValidationError(field, 'bucket names must be unique');
  return out;
}

export function bucketFor(dpd: number, buckets: readonly BucketDef[] = DEFAULT_BUCKETS): string {
  for (const b of buckets) {
    if (dpd >= b.min && (b.max === null || dpd <= b.max)) return b.name;
  }
  // parseBuckets guarantees coverage; an unchecked table falls back to the last bucket
  return (buckets[buckets.length - 1] as BucketDef).name;
}

/** How many days d with after < d ≤ through fall inside a pause (inclusive ranges, overlaps counted once). */
export function pausedDaysBetween(pauses: readonly PausePeriod[], after: BusinessDate, through: BusinessDate): number {
  if (pauses.length === 0) return 0;
  const lo = toEpochDay(after) + 1;
  const hi = toEpochDay(through);
  if (hi < lo) return 0;
  // merge the clipped intervals, then sum
  const ranges = pauses
    .map((p) => [Math.max(lo, toEpochDay(p.from)), Math.min(hi, toEpochDay(p.until))] as const)
    .filter(([a, b]) => a <= b)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cur: [number, number] | null = null;
  for (const [a, b] of ranges) {
    if (cur === null) {
      cur = [a, b];
    } else if (a > cur[1] + 1) {
      total += cur[1] - cur[0] + 1;
      cur = [a, b];
    } else if (b > cur[1]) {
      cur[1] = b;
    }
  }
  if (cur !== null) total += cur[1] - cur[0] + 1;
  return total;
}

/** Days past due of an instalment due on `due`, as of `date`, excluding paused days. 0 on the due date itself. */
export function daysPastDue(due: BusinessDate, date: BusinessDate, pauses: readonly PausePeriod[]): number {
  const raw = toEpochDay(date) - toEpochDay(due);
  if (raw <= 0) return 0;
  return raw - pausedDaysBetween(pauses, due, date);
}

export function isPaused(pauses: readonly PausePeriod[], date: BusinessDate): boolean {
  for (const p of pauses) if (p.from <= date && date <= p.until) return true;
  return false;
}

/** The first day of delinquency for an instalment due on `due`. */
export function delinquencyStart(due: BusinessDate): BusinessDate {
  return addDays(due, 1);
}
