import { afterEach, describe, expect, it } from 'vitest';
import { parseProduct } from '../../src/ledger/index.js';
import { insertLoans, recordPayments, portfolioSummary, bucketHistory } from '../../src/store/repo.js';
import { runCycle, lastClosedDate } from '../../src/cycle/index.js';
import type { Store } from '../../src/store/db.js';
import { BACKENDS } from '../support/stores.js';

const p12 = parseProduct('p12', {
  method: 'annuity', annualRate: 0.12, termMonths: 12, dayCount: '30/360',
  penalty: { dailyRate: 0.0005, base: 'overdue-principal' }, liquidatedDamages: { percentOfInstalment: 0.05 },
});

function loan(id: string, disbursed = '2026-01-01') {
  return {
    account: { id, borrowerId: `B-${id}`, productId: 'p12', currency: 'USD', principal: 1000000, disbursed },
    product: p12,
    borrower: { id: `B-${id}`, name: 'Ann Lee', timezone: 'America/New_York', phones: ['+12125550100'], emails: [], addresses: [] },
  };
}

async function snapshot(store: Store) {
  const states = await store.db.selectFrom('account_state').selectAll().orderBy('account_id').execute();
  const events = await store.db.selectFrom('ledger_events').select(['account_id', 'business_date', 'type', 'data']).orderBy('account_id').orderBy('id').execute();
  const payments = await store.db.selectFrom('payments').select(['key', 'applied_date']).orderBy('key').execute();
  return { states, events, payments };
}

describe.each(BACKENDS)('cycle on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('ages the reference loan and applies payments by their date', async () => {
    store = await backend.open();
    await insertLoans(store.db, [loan('L-1')]);
    await recordPayments(store.db, [
      { key: 'p1', accountId: 'L-1', date: '2026-02-01', amount: 88849 },
      { key: 'pay-7', accountId: 'L-1', date: '2026-04-20', amount: 100000 },
    ]);
    await runCycle(store, '2026-03-02');
    let s = await store.db.selectFrom('account_state').selectAll().executeTakeFirstOrThrow();
    expect([s.as_of, s.dpd, s.bucket, s.delinquent_since]).toEqual(['2026-03-02', 1, 'M1', '2026-03-02']);
    await runCycle(store, '2026-04-19');
    s = await store.db.selectFrom('account_state').selectAll().executeTakeFirstOrThrow();
    expect(s.dpd).toBe(49);
    await runCycle(store, '2026-04-20');
    s = await store.db.selectFrom('account_state').selectAll().executeTakeFirstOrThrow();
    expect(s.dpd).toBe(19);
    expect(await bucketHistory(store.db, 'L-1')).toEqual([
      { date: '2026-03-02', from: 'C', to: 'M1', dpd: 1 },
      { date: '2026-04-01', from: 'M1', to: 'M2', dpd: 31 },
      { date: '2026-04-20', from: 'M2', to: 'M1', dpd: 19 },
    ]);
    const pays = await store.db.selectFrom('payments').select(['key', 'applied_date']).orderBy('key').execute();
    expect(pays).toEqual([{ key: 'p1', applied_date: '2026-02-01' }, { key: 'pay-7', applied_date: '2026-04-20' }]);
  });

  it('is idempotent: closing a date twice changes nothing', async () => {
    store = await backend.open();
    await insertLoans(store.db, [loan('L-1'), loan('L-2', '2026-01-15')]);
    await runCycle(store, '2026-03-10');
    const before = await snapshot(store);
    const again = await runCycle(store, '2026-03-10');
    expect(again[0]?.alreadyDone).toBe(true);
    expect(await snapshot(store)).toEqual(before);
    expect(await lastClosedDate(store.db)).toBe('2026-03-10');
  });

  it('records a payment key once', async () => {
    store = await backend.open();
    await insertLoans(store.db, [loan('L-1')]);
    const p = { key: 'k', accountId: 'L-1', date: '2026-02-01', amount: 100 };
    const first = await recordPayments(store.db, [p]);
    const second = await recordPayments(store.db, [p, { ...p, amount: 200 }]);
    expect(first.recorded).toHaveLength(1);
    expect(second.recorded).toHaveLength(0);
    expect(second.duplicates).toEqual(['k']);
    expect(second.conflicts).toHaveLength(1);
    const rows = await store.db.selectFrom('payments').selectAll().execute();
    expect(rows).toHaveLength(1);
  });

  it('catches up a gap day by day and pages give the same result as one page', async () => {
    store = await backend.open();
    const loans = Array.from({ length: 25 }, (_, i) => loan(`L-${String(i).padStart(3, '0')}`, `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`));
    await insertLoans(store.db, loans);
    await runCycle(store, '2026-02-01', { pageSize: 7 });
    const runs = await runCycle(store, '2026-02-05', { pageSize: 7 });
    expect(runs.map((r) => r.date)).toEqual(['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05']);
    const paged = await snapshot(store);
    const other = await backend.open();
    try {
      await insertLoans(other.db, loans);
      await runCycle(other, '2026-02-05', { pageSize: 1000 });
      const single = await snapshot(other);
      expect(single.states).toEqual(paged.states);
    } finally {
      await other.close();
    }
    const summary = await portfolioSummary(store.db);
    expect(summary.reduce((n, r) => n + r.accounts, 0)).toBe(25);
  });
});
