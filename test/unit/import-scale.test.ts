import { describe, expect, it } from 'vitest';
import { parseLoansCsv, parseLoansJson } from '../../src/store/import/parse.js';

const HEADER = 'loan_id,borrower_id,borrower_name,currency,principal,disbursed,timezone,phones,emails,residential_address,'
  + 'product_id,method,annual_rate,term_months,day_count,grace_days,penalty_daily_rate,penalty_base,ld_percent,cost_cap';
const ZONES = ['America/New_York', 'Europe/London', 'Asia/Shanghai', 'UTC'];

function bigCsv(n: number): string {
  const lines = [HEADER];
  for (let i = 0; i < n; i++) {
    const bad = i % 1000 === 999 ? '1,000' : String(100000 + i);
    lines.push(`L${i},B${i >> 1},Name ${i >> 1},USD,"${bad}",2025-01-${String(1 + (i % 28)).padStart(2, '0')},${ZONES[i % 4]},`
      + `+1212${String(i).padStart(7, '0')},u${i}@example.com,"${i} Main St, Town",${i % 3 ? 'P1' : ''},annuity,0.18,12,30/360,3,0.0005,`
      + 'overdue-principal,0.05,0.36');
  }
  return `${lines.join('\r\n')}\r\n`;
}

// Correctness at the scale of a real loan book; speed is measured by `npm run bench -- import`.
describe('import at scale', () => {
  it('parses 100k CSV rows and reports exactly the bad ones', () => {
    const text = bigCsv(100_000);
    const r = parseLoansCsv(text);
    expect(r.rowsRead).toBe(100_000);
    expect(r.issues).toHaveLength(100);
    expect(r.records).toHaveLength(99_900);
    expect(r.issues[0]).toEqual({ row: 1001, field: 'principal', reason: expect.stringContaining('digits only') });
    expect(r.records.at(-1)?.row).toBe(100_000);
  });

  it('parses 100k nested JSON objects', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({
      id: `L${i}`, principal: 100000 + i, currency: 'USD', disbursed: '2025-01-15',
      product: { id: `P${i % 7}`, method: 'annuity', annualRate: '0.18', termMonths: 12 + (i % 7) },
      borrower: { id: `B${i}`, name: 'N', timezone: ZONES[i % 4], phones: ['+12125550100'], addresses: [{ kind: 'residential', line: 'x' }] },
    }));
    const text = JSON.stringify(items);
    const r = parseLoansJson(text);
    expect(r.issues).toEqual([]);
    expect(r.records).toHaveLength(100_000);
  });
});
