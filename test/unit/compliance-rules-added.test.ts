/**
 * The rules added to the shipped packs after the first cut (docs/rule-packs.md): workplace e-mail,
 * Massachusetts personal vs other numbers, the one opt-out confirmation, consumer-designated
 * inconvenient times and media, no redial after an abandoned call, no legal action on a
 * time-barred debt, UK third parties. Both sides of every limit: the last allowed and the first
 * blocked.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  decide, isPersonal, loadRulePack, parseRulePack,
  type AttemptRequest, type GateContext, type PastAttempt, type RulePack,
} from '../../src/compliance/index.js';

const root = fileURLToPath(new URL('../../rule-packs/', import.meta.url));
const cache = new Map<string, RulePack>();
function pack(name: string): RulePack {
  let p = cache.get(name);
  if (!p) {
    p = loadRulePack(readFileSync(`${root}${name}.yaml`, 'utf8'), `rule-packs/${name}.yaml`);
    cache.set(name, p);
  }
  return p;
}

const HOME = '+12125550100';
const WORK = '+12125550199';

function req(at: string, over: Partial<AttemptRequest> = {}, party: Partial<AttemptRequest['party']> = {}): AttemptRequest {
  return {
    accountId: 'A1', debtId: 'A1',
    party: { id: 'P1', kind: 'borrower', timezones: ['America/New_York'], flags: {}, ...party },
    contactPoint: { id: HOME, kind: 'phone' },
    channel: 'call', purpose: 'collect', at,
    ...over,
  };
}

function ctx(packs: string[], over: Partial<GateContext> = {}): GateContext {
  return { history: [], holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs: packs.map(pack), ...over };
}

function past(at: string, outcome: PastAttempt['outcome'], over: Partial<PastAttempt> = {}): PastAttempt {
  return { at, debtId: 'A1', partyId: 'P1', contactPointId: HOME, channel: 'call', outcome, ...over };
}

// June 2025: New York is UTC-4, London UTC+1; Mon 2 June … Sun 8 June
const H = (s: string): string => `2025-06-${s}`;

describe('us-regf workplace e-mail (1006.22(f)(3))', () => {
  const at = H('03T14:00:00Z');
  const workMail = req(at, { channel: 'email', contactPoint: { id: 'pat@acme-corp.example', kind: 'email', workplace: true } });

  it('blocks an e-mail to an employer-provided address, even when the employer does not forbid contact', () => {
    const d = decide(workMail, ctx(['us-regf']));
    expect(d).toMatchObject({ allowed: false, rule: 'us-regf/workplace-email', nextAllowedAt: null });
    expect(d.reason).toMatch(/pat@acme-corp\.example is an e-mail address the consumer's employer provided/);
    // a personal address, and a call to a workplace number the employer does not forbid, are not this rule's business
    expect(decide(req(at, { channel: 'email', contactPoint: { id: 'pat@example.com', kind: 'email' } }), ctx(['us-regf'])).allowed).toBe(true);
    expect(decide(req(at, { contactPoint: { id: WORK, kind: 'phone', workplace: true } }), ctx(['us-regf'])).allowed).toBe(true);
  });

  it('allows it once the consumer consented to the address or e-mailed from it', () => {
    expect(decide(workMail, ctx(['us-regf'], { consentedContactPoints: ['Pat@Acme-Corp.example'] })).allowed).toBe(true);
    const inbound = past(H('02T15:00:00Z'), 'conversation', { channel: 'email', contactPointId: 'pat@acme-corp.example', consumerInitiated: true });
    expect(decide(workMail, ctx(['us-regf'], { history: [inbound] })).allowed).toBe(true);
    // an e-mail the consumer sends later does not lift it now; nor does a call from a number
    expect(decide(workMail, ctx(['us-regf'], { history: [{ ...inbound, at: H('03T15:00:00Z') }] })).rule).toBe('us-regf/workplace-email');
    expect(decide(workMail, ctx(['us-regf'], { history: [{ ...inbound, channel: 'call' }] })).rule).toBe('us-regf/workplace-email');
    // an outbound e-mail to it is not the consumer's use
    expect(decide(workMail, ctx(['us-regf'], { history: [{ ...inbound, consumerInitiated: false, outcome: 'sent' }] })).rule).toBe('us-regf/workplace-email');
  });
});

describe('us-ma personal and other numbers (940 CMR 7.04(1)(f))', () => {
  const work = (at: string, flags: Partial<AttemptRequest['contactPoint']> = { workplace: true }) =>
    req(at, { contactPoint: { id: WORK, kind: 'phone', ...flags } });
  const workCall = (at: string) => past(at, 'no_answer', { contactPointId: WORK, personal: false });
  const both = ['us-regf', 'us-ma'];

  it('a contact point is personal unless flagged otherwise', () => {
    expect(isPersonal({})).toBe(true);
    expect(isPersonal({ workplace: true })).toBe(false);
    expect(isPersonal({ workplace: true, personal: true })).toBe(true);
    expect(isPersonal({ personal: false })).toBe(false);
  });

  it('2 per rolling 30 days to other numbers: the 2nd allowed, the 3rd blocked until the 1st leaves the window', () => {
    const one = [workCall(H('02T14:00:00Z'))];
    const two = [...one, workCall(H('10T14:00:00Z'))];
    expect(decide(work(H('10T14:00:00Z')), ctx(both, { history: one })).allowed).toBe(true);
    const d = decide(work(H('20T14:00:00Z')), ctx(both, { history: two }));
    expect(d).toMatchObject({ allowed: false, rule: 'us-ma/2-in-30-other', nextAllowedAt: '2025-07-02T14:00:00.000Z' });
    expect(d.reason).toMatch(/2 have been made .*non-personal numbers/);
    expect(decide(work('2025-07-02T13:59:00Z'), ctx(both, { history: two })).rule).toBe('us-ma/2-in-30-other');
    expect(decide(work('2025-07-02T14:00:00Z'), ctx(both, { history: two })).allowed).toBe(true);
    // us-regf alone has no such cap
    expect(decide(work(H('20T14:00:00Z')), ctx(['us-regf'], { history: two })).allowed).toBe(true);
  });

  it('counts other numbers across numbers and texts, and reads an unflagged attempt at the requested number by its flags', () => {
    const h = [past(H('02T14:00:00Z'), 'sent', { channel: 'sms', contactPointId: '+16175550123', personal: false }), past(H('09T14:00:00Z'), 'voicemail', { contactPointId: WORK })];
    expect(decide(work(H('20T14:00:00Z')), ctx(both, { history: h })).rule).toBe('us-ma/2-in-30-other');
    expect(decide(work(H('20T14:00:00Z'), { personal: false }), ctx(both, { history: h })).rule).toBe('us-ma/2-in-30-other');
  });

  it('keeps the two counters apart: work calls do not use up the personal 2-in-7 and vice versa', () => {
    const work2 = [workCall(H('02T14:00:00Z')), workCall(H('03T14:00:00Z'))];
    expect(decide(req(H('04T14:00:00Z')), ctx(both, { history: work2 })).allowed).toBe(true);
    const home2 = [past(H('02T14:00:00Z'), 'no_answer'), past(H('03T14:00:00Z'), 'no_answer')];
    expect(decide(req(H('04T14:00:00Z')), ctx(both, { history: home2 })).rule).toBe('us-ma/2-in-7');
    expect(decide(work(H('04T14:00:00Z')), ctx(both, { history: home2 })).allowed).toBe(true);
    // a work number the debtor gave as personal counts as personal
    expect(decide(work(H('04T14:00:00Z'), { workplace: true, personal: true }), ctx(both, { history: home2 })).rule).toBe('us-ma/2-in-7');
  });

  it('counts an abandoned call', () => {
    const h = [past(H('02T14:00:00Z'), 'no_answer'), past(H('03T14:00:00Z'), 'abandoned')];
    expect(decide(req(H('04T14:00:00Z')), ctx(both, { history: h })).rule).toBe('us-ma/2-in-7');
    expect(decide(req(H('04T14:00:00Z')), ctx(both, { history: h.slice(0, 1) })).allowed).toBe(true);
  });
});

describe('us-regf one confirmation after an e-mail/SMS opt-out (1006.6(e))', () => {
  const addr = 'pat@example.com';
  const mail = (at: string, purpose: AttemptRequest['purpose'] = 'opt_out_confirmation', id = addr) =>
    req(at, { channel: 'email', purpose, contactPoint: { id, kind: 'email' } });
  const optOuts = [{ channel: 'email' as const, contactPoint: 'Pat@Example.com', at: H('03T13:00:00Z') }];
  const confirmation = past(H('03T13:01:00Z'), 'sent', { channel: 'email', contactPointId: addr, purpose: 'opt_out_confirmation' });

  it('allows the first confirmation and blocks the second', () => {
    expect(decide(mail(H('03T13:01:00Z')), ctx(['us-regf'], { optOuts })).allowed).toBe(true);
    const d = decide(mail(H('03T14:00:00Z')), ctx(['us-regf'], { optOuts, history: [confirmation] }));
    expect(d).toMatchObject({ allowed: false, rule: 'us-regf/email-sms-opt-out', nextAllowedAt: null });
    expect(d.reason).toMatch(/already been confirmed/);
    // a pending (not yet sent) or failed confirmation counts as well
    expect(decide(mail(H('03T14:00:00Z')), ctx(['us-regf'], { optOuts, history: [{ ...confirmation, outcome: 'pending' }] })).allowed).toBe(false);
  });

  it('still blocks everything else to that address, from the opt-out on', () => {
    expect(decide(mail(H('03T13:01:00Z'), 'collect'), ctx(['us-regf'], { optOuts })).rule).toBe('us-regf/email-sms-opt-out');
    expect(decide(mail(H('03T12:59:00Z'), 'collect'), ctx(['us-regf'], { optOuts })).allowed).toBe(true);
  });

  it('counts confirmations per opt-out, and confirms only an opt-out there is', () => {
    // a confirmation of an earlier opt-out (before this one) does not use up this one's
    const old = { ...confirmation, at: H('01T13:00:00Z') };
    expect(decide(mail(H('03T14:00:00Z')), ctx(['us-regf'], { optOuts, history: [old] })).allowed).toBe(true);
    const none = decide(mail(H('03T14:00:00Z'), 'opt_out_confirmation', 'other@example.com'), ctx(['us-regf'], { optOuts }));
    expect(none).toMatchObject({ allowed: false, rule: 'us-regf/email-sms-opt-out' });
    expect(none.reason).toMatch(/no opt-out .* to confirm/);
  });

  it('is allowed while the debt is disputed', () => {
    const holds = [{ kind: 'dispute' as const, from: H('01T00:00:00Z'), until: null }];
    expect(decide(mail(H('03T14:00:00Z')), ctx(['us-regf'], { optOuts, holds })).allowed).toBe(true);
    expect(decide(req(H('03T14:00:00Z')), ctx(['us-regf'], { optOuts, holds })).rule).toBe('us-regf/dispute');
  });

  it('rejects a malformed opt-out instant', () => {
    expect(() => decide(mail(H('03T14:00:00Z')), ctx(['us-regf'], { optOuts: [{ ...optOuts[0]!, at: 'yesterday' }] }))).toThrow(/optOuts\[0\]\.at/);
  });
});

describe('consumer-designated inconvenient times (1006.6(b)(1)(i); CONC 7.9.4R)', () => {
  it('blocks inside a range, frees at its end: 12:00–13:00 New York for calls', () => {
    const c = ctx(['us-regf'], { inconvenientTimes: [{ from: '12:00', to: '13:00', channels: ['call'] }] });
    expect(decide(req(H('03T15:59:00Z')), c).allowed).toBe(true);
    const d = decide(req(H('03T16:00:00Z')), c);
    expect(d).toMatchObject({ allowed: false, rule: 'us-regf/inconvenient-times', nextAllowedAt: H('03T17:00:00.000Z') });
    expect(d.reason).toMatch(/inconvenient .*12:00–13:00 \(call\)/);
    expect(decide(req(H('03T16:59:00Z')), c).allowed).toBe(false);
    expect(decide(req(H('03T17:00:00Z')), c).allowed).toBe(true);
    // other channels are not bound by a call-only range
    expect(decide(req(H('03T16:30:00Z'), { channel: 'email', contactPoint: { id: 'p@example.com', kind: 'email' } }), c).allowed).toBe(true);
  });

  it('runs overnight when to is before from: not before 10:00 or after 18:00', () => {
    const c = ctx(['us-regf'], { inconvenientTimes: [{ from: '18:00', to: '10:00' }] });
    expect(decide(req(H('03T21:59:00Z')), c).allowed).toBe(true); // 17:59
    expect(decide(req(H('03T22:00:00Z')), c)).toMatchObject({ rule: 'us-regf/inconvenient-times', nextAllowedAt: H('04T14:00:00.000Z') });
    expect(decide(req(H('04T13:59:00Z')), c)).toMatchObject({ rule: 'us-regf/inconvenient-times', nextAllowedAt: H('04T14:00:00.000Z') });
    expect(decide(req(H('04T14:00:00Z')), c).allowed).toBe(true);
  });

  it('whole days by weekday; the next allowed instant also waits for the hours', () => {
    const c = ctx(['us-regf'], { inconvenientTimes: [{ from: '00:00', to: '24:00', weekdays: [6, 7] }] });
    expect(decide(req(H('07T03:59:00Z')), c).allowed).toBe(false); // Fri 23:59 is outside 08–21 anyway
    expect(decide(req(H('06T20:00:00Z')), c).allowed).toBe(true); // Fri 16:00
    const sat = decide(req(H('07T14:00:00Z')), c);
    // Monday 00:00 New York frees the range, 08:00 the hours
    expect(sat).toMatchObject({ allowed: false, rule: 'us-regf/inconvenient-times', nextAllowedAt: H('09T12:00:00.000Z') });
    expect(sat.reason).toMatch(/Sat, Sun/);
    expect(decide(req(H('09T12:00:00Z')), c).allowed).toBe(true);
  });

  it('an overnight range on a weekday binds the early hours of the next day', () => {
    // Friday 20:00 → Saturday 09:00
    const c = ctx(['us-regf'], { inconvenientTimes: [{ from: '20:00', to: '09:00', weekdays: [5] }] });
    expect(decide(req(H('07T12:30:00Z')), c).nextAllowedAt).toBe(H('07T13:00:00.000Z')); // Sat 08:30
    expect(decide(req(H('08T12:30:00Z')), c).allowed).toBe(true); // Sun 08:30
  });

  it('binds in every zone the consumer may be in', () => {
    const c = ctx(['us-regf'], { inconvenientTimes: [{ from: '12:00', to: '13:00' }] });
    const both = { timezones: ['America/New_York', 'America/Los_Angeles'] };
    // 15:30 New York = 12:30 Los Angeles
    expect(decide(req(H('03T19:30:00Z'), {}, both), c)).toMatchObject({ rule: 'us-regf/inconvenient-times', nextAllowedAt: H('03T20:00:00.000Z') });
    expect(decide(req(H('03T18:59:00Z'), {}, both), c).allowed).toBe(true);
  });

  it('uk-conc honours the customer\'s times too', () => {
    const uk = { timezones: ['Europe/London'] };
    const c = ctx(['uk-conc'], { inconvenientTimes: [{ from: '09:00', to: '17:00', channels: ['call'] }] });
    expect(decide(req(H('03T07:59:00Z'), {}, uk), c).allowed).toBe(true);
    expect(decide(req(H('03T08:00:00Z'), {}, uk), c)).toMatchObject({ rule: 'uk-conc/customer-times', nextAllowedAt: H('03T16:00:00.000Z') });
  });

  it('rejects malformed ranges', () => {
    expect(() => decide(req(H('03T14:00:00Z')), ctx(['us-regf'], { inconvenientTimes: [{ from: '9:00', to: '10:00' }] }))).toThrow(/inconvenientTimes\[0\]\.from/);
    expect(() => decide(req(H('03T14:00:00Z')), ctx(['us-regf'], { inconvenientTimes: [{ from: '10:00', to: '10:00' }] }))).toThrow(/must differ/);
    expect(() => decide(req(H('03T14:00:00Z')), ctx(['us-regf'], { inconvenientTimes: [{ from: '10:00', to: '11:00', weekdays: [0] }] }))).toThrow(/weekdays/);
  });
});

describe('consumer-designated media and places (1006.14(h); CONC 7.9.4R)', () => {
  const at = H('03T14:00:00Z');
  const sms = req(at, { channel: 'sms' });
  const mail = req(at, { channel: 'email', contactPoint: { id: 'pat@example.com', kind: 'email' } });

  it('a whole medium', () => {
    const c = ctx(['us-regf'], { inconvenientMedia: [{ channel: 'call' }] });
    const d = decide(req(at), c);
    expect(d).toMatchObject({ allowed: false, rule: 'us-regf/inconvenient-media', nextAllowedAt: null });
    expect(d.reason).toMatch(/not to be contacted by call/);
    expect(decide(sms, c).allowed).toBe(true);
  });

  it('a place: one contact point on every channel, or one channel at one contact point', () => {
    const place = ctx(['us-regf'], { inconvenientMedia: [{ contactPoint: ` ${HOME} ` }] });
    expect(decide(req(at), place).rule).toBe('us-regf/inconvenient-media');
    expect(decide(sms, place).rule).toBe('us-regf/inconvenient-media');
    expect(decide(mail, place).allowed).toBe(true);
    const one = ctx(['us-regf'], { inconvenientMedia: [{ channel: 'sms', contactPoint: HOME }] });
    expect(decide(sms, one).rule).toBe('us-regf/inconvenient-media');
    expect(decide(req(at), one).allowed).toBe(true);
  });

  it('uk-conc, and a designation needs a channel or a contact point', () => {
    const uk = { timezones: ['Europe/London'] };
    expect(decide(req('2025-06-03T10:00:00Z', {}, uk), ctx(['uk-conc'], { inconvenientMedia: [{ channel: 'call' }] })).rule).toBe('uk-conc/customer-media');
    expect(() => decide(req(at), ctx(['us-regf'], { inconvenientMedia: [{}] }))).toThrow(/inconvenientMedia\[0\]/);
  });
});

describe('uk-conc: no redial within 72 hours of an abandoned call (Ofcom)', () => {
  const uk = { timezones: ['Europe/London'] };
  const abandoned = past('2025-06-02T10:00:00Z', 'abandoned'); // Mon 11:00 London

  it('blocks a repeat call to that number until 72 hours have passed', () => {
    const c = ctx(['uk-conc'], { history: [abandoned] });
    const d = decide(req('2025-06-05T09:59:00Z', {}, uk), c);
    expect(d).toMatchObject({ allowed: false, rule: 'uk-conc/abandoned-call-redial', nextAllowedAt: '2025-06-05T10:00:00.000Z' });
    expect(d.reason).toMatch(/abandoned \(Mon 2025-06-02 11:00 Europe\/London\); for 72 hours/);
    expect(decide(req('2025-06-05T10:00:00Z', {}, uk), c).allowed).toBe(true);
  });

  it('allows it with a guaranteed live agent, and to another number', () => {
    const c = ctx(['uk-conc'], { history: [abandoned] });
    expect(decide(req('2025-06-02T12:00:00Z', { liveAgent: true }, uk), c).allowed).toBe(true);
    expect(decide(req('2025-06-02T12:00:00Z', { contactPoint: { id: '+447700900123', kind: 'phone' } }, uk), c).allowed).toBe(true);
    // an SMS is not a call
    expect(decide(req('2025-06-02T12:00:00Z', { channel: 'sms' }, uk), c).allowed).toBe(true);
  });

  it('counts in the call caps of us-regf and the firm policy', () => {
    const six = ['02', '03', '04', '05', '06', '07'].map((d) => past(H(`${d}T14:00:00Z`), 'no_answer'));
    expect(decide(req(H('08T18:00:00Z')), ctx(['us-regf'], { history: six })).allowed).toBe(true);
    expect(decide(req(H('08T18:00:00Z')), ctx(['us-regf'], { history: [...six, past(H('08T14:00:00Z'), 'abandoned')] })).rule).toBe('us-regf/7-in-7');
    const day = ['08', '09'].map((h) => past(`2025-06-03T${h}:00:00Z`, 'no_answer', { contactPointId: `+4477009000${h}` }));
    const third = past('2025-06-03T10:00:00Z', 'abandoned', { contactPointId: '+447700900010' });
    expect(decide(req('2025-06-03T12:00:00Z', {}, uk), ctx(['uk-conc'], { history: day })).allowed).toBe(true);
    expect(decide(req('2025-06-03T12:00:00Z', {}, uk), ctx(['uk-conc'], { history: [...day, third] })).rule).toBe('uk-conc/policy-calls-per-day');
  });
});

describe('us-regf: no legal action on a time-barred debt (1006.26(b))', () => {
  const suit = (at: string) => req(at, { channel: 'letter', purpose: 'legal_action', contactPoint: { id: '1 Main St', kind: 'address' } });

  it('allows legal action up to the limitation date and blocks it from then on', () => {
    const c = ctx(['us-regf'], { timeBarredSince: '2025-06-10' });
    expect(decide(suit('2025-06-10T03:59:00Z'), c).allowed).toBe(true); // 23:59 New York
    const d = decide(suit('2025-06-10T04:00:00Z'), c);
    expect(d).toMatchObject({ allowed: false, rule: 'us-regf/time-barred-suit', nextAllowedAt: null });
    expect(d.reason).toMatch(/time-barred since Tue 2025-06-10 00:00 America\/New_York; no legal action/);
    // collecting (without suing or threatening suit) is not barred by this rule
    expect(decide(req('2025-06-10T14:00:00Z', { channel: 'letter', contactPoint: { id: '1 Main St', kind: 'address' } }), c).allowed).toBe(true);
  });

  it('a date starts at the earliest local midnight of the consumer\'s zones; an instant is exact', () => {
    const both = { timezones: ['America/Los_Angeles', 'America/New_York'] };
    const c = ctx(['us-regf'], { timeBarredSince: '2025-06-10' });
    expect(decide(req('2025-06-10T03:59:00Z', { channel: 'letter', purpose: 'legal_action', contactPoint: { id: 'a', kind: 'address' } }, both), c).allowed).toBe(true);
    expect(decide(req('2025-06-10T04:00:00Z', { channel: 'letter', purpose: 'legal_action', contactPoint: { id: 'a', kind: 'address' } }, both), c).allowed).toBe(false);
    const exact = ctx(['us-regf'], { timeBarredSince: '2025-06-10T15:00:00Z' });
    expect(decide(suit('2025-06-10T14:59:00Z'), exact).allowed).toBe(true);
    expect(decide(suit('2025-06-10T15:00:00Z'), exact).allowed).toBe(false);
    expect(() => decide(suit('2025-06-10T15:00:00Z'), ctx(['us-regf'], { timeBarredSince: '10/06/2025' }))).toThrow(/timeBarredSince/);
  });
});

describe('uk-conc third parties (CONC 7.9.4R)', () => {
  const uk = { timezones: ['Europe/London'] };
  it('a reference may be asked where the customer is or to pass a message, never about the debt', () => {
    const ref = { ...uk, id: 'R1', kind: 'reference' as const };
    expect(decide(req('2025-06-03T10:00:00Z', { purpose: 'message' }, ref), ctx(['uk-conc'])).allowed).toBe(true);
    expect(decide(req('2025-06-03T10:00:00Z', { purpose: 'collect' }, ref), ctx(['uk-conc'])).rule).toBe('uk-conc/third-parties');
    expect(decide(req('2025-06-03T10:00:00Z', { purpose: 'collect' }, { ...uk, kind: 'guarantor' }), ctx(['uk-conc'])).allowed).toBe(true);
  });
});

describe('rule-pack params of the new kinds', () => {
  it('reports bad params at file:line:col', () => {
    const text = [
      'pack: custom',
      'title: Custom',
      'rules:',
      '  - id: work',
      '    kind: window-cap',
      '    source: s',
      '    reason: r',
      '    params: { max: 2, days: 30, scope: party, outcomes: [sent], contactPoints: office }',
      '  - id: redial',
      '    kind: outcome-cooldown',
      '    source: s',
      '    reason: wait {hours} hours after {outcome} at {last}, {count}',
      '    params: { outcomes: [abandonned] }',
      '  - id: barred',
      '    kind: time-barred',
      '    source: s',
      '    reason: since {since}',
      '    params: { purposes: [sue] }',
    ].join('\n');
    const lines = parseRulePack(text, 'c.yaml').issues.map((i) => `${i.line}:${i.column}: ${i.field}: ${i.rule}`);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^8:.*rules\[0\]\.params\.contactPoints: must be one of any, personal, other/),
      expect.stringMatching(/^12:.*rules\[1\]\.reason: unknown placeholder \{count\}/),
      expect.stringMatching(/^13:.*rules\[1\]\.params: hours is required/),
      expect.stringMatching(/^13:.*rules\[1\]\.params\.outcomes\[0\]: must be one of .*abandoned/),
      expect.stringMatching(/^18:.*rules\[2\]\.params\.purposes\[0\]: must be one of .*legal_action/),
    ]));
  });
});
