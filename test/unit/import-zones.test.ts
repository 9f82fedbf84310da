/**
 * A borrower's time zone when the import row gives none: the address's country when it has one
 * zone, else the phones' zones when they agree, else an issue naming the time-zone field and why.
 */
import { describe, expect, it } from 'vitest';
import { countryZones, deriveTimezone, type Address } from '../../src/contact/index.js';
import { parseLoansCsv, parseLoansJson } from '../../src/store/import/parse.js';
import { deriveTimezones, readLoansFile } from '../../src/store/import/zones.js';

const home = (country?: string): Address => ({ kind: 'residential', line: '1 Main St', ...(country ? { country } : {}) });
const NY = { number: '+12125550100', zones: ['America/New_York'] };
const CHI = { number: '+13125550123', zones: ['America/Chicago'] };
const LDN = { number: '+447700900123', zones: ['Europe/London'] };

describe('countryZones (CLDR through Intl.Locale)', () => {
  it('knows single- and multi-zone countries', () => {
    expect(countryZones('GB')).toEqual(['Europe/London']);
    expect(countryZones('JP')).toEqual(['Asia/Tokyo']);
    expect(countryZones('US')).toContain('America/New_York');
    expect(countryZones('US').length).toBeGreaterThan(5);
    expect(countryZones('CN')).toContain('Asia/Shanghai');
    expect(countryZones('ZZ')).toEqual([]);
  });
});

describe('deriveTimezone', () => {
  it('takes a single-zone country, the residential address first, else any address with a country', () => {
    expect(deriveTimezone([home('GB')], [])).toEqual({ timezone: 'Europe/London', from: 'address' });
    expect(deriveTimezone([{ kind: 'mailing', line: 'x', country: 'JP' }, home('GB')], [CHI])).toEqual({ timezone: 'Europe/London', from: 'address' });
    expect(deriveTimezone([home(), { kind: 'id-card', line: 'x', country: 'JP' }], [])).toEqual({ timezone: 'Asia/Tokyo', from: 'address' });
  });

  it('else takes the phones\' zone when they agree (numbers of unknown zone do not count)', () => {
    expect(deriveTimezone([home('US')], [NY, { ...NY, number: '+12125550101' }])).toEqual({ timezone: 'America/New_York', from: 'phones' });
    expect(deriveTimezone([], [NY, { number: '+19995550100', zones: [] }])).toEqual({ timezone: 'America/New_York', from: 'phones' });
    expect(deriveTimezone([home('CN')], [{ number: '+8613800138000', zones: ['Asia/Shanghai'] }])).toEqual({ timezone: 'Asia/Shanghai', from: 'phones' });
  });

  it('says why it could not derive one', () => {
    const us = countryZones('US').length;
    expect(deriveTimezone([home('US')], [NY, CHI])).toEqual({
      timezone: null,
      reason: `is not given and could not be derived: US has ${us} time zones and the phones' area codes do not agree on one zone (+12125550100: America/New_York; +13125550123: America/Chicago)`,
    });
    expect(deriveTimezone([home('US')], [])).toMatchObject({ timezone: null, reason: expect.stringContaining(`US has ${us} time zones and the borrower has no phone number`) });
    expect(deriveTimezone([home('US')], [LDN])).toMatchObject({ timezone: null, reason: expect.stringContaining('the phones point to Europe/London, which is not a zone of US') });
    expect(deriveTimezone([home()], [])).toMatchObject({ timezone: null, reason: 'is not given and could not be derived: no address has a country and the borrower has no phone number' });
    expect(deriveTimezone([home('ZZ')], [{ number: '+19995550100', zones: [] }])).toMatchObject({
      timezone: null, reason: "is not given and could not be derived: no time zone is known for the address's country ZZ and the phones' zones are unknown (+19995550100)",
    });
    expect(deriveTimezone([], [{ number: '+18005550100', zones: ['America/Chicago', 'America/New_York'] }])).toMatchObject({ timezone: null, reason: expect.stringContaining("the phone's area code spans several zones (+18005550100: America/Chicago, America/New_York)") });
  });
});

describe('deriveTimezones: the import rows left pending', () => {
  const HEADER = 'loan_id,borrower_id,borrower_name,currency,principal,disbursed,method,annual_rate,term_months,timezone,phones,residential_address,country';
  const row = (id: string, tz: string, phones: string, country: string): string => `${id},B-${id},N ${id},USD,100000,2025-01-15,annuity,0.12,12,${tz},${phones},1 Main St,${country}`;

  it('turns each pending row into a record (zone from the phones) or an issue on timezone; records stay in file order', async () => {
    const parsed = parseLoansCsv([
      HEADER,
      row('L1', '', '+12125550100;+12125550101', 'US'),
      row('L2', 'America/Denver', '', 'US'),
      row('L3', '', '+12125550100;+13125550123', 'US'),
      row('L4', '', '+447700900123', 'GB'),
      row('L5', '', '+13125550123', ''),
      '',
    ].join('\n'));
    expect(parsed.records.map((r) => [r.account.id, r.timezoneFrom])).toEqual([['L2', 'given'], ['L4', 'address']]);
    expect(parsed.pending?.map((p) => p.record.account.id)).toEqual(['L1', 'L3', 'L5']);

    const r = await deriveTimezones(parsed);
    expect(r.pending).toBeUndefined();
    expect(r.records.map((x) => [x.row, x.account.id, x.borrower.timezone, x.timezoneFrom])).toEqual([
      [2, 'L1', 'America/New_York', 'phones'],
      [3, 'L2', 'America/Denver', 'given'],
      [5, 'L4', 'Europe/London', 'address'],
      [6, 'L5', 'America/Chicago', 'phones'],
    ]);
    expect(r.issues).toEqual([{
      row: 4, field: 'timezone',
      reason: `is not given and could not be derived: US has ${countryZones('US').length} time zones and the phones' area codes do not agree on one zone (+12125550100: America/New_York; +13125550123: America/Chicago)`,
    }]);
    expect(r.rowsRead).toBe(5);
  });

  it('names borrower.timezone for nested JSON, and readLoansFile does both steps', async () => {
    const loan = (id: string, phones: string[]): unknown => ({
      id, principal: 1000, currency: 'USD', disbursed: '2025-01-15', product: { method: 'bullet', annualRate: '0.1', termMonths: 3 },
      borrower: { id: `B-${id}`, name: 'N', phones, addresses: [{ kind: 'residential', line: 'x', country: 'US' }] },
    });
    const text = JSON.stringify([loan('L1', ['+13125550123']), loan('L2', ['+12125550100', '+13125550123'])]);
    expect(parseLoansJson(text).records).toEqual([]);
    const r = await readLoansFile('book.json', text);
    expect(r.records.map((x) => [x.account.id, x.borrower.timezone])).toEqual([['L1', 'America/Chicago']]);
    expect(r.issues).toEqual([{ row: 2, field: 'borrower.timezone', reason: expect.stringContaining("the phones' area codes do not agree") }]);
  });

  it('returns a result without pending rows as it is', async () => {
    const parsed = parseLoansCsv(`${HEADER}\n${row('L1', 'UTC', '', '')}\n`);
    expect(await deriveTimezones(parsed)).toEqual(parsed);
  });
});
