/**
 * The compliance gate rule by rule, with the reference numbers (collection-rules.md): both
 * sides of every limit, time zones and DST, holds, opt-outs, and how packs combine.
 */
import { describe, expect, it } from 'vitest';
import { decide, parseRulePack, RulePackError } from '../../src/compliance/index.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadRulePack, type AttemptRequest, type GateContext, type PastAttempt, type RulePack } from '../../src/compliance/index.js';

const root = fileURLToPath(new URL('../../rule-packs/', import.meta.url));
const cache = new Map<string, RulePack>();

function pack(name: string): RulePack {
  let p = cache.get(name);
  if (!p) {
    const file = `${root}${name}.yaml`;
    p = loadRulePack(readFileSync(file, 'utf8'), `rule-packs/${name}.yaml`);
    cache.set(name, p);
  }
  return p;
}

function req(at: string, over: Partial<AttemptRequest> = {}, party: Partial<AttemptRequest['party']> = {}): AttemptRequest {
  return {
    accountId: 'A1',
    debtId: 'A1',
    party: { id: 'P1', kind: 'borrower', timezones: ['America/New_York'], flags: {}, ...party },
    contactPoint: { id: '+12125550100', kind: 'phone' },
    channel: 'call',
    purpose: 'collect',
    at,
    ...over,
  };
}

function ctx(packs: string[], over: Partial<GateContext> = {}): GateContext {
  return {
    history: [],
    holds: [],
    optOuts: [],
    refusedContact: false,
    workplaceForbidden: false,
    holidays: [],
    packs: packs.map(pack),
    ...over,
  };
}

function past(at: string, outcome: PastAttempt['outcome'], over: Partial<PastAttempt> = {}): PastAttempt {
  return { at, debtId: 'A1', partyId: 'P1', contactPointId: '+12125550100', channel: 'call', outcome, ...over };
}

const H = (h: string): string => `2025-06-${h}`; // June 2025: New York is UTC-4 (EDT), Los Angeles UTC-7

describe('us-regf 7-in-7 (window-cap)', () => {
  const seven = ['02', '03', '04', '05', '06', '07', '08'].map((d) => past(H(`${d}T14:00:00Z`), d === '04' ? 'voicemail' : 'no_answer'));

  it('allows the 7th call in 7 days and blocks the 8th until the oldest leaves the window', () => {
    const six = seven.slice(0, 6);
    expect(decide(req(H('08T14:00:00Z')), ctx(['us-regf'], { history: six })).allowed).toBe(true);
    const d = decide(req(H('08T18:00:00Z')), ctx(['us-regf'], { history: seven }));
    expect(d).toMatchObject({ allowed: false, rule: 'us-regf/7-in-7', nextAllowedAt: '2025-06-09T14:00:00.000Z' });
    expect(d.reason).toMatch(/7 call attempts .* limit is 7/);
    expect(d.checked).toContain('us-regf/hours');
    expect(decide(req(H('09T14:00:00Z')), ctx(['us-regf'], { history: seven })).allowed).toBe(true);
  });

  it('does not count busy signals or numbers not in service', () => {
    const h = [...seven.slice(0, 5), past(H('07T14:00:00Z'), 'busy'), past(H('08T14:00:00Z'), 'not_in_service')];
    expect(decide(req(H('08T18:00:00Z')), ctx(['us-regf'], { history: h })).allowed).toBe(true);
  });

  it('counts per person per debt across numbers and agencies, not other debts', () => {
    const h = seven.map((a, i) => ({ ...a, contactPointId: `+1212555010${i}` }));
    expect(decide(req(H('08T18:00:00Z')), ctx(['us-regf'], { history: h })).rule).toBe('us-regf/7-in-7');
    const otherDebt = seven.map((a) => ({ ...a, debtId: 'A2' }));
    expect(decide(req(H('08T18:00:00Z')), ctx(['us-regf'], { history: otherDebt })).allowed).toBe(true);
  });

  it('neither counts nor caps calls under the consumer\'s direct prior consent', () => {
    const c = ctx(['us-regf'], { history: seven, consumerConsentUntil: H('10T00:00:00Z') });
    expect(decide(req(H('08T18:00:00Z')), c).allowed).toBe(true);
    const consented = seven.map((a) => ({ ...a, withConsent: true }));
    expect(decide(req(H('08T18:00:00Z')), ctx(['us-regf'], { history: consented })).allowed).toBe(true);
  });
});

describe('us-regf conversation cooldown', () => {
  const conv = past(H('02T15:00:00Z'), 'conversation'); // Mon 2 June 11:00 New York: day 1

  it('blocks day 1 through day 7 and allows day 8', () => {
    for (const d of ['02T20:00:00Z', '05T14:00:00Z', '08T23:00:00Z']) {
      const r = decide(req(H(d)), ctx(['us-regf'], { history: [conv] }));
      expect(r, d).toMatchObject({ allowed: false, rule: 'us-regf/conversation-cooldown' });
      // midnight of day 8 in New York is outside the hours, so the next allowed instant is 08:00
      expect(r.nextAllowedAt).toBe('2025-06-09T12:00:00.000Z');
    }
    expect(decide(req(H('09T12:00:00Z')), ctx(['us-regf'], { history: [conv] })).allowed).toBe(true);
  });

  it('counts a conversation the consumer started', () => {
    const inbound = { ...conv, consumerInitiated: true, outcome: 'promise' as const };
    expect(decide(req(H('04T14:00:00Z')), ctx(['us-regf'], { history: [inbound] })).rule).toBe('us-regf/conversation-cooldown');
  });

  it('does not stop an e-mail', () => {
    expect(decide(req(H('04T14:00:00Z'), { channel: 'email', contactPoint: { id: 'p@example.com', kind: 'email' } }), ctx(['us-regf'], { history: [conv] })).allowed).toBe(true);
  });
});

describe('allowed hours', () => {
  it('allows 20:59 and blocks 21:00 in New York', () => {
    expect(decide(req('2025-06-03T00:59:00Z'), ctx(['us-regf'])).allowed).toBe(true);
    const d = decide(req('2025-06-03T01:00:00Z'), ctx(['us-regf']));
    expect(d).toMatchObject({ allowed: false, rule: 'us-regf/hours', nextAllowedAt: '2025-06-03T12:00:00.000Z' });
    expect(decide(req('2025-06-03T11:59:00Z'), ctx(['us-regf'])).allowed).toBe(false);
    expect(decide(req('2025-06-03T12:00:00Z'), ctx(['us-regf'])).allowed).toBe(true);
  });

  it('intersects the windows of every zone: New York + Los Angeles opens at 08:00 LA = 11:00 NY', () => {
    const both = { timezones: ['America/New_York', 'America/Los_Angeles'] };
    const d = decide(req('2025-06-03T12:00:00Z', {}, both), ctx(['us-regf']));
    expect(d).toMatchObject({ allowed: false, rule: 'us-regf/hours', nextAllowedAt: '2025-06-03T15:00:00.000Z' });
    expect(decide(req('2025-06-03T14:59:00Z', {}, both), ctx(['us-regf'])).allowed).toBe(false);
    expect(decide(req('2025-06-03T15:00:00Z', {}, both), ctx(['us-regf'])).allowed).toBe(true);
    // …and closes at 21:00 New York = 18:00 Los Angeles
    expect(decide(req('2025-06-04T00:59:00Z', {}, both), ctx(['us-regf'])).allowed).toBe(true);
    expect(decide(req('2025-06-04T01:00:00Z', {}, both), ctx(['us-regf'])).nextAllowedAt).toBe('2025-06-04T15:00:00.000Z');
  });

  it('follows daylight-saving changes', () => {
    // 9 March 2025: New York springs forward at 02:00, so 08:00 is 12:00Z (13:00Z the day before)
    expect(decide(req('2025-03-08T12:30:00Z'), ctx(['us-regf'])).allowed).toBe(false);
    expect(decide(req('2025-03-08T12:30:00Z'), ctx(['us-regf'])).nextAllowedAt).toBe('2025-03-08T13:00:00.000Z');
    expect(decide(req('2025-03-09T11:30:00Z'), ctx(['us-regf'])).nextAllowedAt).toBe('2025-03-09T12:00:00.000Z');
    expect(decide(req('2025-03-09T12:00:00Z'), ctx(['us-regf'])).allowed).toBe(true);
    // 2 November 2025: falls back at 02:00, so 08:00 is 13:00Z and 21:00 is 02:00Z
    expect(decide(req('2025-11-02T12:30:00Z'), ctx(['us-regf'])).nextAllowedAt).toBe('2025-11-02T13:00:00.000Z');
    expect(decide(req('2025-11-03T01:59:00Z'), ctx(['us-regf'])).allowed).toBe(true);
    expect(decide(req('2025-11-03T02:00:00Z'), ctx(['us-regf'])).allowed).toBe(false);
  });

  it('blocks when the windows never overlap, and when no zone is known', () => {
    // 08:00–21:00 in New York (12:00–01:00Z) and Tokyo (23:00–12:00Z) overlap only 23:00–01:00Z, when it is night in London
    const far = { timezones: ['America/New_York', 'Asia/Tokyo', 'Europe/London'] };
    const d = decide(req('2025-06-03T20:00:00Z', {}, far), ctx(['us-regf']));
    expect(d).toMatchObject({ allowed: false, rule: 'us-regf/hours', nextAllowedAt: null });
    expect(d.reason).toMatch(/never falls at the same time/);
    expect(decide(req('2025-06-03T15:00:00Z', {}, { timezones: [] }), ctx(['us-regf'])).nextAllowedAt).toBeNull();
  });

  it('cn forbids 22:00–08:00 Beijing time', () => {
    const cn = { timezones: ['Asia/Shanghai'] };
    expect(decide(req('2025-06-03T13:59:00Z', {}, cn), ctx(['cn'])).allowed).toBe(true);
    expect(decide(req('2025-06-03T14:00:00Z', {}, cn), ctx(['cn'])).nextAllowedAt).toBe('2025-06-04T00:00:00.000Z');
  });
});

describe('us-ma overlay', () => {
  it('allows 2 calls in 7 days, unanswered included, and blocks the 3rd', () => {
    const h = [past(H('02T14:00:00Z'), 'no_answer'), past(H('04T14:00:00Z'), 'no_answer')];
    const d = decide(req(H('06T14:00:00Z')), ctx(['us-regf', 'us-ma'], { history: h }));
    expect(d).toMatchObject({ allowed: false, rule: 'us-ma/2-in-7', nextAllowedAt: '2025-06-09T14:00:00.000Z' });
    expect(decide(req(H('06T14:00:00Z')), ctx(['us-regf', 'us-ma'], { history: h.slice(1) })).allowed).toBe(true);
    expect(decide(req(H('06T14:00:00Z')), ctx(['us-regf'], { history: h })).allowed).toBe(true);
  });
});

describe('cn counters', () => {
  const cnParty = { timezones: ['Asia/Shanghai'] };
  const at = '2025-06-03T06:00:00Z'; // 14:00 Beijing

  it('at most 3 connected calls per debtor per day, across numbers, lender and agencies', () => {
    const h = ['01', '02', '03'].map((m, i) => past(`2025-06-03T0${i + 1}:00:00Z`, 'conversation', { contactPointId: `+86138000000${m}` }));
    expect(decide(req(at, {}, cnParty), ctx(['cn'], { history: h.slice(0, 2) })).allowed).toBe(true);
    const d = decide(req(at, {}, cnParty), ctx(['cn'], { history: h }));
    // the next Beijing day starts at 16:00Z but contact opens at 08:00 = 00:00Z
    expect(d).toMatchObject({ allowed: false, rule: 'cn/connected-per-day', nextAllowedAt: '2025-06-04T00:00:00.000Z' });
    // yesterday's (Beijing) calls do not count
    const yesterday = h.map((a) => ({ ...a, at: a.at.replace('06-03T0', '06-02T1') })); // 18:00–20:00 Beijing on 2 June
    expect(decide(req(at, {}, cnParty), ctx(['cn'], { history: yesterday })).allowed).toBe(true);
  });

  it('at most 6 dials per number per day; another number is still open', () => {
    const h = [1, 2, 3, 4, 5, 6].map((i) => past(`2025-06-03T0${i - 1}:30:00Z`, i === 3 ? 'busy' : 'no_answer'));
    expect(decide(req(at, {}, cnParty), ctx(['cn'], { history: h.slice(0, 5) })).allowed).toBe(true);
    expect(decide(req(at, {}, cnParty), ctx(['cn'], { history: h }))).toMatchObject({ allowed: false, rule: 'cn/dials-per-number' });
    const other = req(at, { contactPoint: { id: '+8613900000000', kind: 'phone' } }, cnParty);
    expect(decide(other, ctx(['cn'], { history: h })).allowed).toBe(true);
  });

  it('contact persons: only when the debtor is unreachable, only to pass a message, never after refusal', () => {
    const ref = { id: 'R1', kind: 'reference' as const, timezones: ['Asia/Shanghai'] };
    const msg = req(at, { purpose: 'message' }, ref);
    expect(decide(msg, ctx(['cn'])).rule).toBe('cn/contact-persons');
    expect(decide(msg, ctx(['cn'], { debtorUnreachable: true })).allowed).toBe(true);
    expect(decide(req(at, { purpose: 'collect' }, ref), ctx(['cn'], { debtorUnreachable: true })).rule).toBe('cn/contact-persons');
    const refused = decide(msg, ctx(['cn'], { debtorUnreachable: true, refusedContact: true }));
    expect(refused).toMatchObject({ allowed: false, rule: 'cn/contact-persons', nextAllowedAt: null });
    expect(refused.reason).toMatch(/refused/);
  });

  it('field visits need two collectors and a recording', () => {
    const visit = (collectors: number, recording: boolean) =>
      decide(req(at, { channel: 'visit', contactPoint: { id: 'home', kind: 'address' }, visit: { collectors, recording } }, cnParty), ctx(['cn']));
    expect(visit(1, true).rule).toBe('cn/field-visit');
    expect(visit(2, false).rule).toBe('cn/field-visit');
    expect(visit(2, true).allowed).toBe(true);
  });
});

describe('third parties (us-regf)', () => {
  const ref = { id: 'R1', kind: 'reference' as const };
  it('location only, once per person', () => {
    expect(decide(req(H('03T14:00:00Z'), { purpose: 'collect' }, ref), ctx(['us-regf'])).rule).toBe('us-regf/third-parties');
    expect(decide(req(H('03T14:00:00Z'), { purpose: 'location' }, ref), ctx(['us-regf'])).allowed).toBe(true);
    const once = [past(H('01T14:00:00Z'), 'conversation', { partyId: 'R1', purpose: 'location' })];
    const later = H('12T14:00:00Z');
    expect(decide(req(later, { purpose: 'location' }, ref), ctx(['us-regf'], { history: once })).rule).toBe('us-regf/third-parties');
    // an unanswered call conveyed nothing; a person who asked to be called again may be
    expect(decide(req(later, { purpose: 'location' }, ref), ctx(['us-regf'], { history: [{ ...once[0]!, outcome: 'no_answer' }] })).allowed).toBe(true);
    expect(decide(req(later, { purpose: 'location' }, { ...ref, flags: { invitedContact: true } }), ctx(['us-regf'], { history: once })).allowed).toBe(true);
  });
});

describe('holds', () => {
  const at = H('10T14:00:00Z');
  it('cease: only the confirmation', () => {
    const c = ctx(['us-regf'], { holds: [{ kind: 'cease', from: H('01T00:00:00Z'), until: null }] });
    expect(decide(req(at), c)).toMatchObject({ allowed: false, rule: 'us-regf/cease', nextAllowedAt: null });
    expect(decide(req(at, { channel: 'letter', purpose: 'cease_confirmation', contactPoint: { id: 'home', kind: 'address' } }), c).allowed).toBe(true);
    // before the hold started
    expect(decide(req('2025-05-30T14:00:00Z'), c).allowed).toBe(true);
  });

  it('dispute: collection stops until verification, the validation notice still goes', () => {
    const c = ctx(['us-regf'], { holds: [{ kind: 'dispute', from: H('05T00:00:00Z'), until: null }] });
    expect(decide(req(at), c).rule).toBe('us-regf/dispute');
    expect(decide(req(at, { purpose: 'validation_notice', channel: 'letter', contactPoint: { id: 'home', kind: 'address' } }), c).allowed).toBe(true);
    const lifted = ctx(['us-regf'], { holds: [{ kind: 'dispute', from: H('05T00:00:00Z'), until: H('09T00:00:00Z') }] });
    expect(decide(req(at), lifted).allowed).toBe(true);
  });

  it('attorney: the attorney only', () => {
    const c = ctx(['us-regf'], { holds: [{ kind: 'attorney', from: H('05T00:00:00Z'), until: null }] });
    expect(decide(req(at), c).rule).toBe('us-regf/attorney');
    expect(decide(req(at, {}, { id: 'L1', kind: 'reference', flags: { attorney: true } }), c).allowed).toBe(true);
  });

  it('a hold on one party does not bind another', () => {
    const c = ctx(['us-regf'], { holds: [{ kind: 'cease', from: H('05T00:00:00Z'), partyId: 'P2' }] });
    expect(decide(req(at), c).allowed).toBe(true);
  });

  it('Breathing Space: 60 days; mental-health crisis: treatment + 30 days', () => {
    const uk = { timezones: ['Europe/London'] };
    const at2 = '2025-06-10T10:00:00Z';
    const std = ctx(['uk-conc'], { holds: [{ kind: 'breathing_space', from: '2025-06-01T00:00:00Z', variant: 'standard' }] });
    expect(decide(req(at2, {}, uk), std)).toMatchObject({ allowed: false, rule: 'uk-conc/breathing-space', nextAllowedAt: '2025-07-31T07:00:00.000Z' });
    // 31 July 00:00Z is 01:00 BST: the hours push the next allowed instant to 08:00 BST
    const crisis = (treatmentEndedAt: string | null) =>
      ctx(['uk-conc'], { holds: [{ kind: 'breathing_space', from: '2025-06-01T00:00:00Z', variant: 'mental_health_crisis', treatmentEndedAt }] });
    expect(decide(req(at2, {}, uk), crisis(null)).nextAllowedAt).toBeNull();
    expect(decide(req(at2, {}, uk), crisis('2025-06-05T00:00:00Z')).nextAllowedAt).toBe('2025-07-05T07:00:00.000Z');
    expect(decide(req('2025-08-04T10:00:00Z', {}, uk), std).allowed).toBe(true);
  });
});

describe('opt-outs, workplace, visits, days', () => {
  const at = H('03T14:00:00Z');
  const email = (id: string) => req(at, { channel: 'email', contactPoint: { id, kind: 'email' } });
  it('an e-mail/SMS opt-out binds that address or number only', () => {
    const c = ctx(['us-regf'], { optOuts: [{ channel: 'email', contactPoint: 'Pat@Example.com' }, { channel: 'sms', contactPoint: '+12125550100' }] });
    expect(decide(email('pat@example.com'), c)).toMatchObject({ allowed: false, rule: 'us-regf/email-sms-opt-out', nextAllowedAt: null });
    expect(decide(email('pat@work.example.com'), c).allowed).toBe(true);
    expect(decide(req(at, { channel: 'sms' }), c).rule).toBe('us-regf/email-sms-opt-out');
    expect(decide(req(at), c).allowed).toBe(true); // a call to the same number
  });

  it('no calls at a workplace the employer forbids', () => {
    const work = req(at, { contactPoint: { id: '+12125550199', kind: 'phone', workplace: true } });
    expect(decide(work, ctx(['us-regf'], { workplaceForbidden: true })).rule).toBe('us-regf/workplace');
    expect(decide(work, ctx(['us-regf'])).allowed).toBe(true);
  });

  it('uk: no home visit to a vulnerable customer or without notice', () => {
    const uk = { timezones: ['Europe/London'] };
    const visit = (flags: { vulnerable?: boolean }, noticeGiven: boolean) =>
      decide(req('2025-06-03T10:00:00Z', { channel: 'visit', contactPoint: { id: 'home', kind: 'address' }, visit: { collectors: 1, recording: false, noticeGiven } }, { ...uk, flags }), ctx(['uk-conc']));
    expect(visit({ vulnerable: true }, true).rule).toBe('uk-conc/home-visit');
    expect(visit({}, false).rule).toBe('uk-conc/home-visit');
    expect(visit({}, true).allowed).toBe(true);
  });

  it('uk policy: no calls on Sundays or bank holidays', () => {
    const uk = { timezones: ['Europe/London'] };
    const sunday = decide(req('2025-06-08T10:00:00Z', {}, uk), ctx(['uk-conc']));
    expect(sunday).toMatchObject({ allowed: false, rule: 'uk-conc/policy-sundays-holidays', nextAllowedAt: '2025-06-09T07:00:00.000Z' });
    const hol = ctx(['uk-conc'], { holidays: ['2025-08-25'] });
    expect(decide(req('2025-08-25T10:00:00Z', {}, uk), hol).rule).toBe('uk-conc/policy-sundays-holidays');
    expect(decide(req('2025-08-26T10:00:00Z', {}, uk), hol).allowed).toBe(true);
  });
});

describe('combining packs: the strictest answer wins', () => {
  it('reports the block that frees the attempt last; never is latest', () => {
    const night = H('03T02:00:00Z'); // 22:00 New York
    const c = ctx(['us-regf'], { holds: [{ kind: 'cease', from: H('01T00:00:00Z'), until: null }] });
    expect(decide(req(night), c)).toMatchObject({ rule: 'us-regf/cease', nextAllowedAt: null });
    const conv = [past(H('02T15:00:00Z'), 'conversation')];
    const d = decide(req(night), ctx(['us-regf'], { history: conv }));
    expect(d).toMatchObject({ rule: 'us-regf/conversation-cooldown', nextAllowedAt: '2025-06-09T12:00:00.000Z' });
  });

  it('lists every rule of every pack in force, and allows with a null nextAllowedAt', () => {
    const d = decide(req(H('03T14:00:00Z')), ctx(['us-regf', 'us-ma']));
    expect(d).toMatchObject({ allowed: true, rule: null, nextAllowedAt: null });
    expect(d.checked).toEqual([...pack('us-regf').rules, ...pack('us-ma').rules].map((r) => r.id));
  });

  it('rejects a malformed request', () => {
    expect(() => decide(req('tomorrow'), ctx(['us-regf']))).toThrow(/ISO instant/);
    expect(() => decide(req(H('03T14:00:00Z'), {}, { timezones: ['Mars/Olympus'] }), ctx(['us-regf']))).toThrow(/time zone/);
  });
});

describe('rule-pack files', () => {
  it('ship with a source and a reason for every rule', () => {
    for (const name of ['us-regf', 'us-ma', 'cn', 'uk-conc']) {
      const p = pack(name);
      expect(p.id).toBe(name);
      for (const r of p.rules) {
        expect(r.source.length, r.id).toBeGreaterThan(5);
        expect(r.reason.length, r.id).toBeGreaterThan(10);
      }
    }
  });

  it('reports problems at file:line:col', () => {
    const text = [
      'pack: custom',
      'title: Custom',
      'rules:',
      '  - id: cap',
      '    kind: window-cap',
      '    source: policy',
      '    reason: too many {calls}',
      '    params:',
      '      max: -1',
      '      days: 7',
      '      scope: everyone',
      '      outcomes: [no_answer]',
      '      colour: red',
      '  - id: x',
      '    kind: curfew',
      '    source: s',
      '    reason: r',
      '    extra: 1',
    ].join('\n');
    const r = parseRulePack(text, 'custom.yaml');
    const lines = r.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.field}: ${i.rule}`);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^custom\.yaml:7:13: rules\[0\]\.reason: unknown placeholder \{calls\}/),
      expect.stringMatching(/^custom\.yaml:9:12: rules\[0\]\.params\.max: must be a whole number from 0/),
      expect.stringMatching(/^custom\.yaml:11:14: rules\[0\]\.params\.scope: must be one of party, debt/),
      expect.stringMatching(/^custom\.yaml:13:7: rules\[0\]\.params\.colour: is not a known parameter/),
      expect.stringMatching(/^custom\.yaml:15:11: rules\[1\]\.kind: is required: one of window-cap/),
      expect.stringMatching(/^custom\.yaml:18:5: rules\[1\]\.extra: is not a known field/),
    ]));
    expect(() => loadRulePack(text, 'custom.yaml')).toThrow(RulePackError);
  });

  it('reads a custom pack that only adds restrictions', () => {
    const p = loadRulePack([
      'pack: acme-policy',
      'title: ACME — stricter than the law',
      'rules:',
      '  - id: 3-per-day',
      '    kind: window-cap',
      '    source: ACME contact policy 2025 §2',
      '    reason: ACME allows {max} calls a day',
      '    params: { max: 3, days: 1, window: calendar, scope: party, channels: [call], outcomes: [no_answer, voicemail, conversation] }',
    ].join('\n'), 'acme.yaml');
    const h = [1, 2, 3].map((i) => past(`2025-06-03T1${i}:00:00Z`, 'no_answer'));
    const d = decide(req('2025-06-03T18:00:00Z'), { ...ctx(['us-regf'], { history: h }), packs: [pack('us-regf'), p] });
    expect(d).toMatchObject({ allowed: false, rule: 'acme-policy/3-per-day', nextAllowedAt: '2025-06-04T12:00:00.000Z' });
  });
});
