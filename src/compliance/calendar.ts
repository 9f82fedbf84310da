/**
 * Holiday calendars and business-day arithmetic for the compliance area.
 *
 * A `Calendar` is data a rule pack can name (`us-federal`, `uk-england`, `none`); the functions
 * below accept either a calendar or a plain list of holiday dates. Weekends are Saturday and
 * Sunday everywhere; a calendar may add working weekend days (China's 调休 make-up days) through
 * `workdays`, which is why it is part of the interface even though no shipped calendar uses it yet.
 *
 * Pure arithmetic on `YYYY-MM-DD` dates (see core/dates): no time zones, no clock, no I/O.
 */
import { type BusinessDate, fromYmd, toEpochDay, fromEpochDay, daysInMonth, toYmd, ValidationError } from '../core/index.js';

export interface Calendar {
  /** The name rule packs use (`us-federal`, `uk-england`, `none`, …). */
  readonly name: string;
  /** Days off in `year` (observed / substitute dates, i.e. the days offices are actually closed). */
  holidays(year: number): readonly BusinessDate[];
  /** Saturdays or Sundays that are working days in `year` (none for the shipped calendars). */
  workdays?(year: number): readonly BusinessDate[];
}

/** Either a calendar (covers every year) or an explicit list of holiday dates. */
export type Holidays = Calendar | Iterable<BusinessDate>;

/** A named holiday with its statutory date and the date it is observed. */
export interface Holiday {
  readonly name: string;
  /** The date named by the statute (e.g. July 4). */
  readonly date: BusinessDate;
  /** The day off: the statutory date moved off a weekend by the calendar's rule. */
  readonly observed: BusinessDate;
}

// ---------------------------------------------------------------------------------------------
// Weekday helpers

/** Day of the week: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function dayOfWeek(date: BusinessDate): number {
  return (((toEpochDay(date) + 4) % 7) + 7) % 7;
}

export function isWeekend(date: BusinessDate): boolean {
  const d = dayOfWeek(date);
  return d === 0 || d === 6;
}

/** The `nth` (1-based) given weekday of a month; `nth = -1` is the last one. */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, nth: number): BusinessDate {
  if (nth === -1) {
    const last = fromYmd({ y: year, m: month, d: daysInMonth(year, month) });
    const back = (dayOfWeek(last) - weekday + 7) % 7;
    return fromEpochDay(toEpochDay(last) - back);
  }
  const first = fromYmd({ y: year, m: month, d: 1 });
  const ahead = (weekday - dayOfWeek(first) + 7) % 7;
  return fromEpochDay(toEpochDay(first) + ahead + (nth - 1) * 7);
}

const MON = 1;
const THU = 4;

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 1 || year > 9999) {
    throw new ValidationError('year', `must be a whole year between 1 and 9999, got ${JSON.stringify(year)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// United States: legal public holidays, 5 U.S.C. 6103(a), observed per 6103(b) and Executive
// Order 11582 (Saturday → the Friday before, Sunday → the Monday after).

/** US observed-date rule: a Saturday holiday is observed on Friday, a Sunday one on Monday. */
export function usObserved(date: BusinessDate): BusinessDate {
  const d = dayOfWeek(date);
  if (d === 6) return fromEpochDay(toEpochDay(date) - 1);
  if (d === 0) return fromEpochDay(toEpochDay(date) + 1);
  return date;
}

/**
 * The statutory holidays of `year` with their observed dates. The current set of holidays is
 * applied to every year, except that Martin Luther King Jr. Day starts in 1986 and Juneteenth in
 * 2021 (earlier history — e.g. the pre-1971 fixed-date Mondays — is not modelled).
 */
export function usFederalHolidayDetails(year: number): Holiday[] {
  checkYear(year);
  const fixed = (name: string, m: number, d: number): Holiday => {
    const date = fromYmd({ y: year, m, d });
    return { name, date, observed: usObserved(date) };
  };
  const floating = (name: string, m: number, weekday: number, nth: number): Holiday => {
    const date = nthWeekdayOfMonth(year, m, weekday, nth);
    return { name, date, observed: date };
  };
  const list: Holiday[] = [fixed("New Year's Day", 1, 1)];
  if (year >= 1986) list.push(floating('Birthday of Martin Luther King, Jr.', 1, MON, 3));
  list.push(
    floating("Washington's Birthday", 2, MON, 3),
    floating('Memorial Day', 5, MON, -1),
  );
  if (year >= 2021) list.push(fixed('Juneteenth National Independence Day', 6, 19));
  list.push(
    fixed('Independence Day', 7, 4),
    floating('Labor Day', 9, MON, 1),
    floating('Columbus Day', 10, MON, 2),
    fixed('Veterans Day', 11, 11),
    floating('Thanksgiving Day', 11, THU, 4),
    fixed('Christmas Day', 12, 25),
  );
  return list;
}

/**
 * The days federal offices are closed in `year`, sorted. These are observed dates that fall in
 * `year`: when January 1 of the next year is a Saturday, its observed Friday (December 31) is
 * listed here, and a New Year's Day observed in the previous December is not (as in OPM's tables).
 */
export function usFederalHolidays(year: number): BusinessDate[] {
  checkYear(year);
  const prefix = String(year).padStart(4, '0');
  const dates = [...usFederalHolidayDetails(year), ...(year < 9999 ? usFederalHolidayDetails(year + 1).slice(0, 1) : [])]
    .map((h) => h.observed)
    .filter((d) => d.startsWith(prefix));
  return [...new Set(dates)].sort();
}

// ---------------------------------------------------------------------------------------------
// England and Wales: bank holidays (Banking and Financial Dealings Act 1971 plus royal
// proclamations). Substitute days move a weekend holiday to the next weekday not already a holiday.

/** Easter Sunday (Gregorian) by the anonymous Meeus/Jones/Butcher computus. */
export function easterSunday(year: number): BusinessDate {
  checkYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return fromYmd({ y: year, m: month, d: day });
}

/**
 * One-off changes by proclamation: a moved regular holiday (`replaces`) or an extra day.
 * Known up to the date of writing; add future proclamations here.
 */
const UK_ENGLAND_SPECIAL: Readonly<Record<number, readonly { name: string; date: BusinessDate; replaces?: string }[]>> = {
  1995: [{ name: 'Early May bank holiday (VE Day 50th anniversary)', date: '1995-05-08', replaces: 'Early May bank holiday' }],
  1999: [{ name: 'Millennium celebrations', date: '1999-12-31' }],
  2002: [
    { name: 'Spring bank holiday', date: '2002-06-04', replaces: 'Spring bank holiday' },
    { name: 'Golden Jubilee', date: '2002-06-03' },
  ],
  2011: [{ name: 'Royal wedding', date: '2011-04-29' }],
  2012: [
    { name: 'Spring bank holiday', date: '2012-06-04', replaces: 'Spring bank holiday' },
    { name: 'Diamond Jubilee', date: '2012-06-05' },
  ],
  2020: [{ name: 'Early May bank holiday (VE Day)', date: '2020-05-08', replaces: 'Early May bank holiday' }],
  2022: [
    { name: 'Spring bank holiday', date: '2022-06-02', replaces: 'Spring bank holiday' },
    { name: 'Platinum Jubilee', date: '2022-06-03' },
    { name: 'State Funeral of Queen Elizabeth II', date: '2022-09-19' },
  ],
  2023: [{ name: 'Coronation of King Charles III', date: '2023-05-08' }],
};

/**
 * Bank holidays in England and Wales for `year` (the statutory date and the day off). The
 * regular set (New Year's Day, Good Friday, Easter Monday, early May, spring, summer, Christmas,
 * Boxing Day) is applied from 1978, when the early May holiday began; one-off proclamations are
 * taken from a table.
 */
export function ukEnglandBankHolidayDetails(year: number): Holiday[] {
  checkYear(year);
  const easter = toEpochDay(easterSunday(year));
  const on = (name: string, date: BusinessDate): Holiday => ({ name, date, observed: date });
  const regular: Holiday[] = [
    on('Good Friday', fromEpochDay(easter - 2)),
    on('Easter Monday', fromEpochDay(easter + 1)),
    on('Early May bank holiday', nthWeekdayOfMonth(year, 5, MON, 1)),
    on('Spring bank holiday', nthWeekdayOfMonth(year, 5, MON, -1)),
    on('Summer bank holiday', nthWeekdayOfMonth(year, 8, MON, -1)),
  ];
  const special = UK_ENGLAND_SPECIAL[year] ?? [];
  const replaced = new Set(special.flatMap((s) => (s.replaces ? [s.replaces] : [])));
  const list = regular.filter((h) => !replaced.has(h.name));
  for (const s of special) list.push(on(s.name, s.date));

  // Fixed-date holidays in order, each substituted onto the next weekday not already taken
  // (Christmas on Saturday → Monday 27, Boxing Day on Sunday → Tuesday 28).
  const taken = new Set(list.map((h) => h.observed));
  for (const [name, m, d] of [["New Year's Day", 1, 1], ['Christmas Day', 12, 25], ['Boxing Day', 12, 26]] as const) {
    const date = fromYmd({ y: year, m, d });
    let n = toEpochDay(date);
    while (isWeekend(fromEpochDay(n)) || taken.has(fromEpochDay(n))) n += 1;
    const observed = fromEpochDay(n);
    taken.add(observed);
    list.push({ name, date, observed });
  }
  return list.sort((a, b) => (a.observed < b.observed ? -1 : a.observed > b.observed ? 1 : 0));
}

/** The days off in England and Wales in `year`, sorted. */
export function ukEnglandBankHolidays(year: number): BusinessDate[] {
  return [...new Set(ukEnglandBankHolidayDetails(year).map((h) => h.observed))].sort();
}

// ---------------------------------------------------------------------------------------------
// Named calendars

export const US_FEDERAL: Calendar = { name: 'us-federal', holidays: usFederalHolidays };
export const UK_ENGLAND: Calendar = { name: 'uk-england', holidays: ukEnglandBankHolidays };
export const NO_HOLIDAYS: Calendar = { name: 'none', holidays: () => [] };

/**
 * A calendar from published tables, for jurisdictions whose holidays are decreed year by year
 * (China: the State Council's annual notice, with make-up working weekends). A year missing from
 * the table is an error rather than a silent "no holidays".
 */
export function tableCalendar(
  name: string,
  years: Readonly<Record<number, { holidays: readonly BusinessDate[]; workdays?: readonly BusinessDate[] }>>,
): Calendar {
  const entry = (year: number) => {
    const e = years[year];
    if (!e) throw new ValidationError(`calendar ${name}`, `has no holiday table for ${year}`);
    return e;
  };
  return {
    name,
    holidays: (year) => entry(year).holidays,
    workdays: (year) => entry(year).workdays ?? [],
  };
}

const CALENDARS = new Map<string, Calendar>([US_FEDERAL, UK_ENGLAND, NO_HOLIDAYS].map((c) => [c.name, c]));

/** Names a rule pack may use. `cn` is reserved until a published table is registered. */
export function calendarNames(): string[] {
  return [...CALENDARS.keys()];
}

/** Adds a calendar to the registry (e.g. a `tableCalendar('cn', …)`); an existing name is replaced. */
export function registerCalendar(calendar: Calendar): void {
  CALENDARS.set(calendar.name, calendar);
}

export function calendarByName(name: string): Calendar {
  const c = CALENDARS.get(name);
  if (c) return c;
  const hint = name === 'cn'
    ? ' (China\'s holidays are decreed yearly by the State Council; register a tableCalendar("cn", …) with the published dates)'
    : '';
  throw new ValidationError('calendar', `unknown calendar "${name}"; known: ${calendarNames().join(', ')}${hint}`);
}

// ---------------------------------------------------------------------------------------------
// Business days

interface DayTest {
  holiday(date: BusinessDate): boolean;
  workday(date: BusinessDate): boolean;
}

/** Per-calendar cache of holiday sets by year: the gate asks the same few years millions of times. */
const yearCache = new WeakMap<Calendar, Map<number, { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> }>>();

function calendarYear(cal: Calendar, year: number): { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> } {
  let byYear = yearCache.get(cal);
  if (!byYear) {
    byYear = new Map();
    yearCache.set(cal, byYear);
  }
  let entry = byYear.get(year);
  if (!entry) {
    entry = { holidays: new Set(cal.holidays(year)), workdays: new Set(cal.workdays?.(year) ?? []) };
    byYear.set(year, entry);
  }
  return entry;
}

function isCalendar(h: Holidays): h is Calendar {
  return typeof (h as Partial<Calendar>).holidays === 'function';
}

function dayTest(h: Holidays): DayTest {
  if (isCalendar(h)) {
    return {
      holiday: (d) => calendarYear(h, toYmd(d).y).holidays.has(d),
      workday: (d) => calendarYear(h, toYmd(d).y).workdays.has(d),
    };
  }
  const set: ReadonlySet<string> = h instanceof Set ? (h as ReadonlySet<string>) : new Set(h);
  return { holiday: (d) => set.has(d), workday: () => false };
}

function businessDay(date: BusinessDate, t: DayTest): boolean {
  if (isWeekend(date)) return t.workday(date);
  return !t.holiday(date);
}

/** Monday to Friday and not a holiday (or a weekend day the calendar declares a working day). */
export function isBusinessDay(date: BusinessDate, holidays: Holidays): boolean {
  return businessDay(date, dayTest(holidays));
}

/**
 * The date `n` business days after `date` (before it when `n` is negative). The start date
 * itself is never counted, so it need not be a business day: Saturday + 1 is Monday.
 * `n = 0` returns `date` unchanged.
 */
export function addBusinessDays(date: BusinessDate, n: number, holidays: Holidays): BusinessDate {
  if (!Number.isSafeInteger(n)) throw new ValidationError('n', `must be a whole number of business days, got ${JSON.stringify(n)}`);
  const t = dayTest(holidays);
  const step = n < 0 ? -1 : 1;
  let day = toEpochDay(date);
  let left = Math.abs(n);
  while (left > 0) {
    day += step;
    if (businessDay(fromEpochDay(day), t)) left -= 1;
  }
  return fromEpochDay(day);
}

/** The first business day on or after `date`. */
export function nextBusinessDay(date: BusinessDate, holidays: Holidays): BusinessDate {
  const t = dayTest(holidays);
  let day = toEpochDay(date);
  while (!businessDay(fromEpochDay(day), t)) day += 1;
  return fromEpochDay(day);
}
