/**
 * The dialer's pure parts: caller-number checks, the day scan (15-minute steps, edges refined to
 * the minute, the block reported when there is no window), local windows across a clock change,
 * export row ids and CSV, and result rows validated field by field (CSV and JSON).
 */
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/compliance/index.js';
import {
  callerNumberProblem, exportRowId, exportWindow, formatExportCsv, localDay, normalisePhone, parseExportRowId, parseResults, phoneAsFiled, resultHash, scanDay,
  type CallerNumberRegistration, type DialerExport,
} from '../../src/channels/dialer.js';

const allowed: Decision = { allowed: true, rule: null, reason: 'ok', nextAllowedAt: null, checked: [] };
const blocked = (rule: string, next: string | null): Decision => ({ allowed: false, rule, reason: rule, nextAllowedAt: next, checked: [] });
const at = (hhmm: string): number => Date.parse(`2026-03-02T${hhmm}:00Z`);

describe('caller numbers', () => {
  const regs: CallerNumberRegistration[] = [
    { number: '+12125550900', owner: 'lender', label: null, registeredAt: '2026-01-01T00:00:00Z', retiredAt: null },
    { number: '+12125550950', owner: 'acme', label: null, registeredAt: '2026-01-01T00:00:00Z', retiredAt: '2026-02-01T00:00:00Z' },
    { number: '+12125550950', owner: 'best', label: null, registeredAt: '2026-02-15T00:00:00Z', retiredAt: null },
  ];
  it('normalises to E.164 and refuses national or invalid numbers', () => {
    expect(normalisePhone('+1 (212) 555-0900')).toBe('+12125550900');
    expect(normalisePhone('0012125550900')).toBe('+12125550900');
    expect(normalisePhone('2125550900')).toBeNull();
    expect(normalisePhone('+1800')).toBeNull();
  });
  it('allows the owner only, while registered and not retired', () => {
    expect(callerNumberProblem('+12125550900', regs, null, at('15:00'))).toBeNull();
    expect(callerNumberProblem('+12125550900', regs, 'acme', at('15:00'))).toContain('registered to the lender; agency acme may not use it');
    // re-registered to another agency after its retirement
    expect(callerNumberProblem('+12125550950', regs, 'best', at('15:00'))).toBeNull();
    expect(callerNumberProblem('+12125550950', regs, 'acme', at('15:00'))).toContain('registered to agency best');
    expect(callerNumberProblem('+12125550950', regs, 'acme', Date.parse('2026-01-15T00:00:00Z'))).toBeNull();
    expect(callerNumberProblem('+12125550950', regs, 'acme', Date.parse('2026-02-05T00:00:00Z'))).toContain('was retired at 2026-02-01T00:00:00Z');
    expect(callerNumberProblem('+12125550999', regs, null, at('15:00'))).toContain('is not registered');
    expect(callerNumberProblem('anonymous', regs, null, at('15:00'))).toContain('is not a valid international phone number');
  });
});

describe('scanDay', () => {
  it('merges allowed steps into windows and refines their edges to the minute', () => {
    // allowed 08:07–12:52 and 13:30–24:00 (UTC day)
    const ask = (ms: number): Decision => {
      const m = (ms - at('00:00')) / 60_000;
      if (m < 487) return blocked('x/hours', '2026-03-02T08:07:00.000Z');
      if (m >= 772 && m < 810) return blocked('x/lunch', '2026-03-02T13:30:00.000Z');
      return allowed;
    };
    const s = scanDay(ask, at('00:00'), at('00:00') + 86_400_000);
    expect(s.windows.map((w) => [new Date(w.from).toISOString(), new Date(w.to).toISOString()])).toEqual([
      ['2026-03-02T08:07:00.000Z', '2026-03-02T12:52:00.000Z'], ['2026-03-02T13:30:00.000Z', '2026-03-03T00:00:00.000Z'],
    ]);
    expect(s.blocked).toBeNull();
    expect(s.asked).toBeGreaterThanOrEqual(96);
    expect(s.asked).toBeLessThanOrEqual(96 + 3 * 4);
  });
  it('with no window, reports the block that frees the attempt last (never = latest)', () => {
    const s = scanDay((ms) => (ms < at('12:00') ? blocked('a', '2026-03-05T00:00:00Z') : ms < at('18:00') ? blocked('b', null) : blocked('c', '2026-03-09T00:00:00Z')), at('00:00'), at('00:00') + 86_400_000);
    expect(s.windows).toEqual([]);
    expect(s.blocked?.rule).toBe('b');
  });
  it('walks the local day, 23 hours on the spring change, with local times in the zone', () => {
    const day = localDay('2026-03-08', 'America/New_York');
    expect(day.to - day.from).toBe(23 * 3_600_000);
    const s = scanDay((ms) => (ms >= Date.parse('2026-03-08T12:00:00Z') && ms < Date.parse('2026-03-09T01:00:00Z') ? allowed : blocked('h', null)), day.from, day.to);
    expect(s.windows.map((w) => exportWindow(w, 'America/New_York', '2026-03-08'))).toEqual([{ local: '08:00-21:00', from: '2026-03-08T12:00:00.000Z', to: '2026-03-09T01:00:00.000Z' }]);
    expect(exportWindow({ from: Date.parse('2026-03-09T01:00:00Z'), to: day.to }, 'America/New_York', '2026-03-08').local).toBe('21:00-24:00');
  });
});

describe('export rows and result files', () => {
  it('builds and parses stable export row ids', () => {
    expect(exportRowId('2026-03-02', 17, '+12125550100')).toBe('2026-03-02/17/+12125550100');
    expect(parseExportRowId('2026-03-02/17/+12125550100')).toEqual({ date: '2026-03-02', taskId: 17, number: '+12125550100' });
    expect(() => parseExportRowId('17/+12125550100')).toThrow('exportRowId: must be an export row id DATE/TASK/NUMBER');
  });
  it('writes one CSV line per number, quoting where needed', () => {
    const e: DialerExport = {
      date: '2026-03-02', agency: null, callerNumbers: [], noWindow: [], noNumber: [],
      rows: [{
        exportRowId: '2026-03-02/1/+12125550100', date: '2026-03-02', taskId: 1, priority: 5, accountId: 'L-1', partyId: 'B-1', partyKind: 'borrower', name: 'Lee, "CJ"',
        number: '+12125550100', zone: 'America/New_York', purpose: 'collect', taskWindow: null, placedWith: null,
        windows: [{ local: '08:00-12:00', from: '2026-03-02T13:00:00.000Z', to: '2026-03-02T17:00:00.000Z' }, { local: '13:00-21:00', from: '2026-03-02T18:00:00.000Z', to: '2026-03-03T02:00:00.000Z' }],
      }],
    };
    expect(formatExportCsv(e).split('\n')).toEqual([
      'export_row_id,date,task_id,priority,account,party,party_kind,name,number,zone,purpose,task_window,placed_with,windows,windows_utc',
      '2026-03-02/1/+12125550100,2026-03-02,1,5,L-1,B-1,borrower,"Lee, ""CJ""",+12125550100,America/New_York,collect,,,08:00-12:00 13:00-21:00,2026-03-02T13:00:00.000Z/2026-03-02T17:00:00.000Z 2026-03-02T18:00:00.000Z/2026-03-03T02:00:00.000Z',
      '',
    ]);
  });
  it('validates result rows field by field (CSV and JSON), good rows kept', () => {
    const csv = [
      'call_id,export_row_id,caller_number,at,outcome,promise_amount,promise_due',
      'C-1,2026-03-02/4/+12125550100,+12125550900,2026-03-02T09:00:00-05:00,no_answer,,',
      'C-2,2026-03-02/4/+12125550100,+12125550900,2026-03-02 09:00,no_answer,,',
      'C-3,2026-03-02/4/+12125550100,+12125550900,2026-03-02T14:00:00Z,promise,12.50,2026-03-10',
      ',2026-03-02/4/+12125550100,+12125550900,2026-03-02T14:00:00Z,no_answer,,',
      'C-5,2026-03-02/4/+12125550100,+12125550900,2026-03-02T14:00:00Z,sent,,',
      'C-6,2026-03-02/4/+12125550100,+12125550900,2026-03-02T14:00:00Z,voicemail,100,',
    ].join('\n');
    const r = parseResults(csv, 'csv');
    expect(r.rows.map((x) => [x.row, x.callId, x.at, x.number])).toEqual([[1, 'C-1', '2026-03-02T14:00:00.000Z', '+12125550100']]);
    expect(r.issues.map((i) => [i.row, i.field])).toEqual([[2, 'at'], [3, 'promiseAmount'], [4, 'callId'], [5, 'outcome'], [6, 'promiseAmount']]);
    // a given amount that is not whole minor units is not "required": the message says what is wrong with it
    expect(r.issues.find((i) => i.row === 3)?.rule).toBe('must be a whole number of minor units > 0 (e.g. 25000 for 250.00), got "12.50"');
    expect(parseResults('call_id,account,party,number,caller_number,at,outcome,promise_due\nC-1,L-1,borrower,+12125550100,+1,2026-03-02T14:00:00Z,promise,2026-03-10', 'csv').issues[0]?.rule)
      .toBe('is required with outcome promise: a whole number of minor units > 0 (e.g. 25000 for 250.00)');
    const json = parseResults(JSON.stringify({ rows: [{ callId: 'C-9', account: 'L-1', party: 'borrower', number: '+1 212 555 0100', callerNumber: 'x', at: '2026-03-02T14:00:00Z', outcome: 'promise', promiseAmount: 1250, promiseDue: '2026-03-10', color: 'red' }, { callId: 'C-10', account: 'L-1', callerNumber: 'x', at: '2026-03-02T14:00:00Z', outcome: 'busy' }] }), 'json');
    expect(json.issues).toEqual([{ row: 1, callId: 'C-9', field: 'color', rule: expect.stringContaining('is not a known field') as string }, { row: 2, callId: 'C-10', field: 'party', rule: expect.stringContaining('is required without exportRowId') as string }]);
    expect(() => parseResults('{', 'json')).toThrow('file: is not JSON');
  });
  it('hashes the normalised content of a call', () => {
    const base = { callId: 'C-1', accountId: 'L-1', partyId: 'B-1', number: '+1', callerNumber: '+2', agent: null, agency: null, at: '2026-03-02T14:00:00.000Z', outcome: 'no_answer', promise: null, purpose: 'collect' };
    expect(resultHash(base)).toBe(resultHash({ ...base }));
    expect(resultHash(base)).not.toBe(resultHash({ ...base, outcome: 'busy' }));
  });
});

describe('numbers called, as on file', () => {
  it('keeps a number in international form whatever libphonenumber thinks of its range (UK fictional 07700 900xxx)', () => {
    expect(normalisePhone('+447700900625')).toBeNull();
    expect(phoneAsFiled('+44 7700 900625')).toBe('+447700900625');
    expect(phoneAsFiled('0044 (7700) 900-625')).toBe('+447700900625');
    expect(phoneAsFiled('07700 900625')).toBeNull();
    expect(phoneAsFiled('call me')).toBeNull();
    const row = { callId: 'X', account: 'L-1', party: 'R-1', number: '+44 7700 900625', callerNumber: '+12125550900', at: '2026-03-02T15:00:00Z', outcome: 'no_answer' };
    const parsed = parseResults(JSON.stringify([row, { ...row, callId: 'Y', number: '7700900625' }, { ...row, callId: 'Z', outcome: 'sent' }]), 'json');
    expect(parsed.rows.map((r) => r.number)).toEqual(['+447700900625']);
    expect(parsed.issues.map((i) => [i.callId, i.field])).toEqual([['Y', 'number'], ['Z', 'outcome']]);
    expect(parsed.issues[1]?.rule).toMatch(/for a call, got "sent"$/);
  });
});
