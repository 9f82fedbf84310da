/**
 * The gate's own local-time ⇄ instant conversions agree with Luxon everywhere, including the
 * daylight-saving gap (skipped wall times move forward) and overlap (repeated wall times take the
 * later instant, as Luxon does).
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { expect, it } from 'vitest';
import { instantAt, localTime, parseInstant } from '../../src/compliance/index.js';
import { addDays } from '../../src/core/index.js';

const ZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Asia/Shanghai', 'Australia/Sydney', 'America/Sao_Paulo', 'UTC'];
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

it('instantAt agrees with Luxon for any wall time, DST days included', () => {
  fc.assert(fc.property(
    fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 730 }), fc.integer({ min: 0, max: 1439 }),
    (zone, dayOffset, minute) => {
      const date = addDays('2026-01-01', dayOffset);
      const luxon = DateTime.fromObject(
        { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)), hour: Math.floor(minute / 60), minute: minute % 60 },
        { zone },
      ).toMillis();
      expect(instantAt(date, minute, zone)).toBe(luxon);
    },
  ), { numRuns: RUNS });
});

it('instantAt agrees with Luxon around every 2026 transition in New York and London', () => {
  const cases: [string, string][] = [['America/New_York', '2026-03-08'], ['America/New_York', '2026-11-01'], ['Europe/London', '2026-03-29'], ['Europe/London', '2026-10-25']];
  for (const [zone, date] of cases) {
    for (let minute = 0; minute < 240; minute += 5) {
      const luxon = DateTime.fromObject({ year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)), hour: Math.floor(minute / 60), minute: minute % 60 }, { zone }).toMillis();
      expect(instantAt(date, minute, zone), `${zone} ${date} +${minute}m`).toBe(luxon);
      // and back: the wall time itself, or one hour later inside a spring-forward gap
      const lt = localTime(luxon, zone);
      expect(lt.date).toBe(date);
      expect([minute, minute + 60]).toContain(lt.minute);
    }
  }
});

it('parseInstant agrees with the ISO pattern + Date.parse, on canonical instants and near misses', () => {
  const reference = (x: string): number =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(x) ? Date.parse(x) : Number.NaN;
  const canonical = fc.integer({ min: Date.parse('1900-01-01T00:00:00Z'), max: Date.parse('2100-12-31T23:59:59Z') })
    .chain((t) => fc.constantFrom(new Date(t).toISOString(), new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')));
  // one character replaced by a digit, a separator or a letter: month 13, day 31 or 00, hour 24, a missing Z…
  const mutated = fc.tuple(canonical, fc.nat(), fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '9', '-', ':', 'T', 'Z', '.', '+', 'x'))
    .map(([x, i, ch]) => { const k = i % x.length; return x.slice(0, k) + ch + x.slice(k + 1); });
  fc.assert(fc.property(fc.oneof(canonical, mutated), (x) => {
    expect(Object.is(parseInstant(x), reference(x)), x).toBe(true);
  }), { numRuns: 20 * RUNS });
});
