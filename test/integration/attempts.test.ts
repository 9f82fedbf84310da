import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import type { Attempt } from '../../src/contact/index.js';
import type { Store } from '../../src/store/db.js';
import { insertLoans, loadAttempts, recordAttempts } from '../../src/store/repo.js';
import { BACKENDS } from '../support/stores.js';

const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 10000, disbursed: '2026-01-01' },
  product,
  borrower: { id: `B-${id}`, name: 'N', timezone: 'UTC', phones: [], emails: [], addresses: [] },
});
const attempt = (accountId: string, date: string, extra: Partial<Attempt> = {}): Attempt => ({
  accountId, date, time: '10:15', party: 'borrower', channel: 'call', outcome: 'no_answer', promise: null, ...extra,
});

describe.each(BACKENDS)('contact attempts on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('records attempts with promises and loads them per account, oldest first, from a date', async () => {
    store = await backend.open();
    await insertLoans(store.db, [loan('L-1'), loan('L-2')]);
    await recordAttempts(store.db, [
      attempt('L-1', '2026-02-03'),
      attempt('L-2', '2026-02-04', { outcome: 'conversation', time: null }),
      attempt('L-1', '2026-02-05', { outcome: 'promise', promise: { amount: 5000, due: '2026-02-10' } }),
      attempt('L-1', '2026-01-20', { party: 'reference', channel: 'sms', outcome: 'wrong_number' }),
    ]);
    const got = await loadAttempts(store.db, ['L-1', 'L-2', 'L-3'], '2026-02-01');
    expect(got.get('L-1')).toEqual([attempt('L-1', '2026-02-03'), attempt('L-1', '2026-02-05', { outcome: 'promise', promise: { amount: 5000, due: '2026-02-10' } })]);
    expect(got.get('L-2')).toEqual([attempt('L-2', '2026-02-04', { outcome: 'conversation', time: null })]);
    expect(got.has('L-3')).toBe(false);
  });

  it('refuses an attempt for an unknown account, naming the field', async () => {
    store = await backend.open();
    const s = store;
    await expect(recordAttempts(s.db, [attempt('L-9', '2026-02-03')])).rejects.toThrow(ValidationError);
    await expect(recordAttempts(s.db, [attempt('L-9', '2026-02-03')])).rejects.toThrow('attempts[0].accountId: unknown account L-9');
  });
});
