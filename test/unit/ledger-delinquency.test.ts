import { describe, expect, it } from 'vitest';
import {
  bucketFor, daysPastDue, DEFAULT_BUCKETS, delinquencyStart, isPaused, parseBuckets, pausedDaysBetween, type PausePeriod,
} from '../../src/ledger/index.js';
import { catchValidation } from '../support/errors.js';


const pause = (from: string, until: string): PausePeriod => ({ from, until, reason: 'test' });

describe('buckets', () => {
  it('default to C 0, M1 1–30 … M6 151–180, M7+ 181+', () => {
    const cases: [number, string][] = [
      [0, 'C'], [1, 'M1'], [30, 'M1'], [31, 'M2'], [60, 'M2'], [61, 'M3'], [90, 'M3'], [91, 'M4'], [120, 'M4'],
      [121, 'M5'], [150, 'M5'], [151, 'M6'], [180, 'M6'], [181, 'M7+'], [10000, 'M7+'],
    ];
    for (const [dpd, name] of cases) expect(bucketFor(dpd), `dpd ${dpd}`).toBe(name);
    expect(parseBuckets(DEFAULT_BUCKETS.map((b) => ({ ...b })))).toEqual(DEFAULT_BUCKETS);
  });

  it('can be configured', () => {
    const b = parseBuckets([
      { name: 'current', min: 0, max: 0 },
      { name: 'early', min: 1, max: 29 },
      { name: 'late', min: 30 },
    ]);
    expect(b).toEqual([
      { name: 'current', min: 0, max: 0 },
      { name: 'early', min: 1, max: 29 },
      { name: 'late', min: 30, max: null },
    ]);
    expect(bucketFor(0, b)).toBe('current');
    expect(bucketFor(29, b)).toBe('early');
    expect(bucketFor(30, b)).toBe('late');
    expect(parseBuckets([{ name: 'all', min: 0, max: null }])).toEqual([{ name: 'all', min: 0, max: null }]);
  });

  it.each<[string, unknown, string, string]>([
    ['not a list', { C: 0 }, 'buckets', 'must be a non-empty list of { name, min, max }'],
    ['empty', [], 'buckets', 'must be a non-empty list of { name, min, max }'],
    ['an entry not a mapping', [null], 'buckets[0]', 'must be a mapping { name, min, max }'],
    ['a missing name', [{ min: 0, max: null }], 'buckets[0].name', 'must be a non-empty string'],
    ['an empty name', [{ name: '', min: 0, max: null }], 'buckets[0].name', 'must be a non-empty string'],
    ['not starting at 0', [{ name: 'a', min: 1, max: null }], 'buckets[0].min', 'must be 0 so that ranges are contiguous from 0, got 1'],
    ['a gap', [{ name: 'a', min: 0, max: 0 }, { name: 'b', min: 2, max: null }], 'buckets[1].min', 'must be 1 so that ranges are contiguous from 0, got 2'],
    ['an overlap', [{ name: 'a', min: 0, max: 10 }, { name: 'b', min: 5, max: null }], 'buckets[1].min', 'must be 11 so that ranges are contiguous from 0, got 5'],
    ['a min as text', [{ name: 'a', min: '0', max: null }], 'buckets[0].min', 'must be 0 so that ranges are contiguous from 0, got "0"'],
    ['an open bucket before the last', [{ name: 'a', min: 0, max: null }, { name: 'b', min: 1, max: null }], 'buckets[0].max', 'must be a whole number ≥ min (0), got null'],
    ['max below min', [{ name: 'a', min: 0, max: 0 }, { name: 'b', min: 1, max: 0 }, { name: 'c', min: 1, max: null }], 'buckets[1].max', 'must be a whole number ≥ min (1), got 0'],
    ['a fractional max', [{ name: 'a', min: 0, max: 1.5 }, { name: 'b', min: 2, max: null }], 'buckets[0].max', 'must be a whole number ≥ min (0), got 1.5'],
    ['a closed last bucket', [{ name: 'a', min: 0, max: 0 }, { name: 'b', min: 1, max: 30 }], 'buckets[1].max', 'the last bucket must be open-ended (max: null)'],
    ['duplicate names', [{ name: 'a', min: 0, max: 0 }, { name: 'a', min: 1, max: null }], 'buckets', 'bucket names must be unique'],
  ])('rejects %s, naming field and rule', (_name, raw, field, rule) => {
    const e = catchValidation(() => parseBuckets(raw));
    expect(e.field).toBe(field);
    expect(e.rule).toBe(rule);
  });

  it('uses the given field name', () => {
    expect(catchValidation(() => parseBuckets([], 'config.buckets')).field).toBe('config.buckets');
    expect(catchValidation(() => parseBuckets([{ name: 'a', min: 3 }], 'config.buckets')).field).toBe('config.buckets[0].min');
  });
});

describe('pausedDaysBetween', () => {
  it('is 0 without pauses or outside the window', () => {
    expect(pausedDaysBetween([], '2026-03-01', '2026-03-31')).toBe(0);
    expect(pausedDaysBetween([pause('2026-01-01', '2026-01-31')], '2026-03-01', '2026-03-31')).toBe(0);
    expect(pausedDaysBetween([pause('2026-04-01', '2026-04-30')], '2026-03-01', '2026-03-31')).toBe(0);
    expect(pausedDaysBetween([pause('2026-03-05', '2026-03-10')], '2026-03-20', '2026-03-01')).toBe(0);
  });

  it('counts whole days of a pause inside the window (after < d ≤ through)', () => {
    // 03-05 … 03-10 inclusive = 6 days
    expect(pausedDaysBetween([pause('2026-03-05', '2026-03-10')], '2026-03-01', '2026-03-20')).toBe(6);
    expect(pausedDaysBetween([pause('2026-03-05', '2026-03-05')], '2026-03-01', '2026-03-20')).toBe(1);
  });

  it('clips pauses to the window; the `after` day itself is excluded', () => {
    // window is 03-02 … 03-20; pause 02-20 … 03-05 → 03-02..03-05 = 4
    expect(pausedDaysBetween([pause('2026-02-20', '2026-03-05')], '2026-03-01', '2026-03-20')).toBe(4);
    // pause 03-15 … 04-15 clipped at 03-20 → 03-15..03-20 = 6
    expect(pausedDaysBetween([pause('2026-03-15', '2026-04-15')], '2026-03-01', '2026-03-20')).toBe(6);
    // a pause ending on `after` counts nothing
    expect(pausedDaysBetween([pause('2026-02-01', '2026-03-01')], '2026-03-01', '2026-03-20')).toBe(0);
    // through is inclusive
    expect(pausedDaysBetween([pause('2026-03-20', '2026-03-25')], '2026-03-01', '2026-03-20')).toBe(1);
  });

  it('counts overlapping and adjacent pauses once', () => {
    // 03-05..03-10 ∪ 03-08..03-12 = 03-05..03-12 = 8
    expect(pausedDaysBetween([pause('2026-03-05', '2026-03-10'), pause('2026-03-08', '2026-03-12')], '2026-03-01', '2026-03-31')).toBe(8);
    // adjacent: 03-05..03-07 and 03-08..03-09 = 5
    expect(pausedDaysBetween([pause('2026-03-08', '2026-03-09'), pause('2026-03-05', '2026-03-07')], '2026-03-01', '2026-03-31')).toBe(5);
    // nested
    expect(pausedDaysBetween([pause('2026-03-01', '2026-03-31'), pause('2026-03-10', '2026-03-12')], '2026-02-28', '2026-03-31')).toBe(31);
    // disjoint: 3 + 2
    expect(pausedDaysBetween([pause('2026-03-20', '2026-03-21'), pause('2026-03-05', '2026-03-07')], '2026-03-01', '2026-03-31')).toBe(5);
  });

  it('agrees with day-by-day counting', () => {
    const pauses = [pause('2026-03-03', '2026-03-04'), pause('2026-03-04', '2026-03-09'), pause('2026-03-15', '2026-03-15'), pause('2026-03-28', '2026-04-02')];
    const days: string[] = [];
    for (let d = 2; d <= 31; d++) days.push(`2026-03-${String(d).padStart(2, '0')}`);
    let expected = 0;
    for (const d of days) {
      if (isPaused(pauses, d)) expected++;
      expect(pausedDaysBetween(pauses, '2026-03-01', d), d).toBe(expected);
    }
  });
});

describe('daysPastDue', () => {
  it('is 0 on and before the due date, 1 the day after', () => {
    expect(daysPastDue('2026-03-01', '2026-02-27', [])).toBe(0);
    expect(daysPastDue('2026-03-01', '2026-03-01', [])).toBe(0);
    expect(daysPastDue('2026-03-01', '2026-03-02', [])).toBe(1);
    expect(daysPastDue('2026-03-01', '2026-04-19', [])).toBe(49);
    expect(delinquencyStart('2026-03-01')).toBe('2026-03-02');
    expect(delinquencyStart('2026-02-28')).toBe('2026-03-01');
  });

  it('freezes during a pause and counts again after it', () => {
    const p = [pause('2026-03-10', '2026-03-20')];
    expect(daysPastDue('2026-03-01', '2026-03-09', p)).toBe(8);
    expect(daysPastDue('2026-03-01', '2026-03-10', p)).toBe(8);
    expect(daysPastDue('2026-03-01', '2026-03-20', p)).toBe(8);
    expect(daysPastDue('2026-03-01', '2026-03-21', p)).toBe(9);
    expect(daysPastDue('2026-03-01', '2026-03-31', p)).toBe(19);
  });

  it('does not start counting until a pause that covers the due date ends', () => {
    const p = [pause('2026-02-25', '2026-03-05')];
    expect(daysPastDue('2026-03-01', '2026-03-05', p)).toBe(0);
    expect(daysPastDue('2026-03-01', '2026-03-06', p)).toBe(1);
  });

  it('isPaused is inclusive at both ends', () => {
    const p = [pause('2026-03-10', '2026-03-20')];
    expect(isPaused(p, '2026-03-09')).toBe(false);
    expect(isPaused(p, '2026-03-10')).toBe(true);
    expect(isPaused(p, '2026-03-20')).toBe(true);
    expect(isPaused(p, '2026-03-21')).toBe(false);
    expect(isPaused([], '2026-03-10')).toBe(false);
  });
});
