/**
 * Local time at the party. Reading the wall clock of an instant is on the hot path (every
 * decision, every zone), so offsets come from one cached `Intl.DateTimeFormat` per zone, memoised
 * per 15-minute bucket; local date and time back to an instant uses the same offsets (Luxon's
 * conventions for daylight-saving gaps and overlaps; the property tests compare with Luxon).
 */
import { addDays, fromEpochDay, toEpochDay, type BusinessDate } from '../core/index.js';

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
const offsets = new Map<string, number>();

/**
 * The zone's UTC offset in minutes at `ms`, cached per zone and 15-minute UTC bucket (offset
 * changes happen on quarter-hour UTC instants in every current zone), so the hot path is a map
 * lookup and integer arithmetic instead of an Intl call.
 */
function offsetMinutes(ms: number, zone: string): number {
  const bucket = Math.floor(ms / BUCKET_MS);
  const key = `${zone}|${bucket}`;
  let off = offsets.get(key);
  if (off === undefined) {
    const t = bucket * BUCKET_MS;
    const lt = localTimeIntl(t, zone);
    const localMidnight = toEpochDay(lt.date) * 86_400_000;
    off = Math.round((localMidnight + lt.minute * 60_000 - t) / 60_000);
    if (offsets.size >= 200_000) offsets.clear();
    offsets.set(key, off);
  }
  return off;
}

/** The wall clock in `zone` at instant `ms`. */
export function localTime(ms: number, zone: string): LocalTime {
  const local = ms + offsetMinutes(ms, zone) * 60_000;
  const day = Math.floor(local / 86_400_000);
  return { date: fromEpochDay(day), minute: Math.floor((local - day * 86_400_000) / 60_000), weekday: ((((day + 3) % 7) + 7) % 7) + 1 };
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

/** Parses an ISO instant (with `Z` or an offset); NaN when it is not one. */
export function parseInstant(s: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return Number.NaN;
  return Date.parse(s);
}
