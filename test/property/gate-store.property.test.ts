/**
 * The gate through the store (decideAndRecord + recorded compliance acts), on SQLite and
 * PostgreSQL: for random sequences of attempts (random parties, contact points, channels, times,
 * outcomes) and flags (cease, dispute, their lifting acts, SMS opt-outs),
 *   - every attempt has exactly one recorded decision, in order, with the attempt's party, channel and instant;
 *   - no window of any window-cap rule of the packs in force ever holds more counted attempts than its cap
 *     (checked independently of the gate, from the pack's own parameters, with Luxon for local days);
 *   - nothing but the purposes a hold allows is allowed while a cease or a dispute is in force, and nothing
 *     goes to an opted-out number by SMS.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import {
  loadRulePack, type AttemptRequest, type GateContext, type GateOutcome, type Purpose, type RulePack, type WindowCapParams,
} from '../../src/compliance/index.js';
import type { Channel, PartyKind } from '../../src/contact/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import type { Store } from '../../src/store/db.js';
import { recordAct } from '../../src/store/acts.js';
import { decideAndRecord, recordGateOutcome } from '../../src/store/gate.js';
import { insertLoans } from '../../src/store/repo.js';
import { BACKENDS } from '../support/stores.js';

const PACKS = new Map<string, RulePack>(
  ['us-regf', 'us-ma', 'cn', 'uk-conc'].map((n) => [n, loadRulePack(readFileSync(`rule-packs/${n}.yaml`, 'utf8'), `rule-packs/${n}.yaml`)]),
);
const JURISDICTIONS: { packs: string[]; zones: string[] }[] = [
  { packs: ['us-regf'], zones: ['America/New_York', 'America/Los_Angeles'] },
  { packs: ['us-regf', 'us-ma'], zones: ['America/New_York'] },
  { packs: ['cn'], zones: ['Asia/Shanghai'] },
  { packs: ['uk-conc'], zones: ['Europe/London'] },
];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OUTCOMES: GateOutcome[] = ['no_answer', 'busy', 'voicemail', 'wrong_number', 'not_in_service', 'abandoned', 'conversation', 'promise', 'refused_to_pay'];
const PEOPLE: { id: string; kind: PartyKind; purpose: Purpose; points: { id: string; personal: boolean }[] }[] = [
  { id: 'B', kind: 'borrower', purpose: 'collect', points: [{ id: '+12125550100', personal: true }, { id: '+12125550199', personal: false }] },
  { id: 'R', kind: 'reference', purpose: 'location', points: [{ id: '+12125550111', personal: true }] },
];
const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });

type Op =
  | { op: 'attempt'; gapMinutes: number; person: number; point: number; channel: Channel; outcome: GateOutcome; debt: number }
  | { op: 'flag'; gapMinutes: number; kind: 'cease' | 'cease_withdrawn' | 'dispute' | 'verification_sent' | 'opt_out'; debt: number };

const gap = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 180 }), weight: 5 }, { arbitrary: fc.integer({ min: 60, max: 3 * 24 * 60 }), weight: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      op: fc.constant('attempt' as const), gapMinutes: gap, person: fc.integer({ min: 0, max: 1 }), point: fc.integer({ min: 0, max: 1 }),
      channel: fc.constantFrom<Channel>('call', 'call', 'call', 'sms'), outcome: fc.constantFrom(...OUTCOMES), debt: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('flag' as const), gapMinutes: gap,
      kind: fc.constantFrom('cease', 'cease_withdrawn', 'dispute', 'verification_sent', 'opt_out') as fc.Arbitrary<'cease' | 'cease_withdrawn' | 'dispute' | 'verification_sent' | 'opt_out'>,
      debt: fc.integer({ min: 0, max: 1 }),
    }),
  },
);

interface Row {
  id: number;
  debt_id: string;
  party_id: string;
  contact_point: string;
  channel: string;
  purpose: string;
  at: string;
  allowed: number;
  outcome: string | null;
  personal: number | null;
}

/** The most counted attempts in any rolling window of `days` (worst windows start at an attempt). */
function maxRolling(times: number[], days: number): number {
  const ts = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < ts.length; i++) {
    while (j < ts.length && (ts[j] as number) < (ts[i] as number) + days * DAY) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

/** The most counted attempts in any `days` consecutive local days of `zone`. */
function maxCalendar(times: number[], days: number, zone: string): number {
  const perDay = new Map<number, number>();
  for (const t of times) {
    const d = Math.round(DateTime.fromMillis(t, { zone }).startOf('day').setZone('UTC', { keepLocalTime: true }).toMillis() / DAY);
    perDay.set(d, (perDay.get(d) ?? 0) + 1);
  }
  let best = 0;
  for (const d of perDay.keys()) {
    let n = 0;
    for (let k = 0; k < days; k++) n += perDay.get(d - k) ?? 0;
    best = Math.max(best, n);
  }
  return best;
}

function scopeKey(r: Row, scope: WindowCapParams['scope']): string {
  switch (scope) {
    case 'party': return r.party_id;
    case 'debt': return r.debt_id;
    case 'contact_point': return r.contact_point;
    case 'party+debt': return `${r.party_id}|${r.debt_id}`;
  }
}

/** Every window-cap rule of the packs holds over the allowed rows. */
function checkCaps(rows: readonly Row[], packs: readonly RulePack[], zones: readonly string[]): void {
  for (const rule of packs.flatMap((p) => p.rules)) {
    if (rule.kind !== 'window-cap') continue;
    const p = rule.params;
    const counted = rows.filter((r) => r.allowed === 1
      && (p.channels === null || p.channels.includes(r.channel as Channel))
      && (r.outcome === null || p.outcomes.includes(r.outcome as GateOutcome))
      && (p.contactPoints === 'any' || (p.contactPoints === 'personal') === (r.personal !== 0)));
    const groups = new Map<string, number[]>();
    for (const r of counted) {
      const k = scopeKey(r, p.scope);
      groups.set(k, [...(groups.get(k) ?? []), Date.parse(r.at)]);
    }
    for (const [k, times] of groups) {
      const worst = p.window === 'rolling' ? maxRolling(times, p.days) : Math.max(...zones.map((z) => maxCalendar(times, p.days, z)));
      if (worst > p.max) throw new Error(`${rule.id}: ${worst} counted attempts for ${k} in one window of ${p.days} day(s) (${p.window}), cap ${p.max}`);
    }
  }
}

describe.each(BACKENDS)('the gate through the store on $name', (backend) => {
  let store: Store;
  let run = 0;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store.close();
  });

  it('records exactly one decision per attempt and never lets a cap, a hold or an opt-out be exceeded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: JURISDICTIONS.length - 1 }),
        fc.constantFrom('2026-03-02T13:00:00Z', '2026-03-06T20:00:00Z', '2026-10-23T08:00:00Z'),
        fc.array(opArb, { minLength: 5, maxLength: 60 }),
        async (j, startIso, ops) => {
          const jur = JURISDICTIONS[j] as (typeof JURISDICTIONS)[number];
          const packs = jur.packs.map((n) => PACKS.get(n) as RulePack);
          const tag = `r${++run}`;
          const debts = [`${tag}-D0`, `${tag}-D1`];
          await insertLoans(store.db, debts.map((id) => ({
            account: { id, borrowerId: `${tag}-B`, productId: 'p', currency: 'USD', principal: 10000, disbursed: '2026-01-01' },
            product,
            borrower: { id: `${tag}-B`, name: 'N', timezone: jur.zones[0] as string, phones: [], emails: [], addresses: [] },
          })));
          const ctx: Omit<GateContext, 'history'> = { holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs };
          let t = Date.parse(startIso);
          const asked: { party: string; channel: string; at: string }[] = [];
          /** cease / dispute in force per debt, and opted-out numbers, as recorded (independent of the gate's fold) */
          const holds = new Map<string, { cease: boolean; dispute: boolean }>(debts.map((d) => [d, { cease: false, dispute: false }]));
          const optedOut = new Set<string>();
          const violations: string[] = [];
          for (const o of ops) {
            t += o.gapMinutes * 60_000;
            const at = new Date(t).toISOString();
            const debtId = debts[o.debt] as string;
            if (o.op === 'flag') {
              const raw = o.kind === 'opt_out'
                ? { kind: 'opt_out', debtId, partyId: null, at, source: 'sms', channel: 'sms', contactPoint: '+12125550100' }
                : { kind: o.kind, debtId, partyId: null, at, source: 'letter' };
              try {
                await recordAct(store, raw, { now: at });
                const h = holds.get(debtId) as { cease: boolean; dispute: boolean };
                if (o.kind === 'cease') h.cease = true;
                if (o.kind === 'cease_withdrawn') h.cease = false;
                if (o.kind === 'dispute') h.dispute = true;
                if (o.kind === 'verification_sent') h.dispute = false;
                if (o.kind === 'opt_out') optedOut.add(`${debtId}|+12125550100`);
              } catch (e) {
                if (!(e instanceof ValidationError)) throw e; // a lift with nothing to lift is refused
              }
              continue;
            }
            const person = PEOPLE[o.person] as (typeof PEOPLE)[number];
            const point = person.points[Math.min(o.point, person.points.length - 1)] as { id: string; personal: boolean };
            const partyId = `${tag}-${person.id}`;
            const request: AttemptRequest = {
              accountId: debtId, debtId,
              party: { id: partyId, kind: person.kind, timezones: jur.zones, flags: {} },
              contactPoint: { id: point.id, kind: 'phone', ...(point.personal ? {} : { personal: false }) },
              channel: o.channel, purpose: person.purpose, at,
            };
            asked.push({ party: partyId, channel: o.channel, at });
            const d = await decideAndRecord(store, request, ctx);
            if (d.allowed) {
              const h = holds.get(debtId) as { cease: boolean; dispute: boolean };
              const usPack = jur.packs.includes('us-regf');
              if (usPack && h.cease) violations.push(`${at}: ${o.channel} allowed during a cease request`);
              if (usPack && h.dispute && person.purpose === 'collect') violations.push(`${at}: collection allowed during a dispute`);
              if (usPack && o.channel === 'sms' && optedOut.has(`${debtId}|${point.id}`)) violations.push(`${at}: SMS to an opted-out number`);
              await recordGateOutcome(store, d.id, o.channel === 'sms' ? 'sent' : o.outcome);
            }
          }
          expect(violations).toEqual([]);
          const rows = (await store.db.selectFrom('gate_decisions').selectAll().where('debt_id', 'in', debts).orderBy('id').execute()) as unknown as Row[];
          // exactly one decision per attempt, in order
          expect(rows.map((r) => ({ party: r.party_id, channel: r.channel, at: r.at }))).toEqual(asked);
          checkCaps(rows.map((r) => ({ ...r, id: Number(r.id) })), packs, jur.zones);
        },
      ),
      { numRuns: backend.name === 'sqlite' ? 40 : 12 },
    );
  }, 240_000);
});
