/**
 * Champion/challenger through the cycle: each account's arm is stable, stored with its stage, and
 * the challenger's overridden ladder is the one its accounts walk.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCycle, STEPS, step, strategyStep } from '../../src/cycle/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import { assignVariant, loadStrategy } from '../../src/strategy/index.js';
import type { Store } from '../../src/store/db.js';
import { insertLoans, stageSummary } from '../../src/store/repo.js';
import { BACKENDS } from '../support/stores.js';

const base = readFileSync('strategies/default.yaml', 'utf8');
const withVariants = `${base}
variants:
  experiment: early-contact
  arms:
    - { name: champion, share: 50 }
    - name: early
      share: 50
      overrides:
        stages:
          intensified: { when: "dpd >= 2" }
`;
const strategy = loadStrategy(withVariants, 'with-variants.yaml');

describe.each(BACKENDS)('strategy variants on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('assigns arms by stable hash, stores them, and runs each arm\'s ladder', async () => {
    store = await backend.open();
    const product = parseProduct('p', { method: 'annuity', annualRate: 0.12, termMonths: 6 });
    const ids = Array.from({ length: 40 }, (_, i) => `L-${String(i).padStart(3, '0')}`);
    await insertLoans(store.db, ids.map((id) => ({
      account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 100000, disbursed: '2026-01-01' },
      product,
      borrower: { id: `B-${id}`, name: 'N', timezone: 'UTC', phones: [], emails: [], addresses: [] },
    })));
    const steps = [...STEPS, step(strategyStep(strategy))];
    await runCycle(store, '2026-02-03', { steps }); // every account DPD 2
    const rows = await store.db.selectFrom('account_stage').select(['account_id', 'stage', 'variant']).orderBy('account_id').execute();
    const arms = { champion: 0, early: 0 };
    for (const r of rows) {
      const expected = assignVariant(r.account_id, 'early-contact', [{ name: 'champion', share: 50 }, { name: 'early', share: 50 }]);
      expect(r.variant).toBe(expected);
      expect(r.stage).toBe(r.variant === 'early' ? 'intensified' : 'reminder');
      arms[r.variant as 'champion' | 'early']++;
    }
    expect(arms.champion).toBeGreaterThan(5);
    expect(arms.early).toBeGreaterThan(5);
    const summary = await stageSummary(store.db);
    expect(summary.filter((s) => s.variant === 'early').every((s) => s.stage === 'intensified')).toBe(true);
    const moves = await store.db.selectFrom('stage_moves').select(['variant']).where('to_stage', '=', 'intensified').execute();
    expect(moves.every((m) => m.variant === 'early')).toBe(true);
  });
});
