/**
 * Local time at the party. Reading the wall clock of an instant is on the hot path (every
 * decision, every zone), so offsets come from one cached `Intl.DateTimeFormat` per zone, memoised
 * per 15-minute bucket; local date and time back to an instant uses the same offsets (Luxon's
 * conventions for daylight-saving gaps and overlaps; the property tests compare with Luxon).
 */
import { addDays, fromEpochDay, toEpochDay, ValidationError, type BusinessDate } from '../core/index.js';

export interface LocalTime {
  /** the local calendar date */
  date: BusinessDate;
  /** minutes since local midnight, 0…1439 */
  minute: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short',
    });
    if (formatters.size < 1000) formatters.set(zone, f);
  }
  return f;
}

/** The wall clock in `zone` at instant `ms`, through Intl (slow: ~1 µs). */
function localTimeIntl(ms: number, zone: string): LocalTime {
  let y = '', mo = '', d = '', h = 0, mi = 0, wd = 1;
  for (const p of formatter(zone).formatToParts(ms)) {
    switch (p.type) {
      case 'year': y = p.value; break;
      case 'month': mo = p.value; break;
      case 'day': d = p.value; break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'weekday': wd = WEEKDAYS[p.value] ?? 1; break;
      default: break;
    }
  }
  return { date: `${y}-${mo}-${d}`, minute: h * 60 + mi, weekday: wd };
}

const BUCKET_MS = 15 * 60_000;
/** zone → 15-minute bucket → offset (a map per zone: no string key to build per lookup) */
const offsets = new Map<string, Map<number, number>>();
let cachedOffsets = 0;

/**
 * The zone's UTC offset in minutes at `ms`, cached per zone and 15-minute UTC bucket (offset
 * changes happen on quarter-hour UTC instants in every current zone), so the hot path is a map
 * lookup and integer arithmetic instead of an Intl call.
 */
function offsetMinutes(ms: number, zone: string): number {
  const bucket = Math.floor(ms / BUCKET_MS);
  let byBucket = offsets.get(zone);
  if (byBucket === undefined) {
    byBucket = new Map();
    if (offsets.size < 1000) offsets.set(zone, byBucket);
  }
  let off = byBucket.get(bucket);
  if (off === undefined) {
    const t = bucket * BUCKET_MS;
    const lt = localTimeIntl(t, zone);
    const localMidnight = toEpochDay(lt.date) * 86_400_000;
    off = Math.round((localMidnight + lt.minute * 60_000 - t) / 60_000);
    if (cachedOffsets >= 200_000) {
      for (const m of offsets.values()) m.clear();
      cachedOffsets = 0;
    }
    byBucket.set(bucket, off);
    cachedOffsets++;
  }
  return off;
}

const dates = new Map<number, BusinessDate>();

/** `fromEpochDay`, memoised (the gate reads the same few hundred days over and over). */
function dateOf(day: number): BusinessDate {
  let d = dates.get(day);
  if (d === undefined) {
    d = fromEpochDay(day);
    if (dates.size >= 100_000) dates.clear();
    dates.set(day, d);
  }
  return d;
}

/** The wall clock in `zone` at instant `ms`. */
export function localTime(ms: number, zone: string): LocalTime {
  const local = ms + offsetMinutes(ms, zone) * 60_000;
  const day = Math.floor(local / 86_400_000);
  return { date: dateOf(day), minute: Math.floor((local - day * 86_400_000) / 60_000), weekday: ((((day + 3) % 7) + 7) % 7) + 1 };
}

/**
 * The instant of local `date` + `minute` in `zone`, from the cached offsets (no Luxon on the hot
 * path). The candidate offsets are those in force a day before and a day after the wall time (no
 * zone changes its offset twice within two days). A wall time that occurs twice (autumn) resolves to
 * the later instant (standard time, as Luxon does); one skipped by a spring-forward gap resolves to the instant just after the
 * gap (02:30 → 03:30), as Luxon does.
 */
export function instantAt(date: BusinessDate, minute: number, zone: string): number {
  const wall = toEpochDay(date) * 86_400_000 + minute * 60_000;
  const candidates = [offsetMinutes(wall - 86_400_000, zone), offsetMinutes(wall + 86_400_000, zone)];
  let best: number | null = null;
  for (const o of candidates) {
    const t = wall - o * 60_000;
    if (offsetMinutes(t, zone) === o && (best === null || t > best)) best = t;
  }
  return best ?? wall - Math.min(...candidates) * 60_000;
}

/** The start of the local day `days` after the local date of `ms` in `zone`. */
export function startOfLocalDay(ms: number, zone: string, days: number): number {
  return instantAt(addDays(localTime(ms, zone).date, days), 0, zone);
}

/** `HH:MM` → minutes since midnight (`24:00` → 1440). */
export function hhmm(s: string): number {
  return Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
}

/** A readable local time for reasons: `Tue 2025-03-04 08:00 America/Los_Angeles`. */
const WEEKDAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function describeInstant(ms: number, zone: string): string {
  const lt = localTime(ms, zone);
  const hh = String(Math.floor(lt.minute / 60)).padStart(2, '0');
  const mm = String(lt.minute % 60).padStart(2, '0');
  return `${WEEKDAY_NAMES[lt.weekday] ?? ''} ${lt.date} ${hh}:${mm} ${zone}`;
}

export function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO instant (with `Z` or an offset); NaN when it is not one. */
export function parseInstant(s: string): number {
  const fast = parseCanonical(s);
  if (!Number.isNaN(fast)) return fast;
  if (!INSTANT_RE.test(s)) return Number.NaN;
  return Date.parse(s);
}

/**
 * An ISO instant (with `Z` or an offset) given for `field`, as epoch milliseconds; anything else is a
 * ValidationError naming the field, with `example`.
 */
export function checkInstant(v: unknown, field: string, example = '2026-03-02T14:30:00Z'): number {
  const ms = typeof v === 'string' ? parseInstant(v) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(field, `must be an ISO instant with Z or an offset, e.g. ${example}, got ${JSON.stringify(v ?? null)}`);
  return ms;
}

/** Two decimal digits at `i`, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The hot path of `parseInstant` (every history entry of every decision): `YYYY-MM-DDTHH:MM:SSZ`
 * or `…SS.sssZ` (what `toISOString` writes) with a day of month up to 28 and an ordinary time,
 * read without a regular expression. NaN for anything else, which takes the general path.
 */
function parseCanonical(s: string): number {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return Number.NaN;
  const c = digits2(s, 0);
  const yy = digits2(s, 2);
  const mo = digits2(s, 5);
  const d = digits2(s, 8);
  const h = digits2(s, 11);
  const mi = digits2(s, 14);
  const se = digits2(s, 17);
  if (c < 1 || yy < 0 || mo < 1 || mo > 12 || d < 1 || d > 28 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return Number.NaN;
  let ms = 0;
  if (n === 24) {
    const ab = digits2(s, 20);
    const x = s.charCodeAt(22) - 48;
    if (s[19] !== '.' || ab < 0 || x < 0 || x > 9) return Number.NaN;
    ms = ab * 10 + x;
  }
  return Date.UTC(c * 100 + yy, mo - 1, d, h, mi, se, ms);
}
