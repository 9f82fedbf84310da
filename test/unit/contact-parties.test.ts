import { describe, expect, it } from 'vitest';
import { activePhones, isReferenceOnFile, parseParty, retireNumber } from '../../src/contact/index.js';
import { catchValidation } from '../support/errors.js';

const ref = { id: 'R-1', accountId: 'L-1', kind: 'reference', relation: 'sibling', name: 'Bo Lee', phones: ['+12125550111', { number: '+12125550112', type: 'work', consent: true }] };

describe('parties', () => {
  it('reads a reference with typed numbers (a bare number is a mobile without consent)', () => {
    const p = parseParty(ref);
    expect(p).toMatchObject({ id: 'R-1', kind: 'reference', relation: 'sibling', timezone: null, forbidsCalls: false });
    expect(p.phones).toEqual([
      { number: '+12125550111', type: 'mobile', consent: false, retiredAt: null },
      { number: '+12125550112', type: 'work', consent: true, retiredAt: null },
    ]);
    expect(isReferenceOnFile(p)).toBe(true);
    expect(isReferenceOnFile(parseParty({ ...ref, phones: [] }))).toBe(false);
    expect(isReferenceOnFile(parseParty({ ...ref, id: 'E', kind: 'employer', relation: undefined }))).toBe(false);
  });

  it('names the field and the rule of every mistake', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ ...ref, kind: 'borrower' }, 'party.kind', /must be one of co_borrower, guarantor, reference, employer/],
      [{ ...ref, relation: 'cousin' }, 'party.relation', /must be one of spouse, parent/],
      [{ ...ref, kind: 'employer' }, 'party.relation', /only for references \(kind is employer\)/],
      [{ ...ref, phones: ['555-0100'] }, 'party.phones[0].number', /E\.164/],
      [{ ...ref, phones: ['+12125550111', '+12125550111'] }, 'party.phones[1].number', /repeats \+12125550111/],
      [{ ...ref, phones: [{ number: '+12125550111', type: 'fax' }] }, 'party.phones[0].type', /mobile, home, work/],
      [{ ...ref, forbidsCalls: true }, 'party.forbidsCalls', /only for the employer/],
      [{ ...ref, timezone: 'Mars/Base' }, 'party.timezone', /IANA/],
      [{ ...ref, languages: ['English'] }, 'party.languages[0]', /language tag/],
      [{ ...ref, name: '' }, 'party.name', /required/],
      [{ ...ref, colour: 'red' }, 'party.colour', /not a known field/],
    ];
    for (const [raw, field, rule] of cases) {
      const e = catchValidation(() => parseParty(raw));
      expect(e.field).toBe(field);
      expect(e.rule).toMatch(rule);
    }
  });

  it('a wrong number is retired for that party only once; the others stay in use', () => {
    const p = parseParty(ref);
    const r = retireNumber(p, '+12125550111', '2026-03-02T15:00:00.000Z');
    expect(activePhones(r)).toEqual(['+12125550112']);
    expect(r.phones[0]?.retiredAt).toBe('2026-03-02T15:00:00.000Z');
    expect(retireNumber(r, '+12125550111', '2026-03-09T15:00:00.000Z')).toBe(r);
    expect(retireNumber(p, '+19995550000', '2026-03-02T15:00:00.000Z')).toBe(p);
    expect(isReferenceOnFile(retireNumber(r, '+12125550112', '2026-03-03T15:00:00.000Z'))).toBe(false);
    // the retirement survives a round trip through parseParty (the store keeps it as data)
    expect(parseParty({ ...r, phones: r.phones })).toEqual(r);
  });
});
