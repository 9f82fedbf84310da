/**
 * Timeline syntax for the compliance gate: `jurisdiction`, `parties`, gate fields of attempts
 * (time with offset, person, to, purpose, workplace, visit team, expect), `times` of `attempts`,
 * and `flag` events — each with the errors a newcomer gets for a mistake.
 */
import { describe, expect, it } from 'vitest';
import { parseTimeline, spreadTimes, TimelineError, type AttemptEvent, type FlagEvent, type Timeline } from '../../src/timeline/index.js';

const HEAD = `start: 2026-03-01
until: 2026-03-31
jurisdiction: [us-regf]
products:
  p: { method: annuity, annualRate: 0.12, termMonths: 12 }
accounts:
  - id: L-1
    product: p
    principal: 100000
    currency: USD
    disbursed: 2026-01-01
    borrower: { id: B-1, name: Ann Lee, timezone: America/New_York, phones: ["+12125550100"] }
    parties:
      - { id: R-1, kind: reference, timezone: America/Chicago, phones: ["+13125550111"] }
      - { id: ATT, kind: reference, attorney: true }
      - { id: B-1, kind: borrower, vulnerable: true }
`;
const FILE = 'tl/gate.yaml';

function withEvents(...lines: string[]): string {
  return `${HEAD}events:\n${lines.map((l) => `${l}\n`).join('')}`;
}

function issues(text: string): string[] {
  try {
    parseTimeline(text, FILE);
  } catch (e) {
    if (e instanceof TimelineError) return e.issues.map((i) => `${i.field}: ${i.rule}`);
    throw e;
  }
  throw new Error('expected parseTimeline to throw');
}

const attempts = (t: Timeline): AttemptEvent[] => t.events.filter((e): e is AttemptEvent => e.kind === 'attempt');
const flags = (t: Timeline): FlagEvent[] => t.events.filter((e): e is FlagEvent => e.kind === 'flag');

describe('timeline parties', () => {
  it('reads references with their own zone and flags, and flags for the borrower', () => {
    const t = parseTimeline(withEvents(), FILE);
    expect(t.jurisdiction).toEqual(['us-regf']);
    expect(t.accounts[0]?.parties).toEqual([
      { id: 'R-1', kind: 'reference', timezone: 'America/Chicago', phones: ['+13125550111'], emails: [], vulnerable: false, attorney: false },
      { id: 'ATT', kind: 'reference', timezone: null, phones: [], emails: [], vulnerable: false, attorney: true },
      { id: 'B-1', kind: 'borrower', timezone: null, phones: [], emails: [], vulnerable: true, attorney: false },
    ]);
  });

  it('names every bad party field', () => {
    const text = HEAD.replace(
      '      - { id: ATT, kind: reference, attorney: true }',
      '      - { id: R-1, kind: friend, timezone: Mars/Olympus, phones: ["555"], attorney: "yes", colour: red }\n      - { id: B-1, kind: reference }',
    );
    expect(issues(text)).toEqual(expect.arrayContaining([
      'accounts[0].parties[1].id: duplicates parties[0].id "R-1"',
      expect.stringMatching(/^accounts\[0\]\.parties\[1\]\.kind: is required: one of borrower, co_borrower, guarantor, reference, employer, got "friend"/),
      'accounts[0].parties[1].timezone: must be an IANA time zone such as Europe/London, got "Mars/Olympus"',
      'accounts[0].parties[1].phones[0]: must be an E.164 number such as +12125550100, got "555"',
      'accounts[0].parties[1].attorney: must be true or false, got "yes"',
      expect.stringMatching(/^accounts\[0\]\.parties\[1\]\.colour: is not a known field/),
      'accounts[0].parties[2].kind: must be borrower for the borrower\'s own id "B-1", got reference',
    ]));
  });
});

describe('attempts for the gate', () => {
  it('reads time with and without an offset, person, to, purpose, workplace, expect', () => {
    const t = parseTimeline(withEvents(
      '  - { date: 2026-03-02, time: "20:59-05:00", account: L-1, expect: allowed, attempt: { party: borrower, channel: call, outcome: no_answer } }',
      '  - { date: 2026-03-02, time: "01:59Z", account: L-1, expect: us-regf/hours, attempt: { party: borrower, channel: call, outcome: busy } }',
      '  - { date: 2026-03-03, account: L-1, expect: blocked, attempt: { party: reference, person: R-1, to: "+13125550111", purpose: location, workplace: true, personal: false, liveAgent: true, channel: call, outcome: conversation } }',
    ), FILE);
    const [a, b, c] = attempts(t);
    expect(a?.gate).toEqual({ time: '20:59', offset: '-05:00', person: null, to: null, purpose: null, workplace: false, personal: null, liveAgent: false, template: null, agent: null, agency: null, visit: null, expect: 'allowed' });
    expect(b?.gate.offset).toBe('Z');
    expect(b?.gate.expect).toBe('us-regf/hours');
    expect(c?.gate).toEqual({ time: '10:00', offset: null, person: 'R-1', to: '+13125550111', purpose: 'location', workplace: true, personal: false, liveAgent: true, template: null, agent: null, agency: null, visit: null, expect: 'blocked' });
  });

  it('reads a visit team, with defaults for what is not given', () => {
    const t = parseTimeline(withEvents(
      '  - { date: 2026-03-02, account: L-1, attempt: { party: borrower, channel: visit, outcome: no_answer, collectors: 1, recording: false } }',
    ), FILE);
    expect(attempts(t)[0]?.gate.visit).toEqual({ collectors: 1, recording: false, noticeGiven: true });
  });

  it('names bad gate fields', () => {
    expect(issues(withEvents(
      '  - { date: 2026-03-02, time: "20:59+25:00", account: L-1, expect: maybe, attempt: { party: borrower, channel: call, outcome: busy, purpose: chat, workplace: 1, collectors: 2 } }',
      '  - { date: 2026-03-03, account: L-1, attempt: { party: borrower, channel: visit, outcome: busy, collectors: 0 } }',
    ))).toEqual(expect.arrayContaining([
      expect.stringMatching(/^events\[0\]\.time: must be a local time "HH:MM" \(00:00 to 23:59\), optionally with a UTC offset/),
      'events[0].expect: must be allowed, blocked, or the id of the rule that blocks (e.g. us-regf/7-in-7), got "maybe"',
      expect.stringMatching(/^events\[0\]\.attempt\.purpose: must be one of collect, location, /),
      'events[0].attempt.workplace: must be true or false, got 1',
      'events[0].attempt.collectors: is only allowed with channel visit (channel is call)',
      'events[1].attempt.collectors: must be a whole number from 1 to 20, got 0',
    ]));
  });

  it('attempts: times set the day\'s local times; without them perDay is spread from 09:00 over twelve hours', () => {
    const t = parseTimeline(withEvents(
      '  - { date: 2026-03-02, account: L-1, attempts: { party: borrower, channel: call, outcome: no_answer, times: ["08:00", "20:59"], until: 2026-03-03, expect: allowed } }',
    ), FILE);
    expect(attempts(t).map((e) => `${e.date} ${e.gate.time} ${e.gate.expect ?? ''}`)).toEqual([
      '2026-03-02 08:00 allowed', '2026-03-02 20:59 allowed', '2026-03-03 08:00 allowed', '2026-03-03 20:59 allowed',
    ]);
    expect(spreadTimes(1)).toEqual(['09:00']);
    expect(spreadTimes(4)).toEqual(['09:00', '12:00', '15:00', '18:00']);
    expect(spreadTimes(100).at(-1)! < '21:00').toBe(true);
    expect(issues(withEvents(
      '  - { date: 2026-03-02, account: L-1, attempts: { party: borrower, channel: call, outcome: no_answer, perDay: 3, times: ["08:00"], until: 2026-03-03 } }',
    ))).toEqual(['events[0].attempts.perDay: must equal the number of times (1) when both are given, got 3']);
    expect(issues(withEvents(
      '  - { date: 2026-03-02, account: L-1, attempts: { party: borrower, channel: call, outcome: no_answer, times: ["8am"], until: 2026-03-03 } }',
    ))).toEqual(['events[0].attempts.times[0]: must be a local time "HH:MM" from 00:00 to 23:59, got "8am"']);
  });

  it('expect and flags need a jurisdiction', () => {
    const text = withEvents(
      '  - { date: 2026-03-02, account: L-1, expect: allowed, attempt: { party: borrower, channel: call, outcome: busy } }',
      '  - { date: 2026-03-02, account: L-1, flag: cease }',
    ).replace('jurisdiction: [us-regf]\n', '');
    expect(issues(text)).toEqual([
      'events[0]: expect needs a jurisdiction: without rule packs no attempt goes through the gate',
      'events[1].flag: needs a jurisdiction: compliance acts only matter to the gate',
    ]);
  });
});

describe('flag events', () => {
  it('reads acts with their source, time, person, opt-out details and Breathing Space variant', () => {
    const t = parseTimeline(withEvents(
      '  - { date: 2026-03-05, time: "10:30", account: L-1, flag: cease, source: letter }',
      '  - { date: 2026-03-06, account: L-1, flag: opt_out, channel: sms, to: "+12125550100" }',
      '  - { date: 2026-03-07, account: L-1, flag: refused_contact, person: R-1, note: asked us to stop }',
      '  - { date: 2026-03-08, account: L-1, flag: breathing_space, variant: mental_health_crisis, treatmentEnded: 2026-03-20 }',
    ), FILE);
    const [cease, opt, refused, bs] = flags(t);
    expect(cease).toMatchObject({ act: 'cease', time: '10:30', offset: null, source: 'letter', person: null, channel: null, to: null });
    expect(opt).toMatchObject({ act: 'opt_out', time: null, source: 'timeline', channel: 'sms', to: '+12125550100' });
    expect(refused).toMatchObject({ act: 'refused_contact', person: 'R-1', note: 'asked us to stop' });
    expect(bs).toMatchObject({ act: 'breathing_space', variant: 'mental_health_crisis', treatmentEnded: '2026-03-20' });
  });

  it('names bad flags', () => {
    expect(issues(withEvents(
      '  - { date: 2026-03-05, account: L-1, flag: ceased }',
      '  - { date: 2026-03-05, account: L-1, flag: opt_out, channel: pigeon }',
      '  - { date: 2026-03-05, account: L-1, flag: cease, channel: sms, source: fax }',
      '  - { date: 2026-03-05, account: L-1, flag: dispute, variant: standard }',
    ))).toEqual(expect.arrayContaining([
      expect.stringMatching(/^events\[0\]\.flag: must be one of cease, cease_withdrawn, dispute, /),
      expect.stringMatching(/^events\[1\]\.channel: must be one of call, sms, email, letter, visit, got "pigeon"/),
      'events[1].to: is required with flag opt_out (the number or address)',
      'events[2].channel: is only allowed with flag opt_out or opt_in (flag is cease)',
      expect.stringMatching(/^events\[2\]\.source: must be one of letter, call, email, sms, portal, court, agent, import, timeline, got "fax"/),
      'events[3].variant: is only allowed with flag breathing_space (flag is dispute)',
    ]));
  });
});

describe('consumer designations', () => {
  it('reads inconvenient times and media, consented contact points and the time-bar date', () => {
    const t = parseTimeline(HEAD.replace('    parties:\n', `    consumer:
      inconvenientTimes: [{ from: "09:00", to: "17:00", channels: [call], weekdays: [1, 2, 3, 4, 5] }, { from: "22:00", to: "24:00" }]
      inconvenientMedia: [{ channel: email }, { contactPoint: "+12125550100" }]
      consentedContactPoints: [ann@work.example]
      timeBarredSince: 2026-03-15
    parties:
`), FILE);
    expect(t.accounts[0]?.consumer).toEqual({
      inconvenientTimes: [{ from: '09:00', to: '17:00', channels: ['call'], weekdays: [1, 2, 3, 4, 5] }, { from: '22:00', to: '24:00' }],
      inconvenientMedia: [{ channel: 'email' }, { contactPoint: '+12125550100' }],
      consentedContactPoints: ['ann@work.example'],
      timeBarredSince: '2026-03-15',
    });
  });

  it('names bad designations', () => {
    expect(issues(HEAD.replace('    parties:\n', `    consumer:
      inconvenientTimes: [{ from: "9am", to: "17:00", weekdays: [0] }]
      inconvenientMedia: [{}, { channel: fax }]
      timeBarredSince: soon
      mood: grumpy
    parties:
`))).toEqual(expect.arrayContaining([
      'accounts[0].consumer.inconvenientTimes[0].from: must be a local time "HH:MM" (00:00 to 24:00), got "9am"',
      'accounts[0].consumer.inconvenientTimes[0].weekdays: must be a non-empty list of ISO weekdays 1 (Monday) to 7 (Sunday), got [0]',
      'accounts[0].consumer.inconvenientMedia[0]: must be a mapping with channel, contactPoint or both',
      'accounts[0].consumer.inconvenientMedia[1].channel: must be one of call, sms, email, letter, visit, got "fax"',
      expect.stringMatching(/^accounts\[0\]\.consumer\.timeBarredSince: /),
      expect.stringMatching(/^accounts\[0\]\.consumer\.mood: is not a known field/),
    ]));
  });
});

describe('message templates in timelines', () => {
  it('reads templates and lets attempts name them; an unknown name or a bad template is an error', () => {
    const tpl = 'templates:\n  cb: { audience: third_party, language: en, body: "Please call us back." }\n';
    const t = parseTimeline(withEvents(
      '  - { date: 2026-03-02, account: L-1, attempt: { party: reference, person: R-1, channel: sms, outcome: sent, template: cb } }',
    ).replace('products:\n', `${tpl}products:\n`), FILE);
    expect(t.templates).toEqual({ cb: { id: 'cb', audience: 'third_party', language: 'en', body: 'Please call us back.' } });
    expect(attempts(t)[0]?.gate.template).toBe('cb');
    expect(issues(withEvents(
      '  - { date: 2026-03-02, account: L-1, attempt: { party: reference, person: R-1, channel: sms, outcome: sent, template: nope } }',
    ).replace('products:\n', 'templates:\n  cb: { audience: everyone, language: en, body: "Hi" }\n  x: { audience: borrower, language: fr, body: "Salut", tone: warm }\nproducts:\n'))).toEqual(expect.arrayContaining([
      'templates.cb.audience: must be one of borrower, third_party, got "everyone"',
      'templates.x.language: must be one of en, zh-CN, got "fr"',
      expect.stringMatching(/^templates\.x\.tone: is not a known field/),
      'events[0]: attempt names template "nope", which is not in templates (known: none)',
    ]));
  });
});

describe('references and employer shorthand', () => {
  it('names the mistakes', () => {
    expect(issues(HEAD.replace('    parties:\n', `    references: [{ id: reference, name: X }, { id: r2, relation: cousin, phones: ["12"] }]
    employer: { phones: [], forbidsCalls: "yes" }
    parties:
`))).toEqual(expect.arrayContaining([
      'accounts[0].references[0].id: is required: letters, digits, _ . - (not a party kind), got "reference"',
      'accounts[0].references[1].name: is required (a non-empty string)',
      expect.stringMatching(/^accounts\[0\]\.references\[1\]\.relation: must be one of spouse, parent/),
      'accounts[0].references[1].phones[0]: must be an E.164 number such as +12125550100, got "12"',
      'accounts[0].employer.name: is required (a non-empty string)',
      'accounts[0].employer.forbidsCalls: must be true or false',
    ]));
  });

  it('an attempt may name a reference by id; an unknown name is an error', () => {
    const head = HEAD.replace('    parties:\n', '    references: [{ id: sis, name: Bo, phones: ["+13125550111"] }]\n    parties:\n');
    const t = parseTimeline(`${head}events:\n  - { date: 2026-03-02, account: L-1, attempt: { party: sis, channel: call, outcome: busy, purpose: location } }\n`, FILE);
    expect(attempts(t)[0]?.attempt.party).toBe('reference');
    expect(attempts(t)[0]?.gate.person).toBe('sis');
    expect(issues(`${head}events:\n  - { date: 2026-03-02, account: L-1, attempt: { party: bro, channel: call, outcome: busy } }\n`))
      .toEqual(['events[0].attempt.party: must be one of borrower, co_borrower, guarantor, reference, employer or a reference of the account (R-1, ATT, sis), got "bro"']);
  });
});
