import { describe, expect, it } from 'vitest';
import {
  addBusinessDays, calendarByName, dayOfWeek, easterSunday, isBusinessDay, nextBusinessDay, NO_HOLIDAYS, tableCalendar,
  ukEnglandBankHolidays, US_FEDERAL, usFederalHolidayDetails, usFederalHolidays,
} from '../../src/compliance/calendar.js';
import { addDays, ValidationError } from '../../src/core/index.js';
import { catchValidation } from '../support/errors.js';

/** Independent oracle for weekdays: the platform's UTC calendar. */
function utcDay(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

describe('weekdays', () => {
  it('agrees with the platform calendar over several years', () => {
    for (let d = '2020-01-01'; d < '2030-01-01'; d = addDays(d, 1)) {
      if (dayOfWeek(d) !== utcDay(d)) throw new Error(`weekday of ${d}`);
    }
    expect(dayOfWeek('2026-11-26')).toBe(4);
  });
});

describe('US federal holidays', () => {
  it('lists 2026 with July 4 (Saturday) observed on Friday July 3', () => {
    expect(usFederalHolidays(2026)).toEqual([
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03',
      '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25',
    ]);
  });

  it('lists 2027 with Saturday and Sunday holidays moved, and New Year 2028 observed on 2027-12-31', () => {
    expect(usFederalHolidays(2027)).toEqual([
      '2027-01-01', '2027-01-18', '2027-02-15', '2027-05-31',
      '2027-06-18', // Juneteenth on Saturday → Friday
      '2027-07-05', // Independence Day on Sunday → Monday
      '2027-09-06', '2027-10-11', '2027-11-11', '2027-11-25',
      '2027-12-24', // Christmas on Saturday → Friday
      '2027-12-31', // New Year's Day 2028 is a Saturday
    ]);
    expect(usFederalHolidays(2028)).not.toContain('2028-01-01');
    expect(usFederalHolidays(2028)).toHaveLength(10);
  });

  it('keeps statutory and observed dates apart in the details', () => {
    const july4 = usFederalHolidayDetails(2026).find((h) => h.name === 'Independence Day');
    expect(july4).toEqual({ name: 'Independence Day', date: '2026-07-04', observed: '2026-07-03' });
  });

  it('has eleven holidays a year since Juneteenth, ten before, nine before MLK Day', () => {
    expect(usFederalHolidayDetails(2021)).toHaveLength(11);
    expect(usFederalHolidayDetails(2020)).toHaveLength(10);
    expect(usFederalHolidayDetails(1985)).toHaveLength(9);
  });

  it('puts floating holidays on the right weekday in every year', () => {
    for (let y = 1990; y <= 2060; y += 1) {
      const byName = new Map(usFederalHolidayDetails(y).map((h) => [h.name, h.date]));
      expect(dayOfWeek(byName.get('Thanksgiving Day') ?? '')).toBe(4);
      const memorial = byName.get('Memorial Day') ?? '';
      expect(dayOfWeek(memorial)).toBe(1);
      expect(addDays(memorial, 7).slice(5, 7)).toBe('06');
      for (const d of usFederalHolidays(y)) expect([0, 6]).not.toContain(dayOfWeek(d));
    }
  });

  it('rejects a year that is not a whole number', () => {
    expect(catchValidation(() => usFederalHolidays(2026.5)).field).toBe('year');
  });
});

describe('England and Wales bank holidays', () => {
  it('computes Easter Sunday', () => {
    expect(['1818', '1943', '2008', '2019', '2024', '2025', '2026', '2027', '2038'].map((y) => easterSunday(Number(y)))).toEqual([
      '1818-03-22', '1943-04-25', '2008-03-23', '2019-04-21', '2024-03-31', '2025-04-20', '2026-04-05', '2027-03-28', '2038-04-25',
    ]);
  });

  it('lists 2026 and 2027 with Boxing Day and Christmas substitutes', () => {
    expect(ukEnglandBankHolidays(2026)).toEqual([
      '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
    ]);
    expect(ukEnglandBankHolidays(2027)).toEqual([
      '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28',
    ]);
  });

  it('applies proclaimed changes (2022: spring holiday moved, jubilee and state funeral added)', () => {
    expect(ukEnglandBankHolidays(2022)).toEqual([
      '2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29',
      '2022-09-19', '2022-12-26', '2022-12-27',
    ]);
  });
});

describe('business days', () => {
  it('skips weekends and holidays', () => {
    expect(isBusinessDay('2026-07-02', US_FEDERAL)).toBe(true);
    expect(isBusinessDay('2026-07-03', US_FEDERAL)).toBe(false); // observed Independence Day
    expect(isBusinessDay('2026-07-04', US_FEDERAL)).toBe(false); // Saturday
    expect(isBusinessDay('2026-07-03', NO_HOLIDAYS)).toBe(true);
    expect(isBusinessDay('2026-07-03', ['2026-07-03'])).toBe(false);
    expect(isBusinessDay('2026-07-03', new Set<string>())).toBe(true);
  });

  it('adds across a holiday weekend, both ways', () => {
    // Thursday 2026-07-02 + 1: Friday the 3rd is the observed holiday, then the weekend.
    expect(addBusinessDays('2026-07-02', 1, US_FEDERAL)).toBe('2026-07-06');
    expect(addBusinessDays('2026-07-06', -1, US_FEDERAL)).toBe('2026-07-02');
    expect(addBusinessDays('2026-07-02', 1, NO_HOLIDAYS)).toBe('2026-07-03');
    // Christmas 2027 (observed Friday 24th) and New Year 2028 (observed Friday 31st).
    expect(addBusinessDays('2027-12-23', 1, US_FEDERAL)).toBe('2027-12-27');
    expect(addBusinessDays('2027-12-23', 5, US_FEDERAL)).toBe('2028-01-03');
    // From a weekend day: the start is not counted.
    expect(addBusinessDays('2026-07-04', 1, US_FEDERAL)).toBe('2026-07-06');
    expect(addBusinessDays('2026-07-04', 0, US_FEDERAL)).toBe('2026-07-04');
  });

  it('crosses year ends through a calendar', () => {
    expect(addBusinessDays('2026-12-24', 2, US_FEDERAL)).toBe('2026-12-29');
    expect(addBusinessDays('2026-12-31', 1, US_FEDERAL)).toBe('2027-01-04');
    expect(nextBusinessDay('2027-12-24', US_FEDERAL)).toBe('2027-12-27');
  });

  it('is consistent: n steps forward then n back returns to a business day start', () => {
    for (let d = '2026-01-05'; d < '2027-01-01'; d = addDays(d, 1)) {
      if (!isBusinessDay(d, US_FEDERAL)) continue;
      for (const n of [1, 5, 23]) expect(addBusinessDays(addBusinessDays(d, n, US_FEDERAL), -n, US_FEDERAL)).toBe(d);
    }
  });

  it('rejects a fractional count', () => {
    expect(catchValidation(() => addBusinessDays('2026-07-02', 1.5, US_FEDERAL)).field).toBe('n');
  });
});

describe('named calendars', () => {
  it('finds shipped calendars and explains the missing cn one', () => {
    expect(calendarByName('us-federal')).toBe(US_FEDERAL);
    expect(calendarByName('none').holidays(2026)).toEqual([]);
    expect(calendarByName('uk-england').holidays(2026)).toContain('2026-12-28');
    const e = catchValidation(() => calendarByName('cn'));
    expect(e.rule).toMatch(/State Council/);
  });

  it('supports published tables with make-up working weekends', () => {
    const cal = tableCalendar('test-cn', { 2026: { holidays: ['2026-10-01', '2026-10-02'], workdays: ['2026-10-10'] } });
    expect(isBusinessDay('2026-10-10', cal)).toBe(true); // a Saturday worked
    expect(isBusinessDay('2026-10-01', cal)).toBe(false);
    expect(addBusinessDays('2026-09-30', 1, cal)).toBe('2026-10-05');
    expect(() => isBusinessDay('2027-01-04', cal)).toThrow(ValidationError);
  });
});
