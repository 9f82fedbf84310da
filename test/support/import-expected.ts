import type { Product } from '../../src/ledger/index.js';

/** The CASH-12 product of test/fixtures/import (CSV and nested JSON describe the same one). */
export const CASH_12: Product = {
  id: 'CASH-12',
  method: 'annuity',
  annualRate: { num: 18, den: 100 },
  termMonths: 12,
  dayCount: '30/360',
  graceDays: 3,
  penalty: { dailyRate: { num: 5, den: 10000 }, base: 'overdue-principal' },
  liquidatedDamages: { kind: 'percent', rate: { num: 5, den: 100 } },
  costCap: { num: 36, den: 100 },
  overpayment: 'credit',
  waterfall: ['fees', 'penalty', 'interest', 'principal'],
};
