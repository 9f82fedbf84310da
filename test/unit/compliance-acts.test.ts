/**
 * Compliance acts folded into the gate's facts: holds placed and lifted only by the matching act,
 * scope (whole debt vs one party), order independence, Breathing Space, opt-outs, flags, the
 * refusal of a lift with nothing to lift, and parseAct's field-and-rule errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decide, gateFactsFromActs, liftProblem, loadRulePack, parseAct, ACT_KINDS, type AttemptRequest, type ComplianceAct,
} from '../../src/compliance/index.js';
import { catchValidation } from '../support/errors.js';

const act = (kind: ComplianceAct['kind'], at: string, over: Partial<ComplianceAct> = {}): ComplianceAct => ({
  kind, debtId: 'L-1', partyId: null, at, source: 'letter', ...over,
});
const T = (d: string): string => `2026-03-${d}T12:00:00.000Z`;

describe('gateFactsFromActs', () => {
  it('a dispute places a hold until verification is sent; nothing else lifts it', () => {
    const acts = [act('dispute', T('02')), act('cease_withdrawn', T('03')), act('attorney_withdrawn', T('04')), act('verification_sent', T('10'))];
    expect(gateFactsFromActs(acts, 'B-1', T('01')).holds).toEqual([]);
    expect(gateFactsFromActs(acts, 'B-1', T('05')).holds).toEqual([{ kind: 'dispute', from: T('02'), until: null }]);
    expect(gateFactsFromActs(acts, 'B-1', T('09')).holds).toHaveLength(1);
    expect(gateFactsFromActs(acts, 'B-1', T('10')).holds).toEqual([]);
    // dispute_withdrawn lifts it too
    expect(gateFactsFromActs([act('dispute', T('02')), act('dispute_withdrawn', T('03'))], 'B-1', T('04')).holds).toEqual([]);
  });

  it('does not depend on the order of the input; a lift at the same instant follows the placement', () => {
    const acts = [act('verification_sent', T('10')), act('cease', T('05')), act('dispute', T('02')), act('cease_withdrawn', T('05'))];
    const a = gateFactsFromActs(acts, 'B-1', T('06'));
    const b = gateFactsFromActs([...acts].reverse(), 'B-1', T('06'));
    expect(a).toEqual(b);
    expect(a.holds).toEqual([{ kind: 'dispute', from: T('02'), until: null }]);
  });

  it('a second dispute while one is open keeps the first start; a dispute after verification opens a new hold', () => {
    const acts = [act('dispute', T('02')), act('dispute', T('03'), { source: 'call' }), act('verification_sent', T('05')), act('dispute', T('08'))];
    expect(gateFactsFromActs(acts, 'B-1', T('04')).holds).toEqual([{ kind: 'dispute', from: T('02'), until: null }]);
    expect(gateFactsFromActs(acts, 'B-1', T('09')).holds).toEqual([{ kind: 'dispute', from: T('08'), until: null }]);
  });

  it('scope: whole-debt acts bind every party; a party act binds that party and is lifted only by an act of the same scope', () => {
    const acts = [act('cease', T('02'), { partyId: 'G-1' }), act('attorney', T('02')), act('cease_withdrawn', T('03'))];
    const byKind = (h: { kind: string }[]) => [...h].sort((x, y) => x.kind.localeCompare(y.kind));
    expect(byKind(gateFactsFromActs(acts, 'G-1', T('04')).holds)).toEqual([
      { kind: 'attorney', from: T('02'), until: null },
      { kind: 'cease', from: T('02'), until: null, partyId: 'G-1' },
    ]);
    expect(gateFactsFromActs(acts, 'B-1', T('04')).holds).toEqual([{ kind: 'attorney', from: T('02'), until: null }]);
  });

  it('deceased is never lifted; bankruptcy ends with bankruptcy_ended', () => {
    const acts = [act('deceased', T('02'), { source: 'court' }), act('bankruptcy', T('02'), { source: 'court' }), act('bankruptcy_ended', T('20'), { source: 'court' })];
    const kinds = (asOf: string) => gateFactsFromActs(acts, 'B-1', asOf).holds.map((h) => h.kind).sort();
    expect(kinds(T('10'))).toEqual(['bankruptcy', 'deceased']);
    expect(kinds(T('21'))).toEqual(['deceased']);
    expect(kinds('2030-01-01T00:00:00Z')).toEqual(['deceased']);
  });

  it('Breathing Space: no until (the pack sets the length); a later act records the end of crisis treatment', () => {
    const std = gateFactsFromActs([act('breathing_space', T('02'), { source: 'portal', variant: 'standard' })], 'B-1', T('03')).holds;
    expect(std).toEqual([{ kind: 'breathing_space', from: T('02'), variant: 'standard' }]);
    expect(std[0]).not.toHaveProperty('until');
    const mhc = [
      act('breathing_space', T('02'), { variant: 'mental_health_crisis', treatmentEndedAt: null }),
      act('breathing_space', T('20'), { variant: 'mental_health_crisis', treatmentEndedAt: T('19') }),
    ];
    expect(gateFactsFromActs(mhc, 'B-1', T('10')).holds).toEqual([{ kind: 'breathing_space', from: T('02'), variant: 'mental_health_crisis', treatmentEndedAt: null }]);
    expect(gateFactsFromActs(mhc, 'B-1', T('21')).holds).toEqual([{ kind: 'breathing_space', from: T('02'), variant: 'mental_health_crisis', treatmentEndedAt: T('19') }]);
    expect(gateFactsFromActs([...mhc, act('breathing_space_ended', T('25'))], 'B-1', T('26')).holds).toEqual([]);
  });

  it('opt-outs per channel and contact point, lifted by the matching opt-in (case-insensitive); workplace and refusal flags', () => {
    const acts = [
      act('opt_out', T('02'), { source: 'sms', channel: 'sms', contactPoint: '+16175550100' }),
      act('opt_out', T('02'), { source: 'email', channel: 'email', contactPoint: 'Pat@Example.com' }),
      act('opt_in', T('04'), { source: 'portal', channel: 'email', contactPoint: 'pat@example.com' }),
      act('workplace_forbidden', T('02'), { source: 'call' }),
      act('refused_contact', T('03'), { source: 'call', partyId: 'R-1' }),
    ];
    const b = gateFactsFromActs(acts, 'B-1', T('05'));
    expect(b.optOuts).toEqual([{ channel: 'sms', contactPoint: '+16175550100', at: T('02') }]);
    expect(b.workplaceForbidden).toBe(true);
    expect(b.refusedContact).toBe(false);
    expect(gateFactsFromActs(acts, 'R-1', T('05')).refusedContact).toBe(true);
    expect(gateFactsFromActs(acts, 'B-1', T('03')).optOuts).toHaveLength(2);
    expect(gateFactsFromActs([...acts, act('workplace_allowed', T('06'))], 'B-1', T('07')).workplaceForbidden).toBe(false);
  });

  it('ignores acts after asOf and rejects a bad asOf', () => {
    expect(gateFactsFromActs([act('cease', T('10'))], 'B-1', T('09')).holds).toEqual([]);
    expect(catchValidation(() => gateFactsFromActs([], 'B-1', '2026-03-10')).field).toBe('asOf');
  });
});

describe('what the gate decides with the folded facts (us-regf)', () => {
  const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
  const call = (at: string, purpose: AttemptRequest['purpose'] = 'collect'): AttemptRequest => ({
    accountId: 'L-1', debtId: 'L-1', party: { id: 'B-1', kind: 'borrower', timezones: ['America/New_York'], flags: {} },
    contactPoint: { id: '+16175550100', kind: 'phone' }, channel: 'call', purpose, at,
  });
  const decideAt = (acts: ComplianceAct[], at: string, purpose: AttemptRequest['purpose'] = 'collect') => {
    const f = gateFactsFromActs(acts, 'B-1', at);
    return decide(call(at, purpose), { history: [], holidays: [], packs: [regf], ...f });
  };

  it('blocks collection from the dispute until verification is sent, and allows the validation notice meanwhile', () => {
    const acts = [act('dispute', '2026-03-02T15:00:00Z'), act('verification_sent', '2026-03-09T15:00:00Z')];
    expect(decideAt(acts, '2026-03-02T14:00:00Z').allowed).toBe(true);
    const held = decideAt(acts, '2026-03-04T15:00:00Z');
    expect(held).toMatchObject({ allowed: false, rule: 'us-regf/dispute', nextAllowedAt: null });
    expect(decideAt(acts, '2026-03-04T15:00:00Z', 'validation_notice').allowed).toBe(true);
    expect(decideAt(acts, '2026-03-10T15:00:00Z').allowed).toBe(true);
  });
});

describe('liftProblem', () => {
  it('refuses a lift with nothing of its scope in force at its instant', () => {
    expect(liftProblem([], act('verification_sent', T('05')))).toMatch(/^nothing to lift: no dispute hold in force for the debt/);
    expect(liftProblem([act('dispute', T('02'))], act('verification_sent', T('05')))).toBeNull();
    expect(liftProblem([act('dispute', T('06'))], act('verification_sent', T('05')))).toMatch(/nothing to lift/);
    expect(liftProblem([act('dispute', T('02')), act('verification_sent', T('03'))], act('dispute_withdrawn', T('05')))).toMatch(/nothing to lift/);
    expect(liftProblem([act('cease', T('02'), { partyId: 'G-1' })], act('cease_withdrawn', T('05')))).toMatch(/for the debt/);
    expect(liftProblem([act('cease', T('02'), { partyId: 'G-1' })], act('cease_withdrawn', T('05'), { partyId: 'G-1' }))).toBeNull();
    expect(liftProblem([], act('opt_in', T('05'), { channel: 'sms', contactPoint: '+1' }))).toMatch(/has not opted out of sms/);
    expect(liftProblem([act('opt_out', T('02'), { channel: 'sms', contactPoint: '+1' })], act('opt_in', T('05'), { channel: 'sms', contactPoint: '+1' }))).toBeNull();
    expect(liftProblem([], act('workplace_allowed', T('05')))).toMatch(/workplace contact is not forbidden/);
    expect(liftProblem([], act('dispute', T('05')))).toBeNull();
  });
});

describe('parseAct', () => {
  const ok = { kind: 'dispute', debtId: 'L-1', partyId: null, at: '2026-03-02T09:30:00-05:00', source: 'letter' };

  it('normalises instants to UTC and defaults a missing party to the whole debt', () => {
    expect(parseAct(ok)).toEqual({ ...ok, at: '2026-03-02T14:30:00.000Z' });
    const { partyId: _p, ...noParty } = ok;
    expect(parseAct(noParty).partyId).toBeNull();
    expect(parseAct({ ...ok, kind: 'breathing_space' }).variant).toBe('standard');
    expect(parseAct({ ...ok, kind: 'breathing_space', variant: 'mental_health_crisis' }).treatmentEndedAt).toBeNull();
    expect(parseAct({ ...ok, kind: 'opt_out', channel: 'email', contactPoint: ' pat@example.com ' }).contactPoint).toBe('pat@example.com');
  });

  it.each([
    [{ ...ok, kind: 'hold' }, 'act.kind', 'must be one of cease'],
    [{ ...ok, source: 'fax' }, 'act.source', 'must be one of letter'],
    [{ ...ok, debtId: '' }, 'act.debtId', 'is required'],
    [{ ...ok, at: '2026-03-02' }, 'act.at', 'must be an ISO 8601 instant'],
    [{ ...ok, at: '2026-03-02T09:30:00' }, 'act.at', 'with Z or an offset'],
    [{ ...ok, kind: 'opt_out' }, 'act.channel', 'must be one of call'],
    [{ ...ok, kind: 'opt_out', channel: 'sms' }, 'act.contactPoint', 'is required'],
    [{ ...ok, channel: 'sms' }, 'act.channel', 'is only for opt_out and opt_in'],
    [{ ...ok, variant: 'standard' }, 'act.variant', 'is only for breathing_space'],
    [{ ...ok, kind: 'breathing_space', treatmentEndedAt: '2026-04-01T00:00:00Z' }, 'act.treatmentEndedAt', 'only for variant mental_health_crisis'],
    [{ ...ok, kind: 'refused_contact' }, 'act.partyId', 'is required for refused_contact'],
    [{ ...ok, colour: 'red' }, 'act.colour', 'is not a known field'],
    [{ ...ok, note: 3 }, 'act.note', 'must be a string'],
    ['dispute', 'act', 'must be a mapping'],
  ])('rejects %j', (raw, field, rule) => {
    const e = catchValidation(() => parseAct(raw));
    expect(e.field).toBe(field);
    expect(e.rule).toContain(rule);
  });

  it('names the caller\'s field', () => {
    expect(catchValidation(() => parseAct({ ...ok, kind: 'x' }, 'events[3]')).field).toBe('events[3].kind');
  });

  it('every kind is either placing, lifting, an opt-out or a flag', () => {
    for (const kind of ACT_KINDS) {
      const extra = kind === 'opt_out' || kind === 'opt_in' ? { channel: 'sms', contactPoint: '+1' } : kind === 'refused_contact' ? { partyId: 'R-1' } : {};
      expect(parseAct({ ...ok, kind, ...extra }).kind).toBe(kind);
    }
  });
});
