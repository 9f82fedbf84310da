/**
 * The gate's cap invariant: if every attempt the gate allows is executed (appended to the history
 * with a random outcome), no window ever holds more counted attempts than the pack's cap —
 * us-regf 7 per rolling 7 days, us-ma 2 per 7 days, cn 3 connected calls a Beijing day per
 * debtor and 6 dials a day per number. And a blocked attempt's nextAllowedAt is allowed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, it } from 'vitest';
import { decide, loadRulePack, localTime, type AttemptRequest, type GateContext, type GateOutcome, type PastAttempt, type RulePack } from '../../src/compliance/index.js';
import type { Channel } from '../../src/contact/index.js';

const root = fileURLToPath(new URL('../../rule-packs/', import.meta.url));
const packs = new Map<string, RulePack>();
function pack(name: string): RulePack {
  let p = packs.get(name);
  if (!p) {
    p = loadRulePack(readFileSync(`${root}${name}.yaml`, 'utf8'), `rule-packs/${name}.yaml`);
    packs.set(name, p);
  }
  return p;
}

const DAY = 86_400_000;
const CALL_OUTCOMES: GateOutcome[] = ['no_answer', 'busy', 'voicemail', 'wrong_number', 'not_in_service', 'abandoned', 'conversation', 'refused_to_pay', 'promise', 'dispute', 'hardship'];
const CONNECTED = new Set<GateOutcome>(['conversation', 'refused_to_pay', 'promise', 'dispute', 'hardship']);
const REGF_COUNTED = new Set<GateOutcome>(['no_answer', 'voicemail', 'wrong_number', 'abandoned', ...CONNECTED]);
/** the last one is a work number (not personal: us-ma caps it at 2 per 30 days instead of 2 per 7) */
const NUMBERS = ['+12125550100', '+13105550100', '+13125550100'];
const WORK_NUMBER = NUMBERS[2] as string;

function fail(msg: string): never {
  throw new Error(msg);
}

interface Step {
  gapMinutes: number;
  number: number;
  channel: Channel;
  outcome: GateOutcome;
  /** a consumer-initiated conversation recorded instead of an attempt */
  inbound: boolean;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  gapMinutes: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 240 }), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 2 * 24 * 60 }), weight: 1 }),
  number: fc.integer({ min: 0, max: NUMBERS.length - 1 }),
  channel: fc.constantFrom<Channel>('call', 'call', 'call', 'sms'),
  // mostly unanswered, so that the caps (not the cooldown) bind
  outcome: fc.oneof(
    { arbitrary: fc.constantFrom(...CALL_OUTCOMES.filter((o) => !CONNECTED.has(o))), weight: 19 },
    { arbitrary: fc.constantFrom(...CALL_OUTCOMES.filter((o) => CONNECTED.has(o))), weight: 1 },
  ),
  inbound: fc.integer({ min: 0, max: 59 }).map((n) => n === 0),
});

/** Starts around the DST changes and ordinary weeks, in UTC ms. */
const startArb = fc.constantFrom('2025-03-05T00:00:00Z', '2025-06-02T00:00:00Z', '2025-10-29T00:00:00Z').chain((s) =>
  fc.integer({ min: 0, max: 3 * 24 * 60 }).map((m) => Date.parse(s) + m * 60_000));

interface Run {
  history: PastAttempt[];
  decisions: number;
}

function simulate(start: number, steps: readonly Step[], packList: RulePack[], zones: string[], extra: Partial<GateContext> = {}): Run {
  const history: PastAttempt[] = [];
  let t = start;
  let decisions = 0;
  for (const s of steps) {
    t += s.gapMinutes * 60_000;
    const at = new Date(t).toISOString();
    const contactPointId = NUMBERS[s.number] as string;
    if (s.inbound) {
      history.push({ at, debtId: 'D1', partyId: 'P1', contactPointId, channel: 'call', outcome: 'conversation', consumerInitiated: true });
      continue;
    }
    const request: AttemptRequest = {
      accountId: 'D1', debtId: 'D1',
      party: { id: 'P1', kind: 'borrower', timezones: zones, flags: {} },
      contactPoint: { id: contactPointId, kind: 'phone', ...(contactPointId === WORK_NUMBER ? { workplace: true } : {}) },
      channel: s.channel, purpose: 'collect', at,
    };
    const context: GateContext = { history, holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs: packList, ...extra };
    const d = decide(request, context);
    decisions++;
    if (d.allowed) {
      history.push({
        at, debtId: 'D1', partyId: 'P1', contactPointId, channel: s.channel, outcome: s.channel === 'sms' ? 'sent' : s.outcome,
        ...(contactPointId === WORK_NUMBER ? { personal: false } : {}),
      });
    } else if (d.nextAllowedAt !== null) {
      const next = Date.parse(d.nextAllowedAt);
      if (!(next > t)) fail(`nextAllowedAt ${d.nextAllowedAt} is not after ${at}`);
      const again = decide({ ...request, at: d.nextAllowedAt }, context);
      if (!again.allowed) fail(`${at}: blocked by ${d.rule} until ${d.nextAllowedAt}, but then blocked by ${again.rule}: ${again.reason}`);
      if (next - 60_000 > t && decide({ ...request, at: new Date(next - 60_000).toISOString() }, context).allowed) {
        fail(`${at}: nextAllowedAt ${d.nextAllowedAt} is not the first allowed minute (${d.rule})`);
      }
    }
  }
  return { history, decisions };
}

/** The most counted attempts in any half-open window [s, s + days) (worst windows start at an attempt). */
function maxInRollingWindow(times: number[], days: number): number {
  const ts = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < ts.length; i++) {
    while (j < ts.length && (ts[j] as number) < (ts[i] as number) + days * DAY) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

const ms = (a: PastAttempt): number => Date.parse(a.at);

describe('compliance gate caps', () => {
  it('us-regf (and the us-ma overlay): no rolling 7-day window exceeds the cap', () => {
    fc.assert(
      fc.property(
        startArb,
        fc.array(stepArb, { minLength: 1, maxLength: 150, size: 'max' }),
        fc.boolean(),
        fc.subarray(['America/New_York', 'America/Chicago', 'America/Los_Angeles'], { minLength: 1 }),
        (start, steps, withMa, zones) => {
          const list = withMa ? [pack('us-regf'), pack('us-ma')] : [pack('us-regf')];
          const { history } = simulate(start, steps, list, zones);
          const outbound = history.filter((a) => !a.consumerInitiated);
          const calls = outbound.filter((a) => a.channel === 'call' && REGF_COUNTED.has(a.outcome)).map(ms);
          const regf = maxInRollingWindow(calls, 7);
          if (regf > 7) fail(`${regf} counted calls in 7 days`);
          if (withMa) {
            const counted = outbound.filter((a) => (a.channel === 'call' && REGF_COUNTED.has(a.outcome)) || a.channel === 'sms');
            const ma = maxInRollingWindow(counted.filter((a) => a.contactPointId !== WORK_NUMBER).map(ms), 7);
            if (ma > 2) fail(`${ma} counted calls/texts to personal numbers in 7 days under us-ma`);
            const other = maxInRollingWindow(counted.filter((a) => a.contactPointId === WORK_NUMBER).map(ms), 30);
            if (other > 2) fail(`${other} counted calls/texts to the work number in 30 days under us-ma`);
          }
          for (const a of outbound) {
            for (const z of zones) {
              const m = localTime(ms(a), z).minute;
              if (m < 8 * 60 || m >= 21 * 60) fail(`${a.at} is outside 08:00–21:00 in ${z}`);
            }
          }
          // no call within 7 days (conversation day = day 1) after a conversation, in any zone
          const convs = history.filter((a) => a.channel === 'call' && CONNECTED.has(a.outcome));
          for (const a of outbound.filter((x) => x.channel === 'call')) {
            for (const c of convs) {
              if (c === a || ms(c) >= ms(a)) continue;
              for (const z of zones) {
                const dc = Date.parse(`${localTime(ms(c), z).date}T00:00:00Z`);
                const da = Date.parse(`${localTime(ms(a), z).date}T00:00:00Z`);
                if (da - dc < 7 * DAY) fail(`call at ${a.at} within 7 days of the conversation at ${c.at} (${z})`);
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('cn: at most 3 connected calls per Beijing day per debtor and 6 dials per number', () => {
    fc.assert(
      fc.property(startArb, fc.array(stepArb, { minLength: 1, maxLength: 120, size: 'max' }), (start, steps) => {
        // dense days, and half the calls connect (so that the connected-call cap binds too)
        const dense = steps.map((s): Step => ({ ...s, gapMinutes: Math.min(s.gapMinutes, 120), inbound: false, outcome: s.gapMinutes % 2 === 0 ? 'promise' : s.outcome }));
        const { history } = simulate(start, dense, [pack('cn')], ['Asia/Shanghai']);
        const connected = new Map<string, number>();
        const dials = new Map<string, number>();
        for (const a of history) {
          if (a.channel !== 'call') continue;
          const day = localTime(ms(a), 'Asia/Shanghai').date;
          const k = `${a.contactPointId} ${day}`;
          dials.set(k, (dials.get(k) ?? 0) + 1);
          if ((dials.get(k) ?? 0) > 6) fail(`more than 6 dials to ${k}`);
          if (CONNECTED.has(a.outcome)) {
            connected.set(day, (connected.get(day) ?? 0) + 1);
            if ((connected.get(day) ?? 0) > 3) fail(`more than 3 connected calls on ${day}`);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('uk-conc: no call to a number within 72 hours of an abandoned call to it; policy caps hold', () => {
    fc.assert(
      fc.property(startArb, fc.array(stepArb, { minLength: 1, maxLength: 120, size: 'max' }), (start, steps) => {
        // dense, and a third of the answered calls abandoned by the dialer
        const dense = steps.map((s): Step => ({ ...s, gapMinutes: Math.min(s.gapMinutes, 600), inbound: false, outcome: s.gapMinutes % 3 === 0 ? 'abandoned' : s.outcome }));
        const { history } = simulate(start, dense, [pack('uk-conc')], ['Europe/London']);
        const calls = history.filter((a) => a.channel === 'call');
        for (const a of calls) {
          for (const b of calls) {
            if (b.outcome === 'abandoned' && b.contactPointId === a.contactPointId && ms(b) < ms(a) && ms(a) - ms(b) < 72 * 3_600_000) {
              fail(`call to ${a.contactPointId} at ${a.at} within 72 hours of the abandoned call at ${b.at}`);
            }
          }
        }
        const perDay = new Map<string, number>();
        for (const a of calls.filter((x) => x.outcome !== 'busy' && x.outcome !== 'not_in_service')) {
          const day = localTime(ms(a), 'Europe/London').date;
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
          if ((perDay.get(day) ?? 0) > 3) fail(`more than 3 counted calls on ${day}`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('us-regf: nothing inside a consumer-designated inconvenient time, in any zone; nextAllowedAt is the first allowed minute', () => {
    const hm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const rangeArb = fc.record({
      from: fc.integer({ min: 0, max: 1439 }),
      length: fc.integer({ min: 1, max: 1439 }),
      weekdays: fc.option(fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }), { nil: undefined }),
      callsOnly: fc.boolean(),
    }).map((r) => {
      const to = (r.from + r.length) % 1440;
      return {
        from: hm(r.from), to: to === 0 ? '24:00' : hm(to),
        ...(r.weekdays ? { weekdays: r.weekdays } : {}), ...(r.callsOnly ? { channels: ['call' as const] } : {}),
      };
    });
    fc.assert(
      fc.property(
        startArb,
        fc.array(stepArb, { minLength: 1, maxLength: 80, size: 'max' }),
        fc.array(rangeArb, { minLength: 1, maxLength: 2 }),
        fc.subarray(['America/New_York', 'America/Chicago', 'America/Los_Angeles'], { minLength: 1 }),
        (start, steps, ranges, zones) => {
          const { history } = simulate(start, steps, [pack('us-regf')], zones, { inconvenientTimes: ranges });
          for (const a of history.filter((x) => !x.consumerInitiated)) {
            for (const z of zones) {
              const lt = localTime(ms(a), z);
              for (const r of ranges) {
                if (r.channels && !r.channels.includes(a.channel as 'call')) continue;
                const from = Number(r.from.slice(0, 2)) * 60 + Number(r.from.slice(3));
                const to = Number(r.to.slice(0, 2)) * 60 + Number(r.to.slice(3));
                const on = (w: number): boolean => !r.weekdays || r.weekdays.includes(w);
                const inside = from < to
                  ? lt.minute >= from && lt.minute < to && on(lt.weekday)
                  : (lt.minute >= from && on(lt.weekday)) || (lt.minute < to && on(lt.weekday === 1 ? 7 : lt.weekday - 1));
                if (inside) fail(`${a.channel} at ${a.at} is inside ${r.from}–${r.to} in ${z}`);
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the cached local clock agrees with Luxon in every zone, across DST changes', () => {
    const zones = ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Asia/Shanghai', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago', 'UTC'];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: Date.parse('2020-01-01T00:00:00Z') / 60_000, max: Date.parse('2030-12-31T00:00:00Z') / 60_000 }),
          // within three hours of a 2025 transition (New York, London, Lord Howe, Santiago)
          fc.tuple(fc.constantFrom('2025-03-09T07:00:00Z', '2025-11-02T06:00:00Z', '2025-03-30T01:00:00Z', '2025-10-26T01:00:00Z', '2025-04-05T15:00:00Z', '2025-10-04T15:30:00Z', '2025-04-06T03:00:00Z', '2025-09-07T04:00:00Z'), fc.integer({ min: -180, max: 180 }))
            .map(([iso, m]) => Date.parse(iso) / 60_000 + m),
        ),
        fc.constantFrom(...zones),
        (minute, zone) => {
        const t = minute * 60_000;
        const l = localTime(t, zone);
        const dt = DateTime.fromMillis(t, { zone });
        const want = { date: dt.toISODate(), minute: dt.hour * 60 + dt.minute, weekday: dt.weekday };
        if (l.date !== want.date || l.minute !== want.minute || l.weekday !== want.weekday) fail(`${new Date(t).toISOString()} ${zone}: ${JSON.stringify(l)} ≠ ${JSON.stringify(want)}`);
      }),
      { numRuns: 5000 },
    );
  });
});
