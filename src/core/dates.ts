/**
 * Business dates: `YYYY-MM-DD` strings at the edges, epoch-day integers inside hot loops.
 * Pure proleptic-Gregorian arithmetic, no time zones and no clock.
 */
import { ValidationError } from './errors.js';

export type BusinessDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export interface Ymd {
  y: number;
  m: number;
  d: number;
}

/** Parses and validates a business date; throws a ValidationError naming `field`. */
export function parseDate(value: unknown, field = 'date'): BusinessDate {
  if (typeof value !== 'string') {
    throw new ValidationError(field, `must be a date in the form YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  const m = DATE_RE.exec(value);
  if (!m) throw new ValidationError(field, `must be a date in the form YYYY-MM-DD, got "${value}"`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    throw new ValidationError(field, `"${value}" is not a calendar date`);
  }
  return value;
}

export function isDate(value: unknown): value is BusinessDate {
  try {
    parseDate(value);
    return true;
  } catch {
    return false;
  }
}

export function toYmd(date: BusinessDate): Ymd {
  return { y: Number(date.slice(0, 4)), m: Number(date.slice(5, 7)), d: Number(date.slice(8, 10)) };
}

export function fromYmd({ y, m, d }: Ymd): BusinessDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const epochMemo = new Map<string, number>();

/**
 * Days since 1970-01-01. Memoised: the cycle converts the same few thousand dates millions of
 * times (a map lookup is ~10× cheaper than parsing).
 */
export function toEpochDay(date: BusinessDate): number {
  let n = epochMemo.get(date);
  if (n === undefined) {
    n = civilToEpochDay(date);
    if (epochMemo.size < 100_000) epochMemo.set(date, n);
  }
  return n;
}

/** Howard Hinnant's days_from_civil. */
function civilToEpochDay(date: BusinessDate): number {
  let y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromEpochDay(n: number): BusinessDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return fromYmd({ y, m, d });
}

export function addDays(date: BusinessDate, days: number): BusinessDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: BusinessDate, b: BusinessDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/**
 * The date `months` months after `anchor`, on `anchorDay` of that month, clamped to its last day.
 * Passing the original day keeps a 31st-of-month schedule on the 31st after a short month.
 */
export function addMonthsClamped(anchor: BusinessDate, months: number, anchorDay?: number): BusinessDate {
  const { y, m, d } = toYmd(anchor);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const day = Math.min(anchorDay ?? d, daysInMonth(ny, nm));
  return fromYmd({ y: ny, m: nm, d: day });
}

/** 30/360 (US/NASD bond basis) day count between two dates. */
export function days30360(a: BusinessDate, b: BusinessDate): number {
  const s = toYmd(a);
  const e = toYmd(b);
  let d1 = s.d;
  let d2 = e.d;
  if (d1 === 31) d1 = 30;
  if (d2 === 31 && d1 >= 30) d2 = 30;
  return (e.y - s.y) * 360 + (e.m - s.m) * 30 + (d2 - d1);
}

export function compareDates(a: BusinessDate, b: BusinessDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxDate(a: BusinessDate, b: BusinessDate): BusinessDate {
  return a > b ? a : b;
}
