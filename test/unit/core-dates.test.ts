import { describe, expect, it } from 'vitest';
import {
  addDays, addMonthsClamped, compareDates, daysBetween, days30360, daysInMonth, fromEpochDay, fromYmd, isDate, isLeapYear,
  maxDate, parseDate, toEpochDay, toYmd, ValidationError,
} from '../../src/core/index.js';
import { catchError } from '../support/errors.js';

/** An independent oracle: the platform's UTC calendar. */
function utcEpochDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return Math.round(t.getTime() / 86_400_000);
}


describe('leap years and month lengths', () => {
  it('follows the Gregorian rule (4, not 100, but 400)', () => {
    expect(isLeapYear(2024)).toBe(true);
    expect(isLeapYear(2023)).toBe(false);
    expect(isLeapYear(1900)).toBe(false);
    expect(isLeapYear(2100)).toBe(false);
    expect(isLeapYear(2000)).toBe(true);
    expect(isLeapYear(1600)).toBe(true);
  });

  it('gives month lengths', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2026, m))).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
  });
});

describe('epoch days', () => {
  it('has hand-checked anchors', () => {
    expect(toEpochDay('1970-01-01')).toBe(0);
    expect(toEpochDay('1970-01-02')).toBe(1);
    expect(toEpochDay('1969-12-31')).toBe(-1);
    // 30 years, 7 of them leap (72, 76, 80, 84, 88, 92, 96): 30*365 + 7
    expect(toEpochDay('2000-01-01')).toBe(10957);
    // 56 years, 14 leap years (1972..2024): 56*365 + 14
    expect(toEpochDay('2026-01-01')).toBe(20454);
    expect(fromEpochDay(20454)).toBe('2026-01-01');
    expect(fromEpochDay(-1)).toBe('1969-12-31');
    expect(fromEpochDay(0)).toBe('1970-01-01');
  });

  it('round-trips every day from 1600 to 2400 and agrees with the UTC calendar', () => {
    const start = toEpochDay('1600-01-01');
    const end = toEpochDay('2400-12-31');
    expect(start).toBe(utcEpochDay('1600-01-01'));
    let prev = '';
    for (let n = start; n <= end; n++) {
      const d = fromEpochDay(n);
      if (toEpochDay(d) !== n) throw new Error(`round trip failed at ${n} (${d})`);
      if (d <= prev) throw new Error(`dates out of order at ${d}`);
      prev = d;
    }
    expect(prev).toBe('2400-12-31');
    for (const d of ['1600-02-29', '1700-03-01', '1900-02-28', '2000-02-29', '2024-02-29', '2100-03-01', '2400-02-29']) {
      expect(toEpochDay(d)).toBe(utcEpochDay(d));
    }
  });

  it('steps over leap days correctly', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('1900-02-28', 1)).toBe('1900-03-01');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2024-01-01', 366)).toBe('2025-01-01');
    expect(addDays('2025-01-01', 365)).toBe('2026-01-01');
  });

  it('counts days between dates', () => {
    expect(daysBetween('2026-01-01', '2026-02-01')).toBe(31);
    expect(daysBetween('2026-02-01', '2026-03-01')).toBe(28);
    expect(daysBetween('2024-02-01', '2024-03-01')).toBe(29);
    expect(daysBetween('2026-03-01', '2026-02-01')).toBe(-28);
    expect(daysBetween('2026-03-01', '2026-03-01')).toBe(0);
    expect(daysBetween('2000-01-01', '2100-01-01')).toBe(36525);
  });

  it('converts to and from Y/M/D', () => {
    expect(toYmd('2026-03-09')).toEqual({ y: 2026, m: 3, d: 9 });
    expect(fromYmd({ y: 26, m: 3, d: 9 })).toBe('0026-03-09');
  });
});

describe('addMonthsClamped', () => {
  it('keeps the day when the month has it', () => {
    expect(addMonthsClamped('2026-01-15', 1)).toBe('2026-02-15');
    expect(addMonthsClamped('2026-01-15', 12)).toBe('2027-01-15');
    expect(addMonthsClamped('2026-11-30', 2)).toBe('2027-01-30');
  });

  it('clamps to the last day of a shorter month', () => {
    expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonthsClamped('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonthsClamped('2026-01-30', 1)).toBe('2026-02-28');
    expect(addMonthsClamped('2026-03-31', 1)).toBe('2026-04-30');
    expect(addMonthsClamped('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonthsClamped('2027-11-29', 3)).toBe('2028-02-29');
  });

  it('counts months from the anchor, not from the previous clamped date', () => {
    expect(addMonthsClamped('2026-01-31', 2)).toBe('2026-03-31');
    expect(addMonthsClamped('2026-01-31', 3)).toBe('2026-04-30');
    // without an anchor day a clamped date would drift: Feb 28 + 1 month is Mar 28 ...
    expect(addMonthsClamped('2026-02-28', 1)).toBe('2026-03-28');
    // ... and with the original day it returns to the 31st
    expect(addMonthsClamped('2026-02-28', 1, 31)).toBe('2026-03-31');
    expect(addMonthsClamped('2026-02-28', 2, 31)).toBe('2026-04-30');
  });

  it('goes backwards and across years', () => {
    expect(addMonthsClamped('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonthsClamped('2026-01-15', -1)).toBe('2025-12-15');
    expect(addMonthsClamped('2026-01-15', -13)).toBe('2024-12-15');
    expect(addMonthsClamped('2026-01-15', 0)).toBe('2026-01-15');
    expect(addMonthsClamped('2026-12-31', 1)).toBe('2027-01-31');
  });
});

describe('days30360 (US/NASD)', () => {
  it('counts every month as 30 days', () => {
    expect(days30360('2026-01-01', '2026-02-01')).toBe(30);
    expect(days30360('2026-02-01', '2026-03-01')).toBe(30);
    expect(days30360('2026-01-01', '2027-01-01')).toBe(360);
    expect(days30360('2026-01-15', '2026-01-20')).toBe(5);
  });

  it('applies the 31st rules', () => {
    // D1 = 31 → 30; D2 = 31 and D1 ≥ 30 → 30
    expect(days30360('2026-01-31', '2026-03-31')).toBe(60);
    expect(days30360('2026-01-30', '2026-03-31')).toBe(60);
    // D2 = 31 with D1 < 30 stays 31: 2*30 + (31 - 15)
    expect(days30360('2026-01-15', '2026-03-31')).toBe(76);
    // D1 = 31 → 30, D2 = 28: 30 + (28 - 30)
    expect(days30360('2026-01-31', '2026-02-28')).toBe(28);
    // NASD has no February end-of-month rule: 30 + (31 - 28)
    expect(days30360('2026-02-28', '2026-03-31')).toBe(33);
  });

  it('is negative backwards', () => {
    expect(days30360('2026-03-31', '2026-01-31')).toBe(-60);
  });
});

describe('parseDate', () => {
  it('accepts calendar dates', () => {
    expect(parseDate('2026-01-01')).toBe('2026-01-01');
    expect(parseDate('2024-02-29')).toBe('2024-02-29');
    expect(parseDate('2000-02-29')).toBe('2000-02-29');
    expect(isDate('2026-12-31')).toBe(true);
  });

  it.each([
    ['2026-02-29', 'is not a calendar date'],
    ['1900-02-29', 'is not a calendar date'],
    ['2026-04-31', 'is not a calendar date'],
    ['2026-13-01', 'is not a calendar date'],
    ['2026-00-10', 'is not a calendar date'],
    ['2026-01-00', 'is not a calendar date'],
    ['2026-1-01', 'must be a date in the form YYYY-MM-DD'],
    ['2026/01/01', 'must be a date in the form YYYY-MM-DD'],
    [' 2026-01-01', 'must be a date in the form YYYY-MM-DD'],
    ['2026-01-01T00:00:00Z', 'must be a date in the form YYYY-MM-DD'],
    ['', 'must be a date in the form YYYY-MM-DD'],
  ])('rejects %j', (value, rule) => {
    const e = catchError(() => parseDate(value, 'payments[3].date'));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).field).toBe('payments[3].date');
    expect((e as ValidationError).rule).toContain(rule);
    expect((e as ValidationError).message).toContain('payments[3].date');
    expect(isDate(value)).toBe(false);
  });

  it.each([[20260101], [null], [undefined], [new Date(0)], [{}]])('rejects the non-string %j', (value) => {
    const e = catchError(() => parseDate(value));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).field).toBe('date');
    expect((e as ValidationError).rule).toMatch(/^must be a date in the form YYYY-MM-DD, got /);
  });
});

describe('comparisons', () => {
  it('orders dates', () => {
    expect(compareDates('2026-01-01', '2026-01-02')).toBe(-1);
    expect(compareDates('2026-01-02', '2026-01-01')).toBe(1);
    expect(compareDates('2026-01-01', '2026-01-01')).toBe(0);
    expect(maxDate('2026-01-01', '2025-12-31')).toBe('2026-01-01');
    expect(maxDate('2025-12-31', '2026-01-01')).toBe('2026-01-01');
  });
});
