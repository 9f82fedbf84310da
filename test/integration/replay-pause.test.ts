import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/cycle/replay.js';
import { parseTimeline, type TraceRow } from '../../src/timeline/index.js';

const FILE = 'timelines/pause-and-duplicates.yaml';

describe('replay: pause and a payment sent twice', async () => {
  const { rows } = await replay(parseTimeline(readFileSync(FILE, 'utf8'), FILE));
  const on = (d: string): TraceRow => rows.find((r) => r.date === d) as TraceRow;
  const types = (d: string): string[] => on(d).events.map((e) => (e as { type: string }).type);

  it('freezes DPD over the paused days and counts again after', () => {
    expect(on('2026-02-19').dpd).toBe(4);
    expect(types('2026-02-20')).toContain('paused');
    expect(on('2026-02-20').dpd).toBe(4);
    expect(on('2026-03-05').dpd).toBe(4);
    expect(on('2026-03-06').dpd).toBe(5);
    expect(on('2026-03-06').delinquentSince).toBe('2026-02-16');
  });

  it('charges fixed liquidated damages once the 2 grace days have passed', () => {
    expect(on('2026-02-17').balances.fees).toBe(0);
    expect(on('2026-02-18').balances.fees).toBe(1500);
  });

  it('records the payment key once and says so on the second day', () => {
    const paid = rows.flatMap((r) => r.events).filter((e) => (e as { type: string }).type === 'payment');
    expect(paid).toHaveLength(1);
    expect(on('2026-03-21').events).toContainEqual(expect.objectContaining({ type: 'payment_ignored', key: 'bank-77' }));
    expect(on('2026-03-21').balances.principal).toBe(on('2026-03-20').balances.principal);
  });

  it('balances stay consistent: total is the sum of the components every day', () => {
    for (const r of rows) {
      const b = r.balances;
      expect(b.total).toBe(b.principal + b.interest + b.penalty + b.fees);
      expect(r.overdue).toBeLessThanOrEqual(b.total);
    }
  });
});
