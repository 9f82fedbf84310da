/**
 * Complaints, pure: the lifecycle and its guards, deadlines per jurisdiction (the shipped packs'
 * `complaints:` key, default 15 days), overdue, and the rate per 1,000 attempts with half-up rounding.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRulePack, parseRulePack } from '../../src/compliance/index.js';
import {
  changeStatus, complaintDeadline, complaintRate, isOverdue, responseDays, DEFAULT_RESPONSE_DAYS, type ComplaintState,
} from '../../src/complaints/index.js';
import { catchValidation } from '../support/errors.js';

const pack = (n: string) => loadRulePack(readFileSync(`rule-packs/${n}.yaml`, 'utf8'), `rule-packs/${n}.yaml`);
const open: ComplaintState = { status: 'open', dueOn: '2026-03-17', rootCause: null, resolution: null };

describe('complaint lifecycle', () => {
  it('moves open → investigating → responded → closed, closing with root cause and resolution', () => {
    const inv = changeStatus(open, { status: 'investigating' });
    const resp = changeStatus(inv, { status: 'responded', rootCause: 'dialer ignored the hold' });
    const closed = changeStatus(resp, { status: 'closed', resolution: 'apology; fees refunded' });
    expect(closed).toEqual({ status: 'closed', dueOn: '2026-03-17', rootCause: 'dialer ignored the hold', resolution: 'apology; fees refunded' });
    // a complaint answered at once skips investigating
    expect(changeStatus(open, { status: 'responded' }).status).toBe('responded');
  });

  it.each([
    [open, { status: 'closed' as const, rootCause: 'x', resolution: 'y' }, 'status', 'cannot move from open to closed'],
    [{ ...open, status: 'responded' as const }, { status: 'investigating' as const }, 'status', 'cannot move from responded to investigating'],
    [{ ...open, status: 'responded' as const }, { status: 'closed' as const, resolution: 'y' }, 'rootCause', 'is required to close'],
    [{ ...open, status: 'responded' as const }, { status: 'closed' as const, rootCause: 'x', resolution: '  ' }, 'resolution', 'is required to close'],
    [{ ...open, status: 'closed' as const, rootCause: 'x', resolution: 'y' }, { status: 'closed' as const, rootCause: 'z' }, 'status', 'the complaint is closed'],
    [open, { status: 'open' as const }, 'status', 'is already open'],
    [open, { status: 'reopened' as never }, 'status', 'must be one of open'],
  ])('refuses %j → %j', (from, change, field, rule) => {
    const e = catchValidation(() => changeStatus(from, change));
    expect(e.field).toBe(field);
    expect(e.rule).toContain(rule);
  });

  it('keeps a root cause given before closing', () => {
    const withCause = changeStatus(open, { status: 'open', rootCause: 'agent called at 22:10' });
    expect(withCause).toMatchObject({ status: 'open', rootCause: 'agent called at 22:10' });
  });
});

describe('deadlines', () => {
  it('uses the shortest response time of the packs in force, 15 days when none says', () => {
    expect(responseDays([])).toEqual({ days: DEFAULT_RESPONSE_DAYS, source: expect.stringContaining('default 15 days') as unknown });
    expect(responseDays([pack('us-regf'), pack('us-ma')]).days).toBe(15);
    expect(responseDays([pack('uk-conc')])).toEqual({ days: 56, source: 'uk-conc: FCA DISP 1.6.2R (eight weeks)' });
    expect(responseDays([pack('cn')]).days).toBe(15);
    expect(responseDays([{ id: 'firm', complaints: { responseDays: 10, source: 'policy' } }, pack('uk-conc')]).days).toBe(10);
    expect(complaintDeadline('2026-03-02', 15)).toBe('2026-03-17');
    expect(complaintDeadline('2026-01-10', 56)).toBe('2026-03-07');
  });

  it('is overdue after the deadline until responded to', () => {
    expect(isOverdue(open, '2026-03-17')).toBe(false);
    expect(isOverdue(open, '2026-03-18')).toBe(true);
    expect(isOverdue({ ...open, status: 'investigating' }, '2026-03-18')).toBe(true);
    expect(isOverdue({ ...open, status: 'responded' }, '2026-03-18')).toBe(false);
    expect(isOverdue({ ...open, status: 'closed' }, '2026-04-18')).toBe(false);
  });

  it('validates the complaints key of a pack', () => {
    const base = 'pack: x\ntitle: X\nrules:\n  - { id: r, kind: workplace, source: s, reason: r }\n';
    const issues = (complaints: string) => parseRulePack(`${complaints}\n${base}`, 'x.yaml').issues.map((i) => `${i.line}:${i.field}: ${i.rule}`);
    expect(issues('complaints: { responseDays: 0, source: s }')).toEqual([expect.stringContaining('1:complaints.responseDays: responseDays is required: a whole number of days from 1 to 366') as unknown]);
    expect(issues('complaints: { responseDays: 15 }')).toEqual([expect.stringContaining('complaints: source is required') as unknown]);
    expect(issues('complaints: { responseDays: 15, source: s, hours: 3 }')).toEqual([expect.stringContaining('complaints.hours: is not a known field') as unknown]);
    expect(issues('complaints: 15')).toEqual([expect.stringContaining('must be a mapping') as unknown]);
    expect(parseRulePack(`complaints: { responseDays: 30, source: policy }\n${base}`, 'x.yaml').pack?.complaints).toEqual({ responseDays: 30, source: 'policy' });
  });
});

describe('complaint rate per 1,000 attempts', () => {
  it.each([
    [0, 500, '0.00'],
    [1, 1000, '1.00'],
    [1, 3, '333.33'],
    [2, 3, '666.67'],
    [1, 8000, '0.13'], // 0.125 rounds half up
    [1, 80000, '0.01'], // 0.0125 → 0.01
    [3, 1600, '1.88'], // 1.875 → 1.88
    [5, 2, '2500.00'],
  ])('%i complaints over %i attempts = %s', (c, a, rate) => {
    expect(complaintRate(c, a)).toEqual({ complaints: c, attempts: a, perThousand: rate });
  });

  it('is undefined without attempts and refuses bad counts', () => {
    expect(complaintRate(2, 0).perThousand).toBeNull();
    expect(catchValidation(() => complaintRate(-1, 10)).field).toBe('complaints');
    expect(catchValidation(() => complaintRate(1, 1.5)).field).toBe('attempts');
  });
});
