/**
 * Demo loan products and the portfolio mix the generator draws from.
 */
import { parseProduct } from '../ledger/index.js';
import type { Product, ProductSpec } from '../ledger/index.js';

const SPECS: Readonly<Record<string, ProductSpec>> = {
  /** US consumer instalment loan: level payments, 30/360, late fee 5% of the instalment after 3 days. */
  'us-consumer-annuity': {
    method: 'annuity',
    annualRate: '0.199',
    termMonths: 12,
    dayCount: '30/360',
    graceDays: 3,
    penalty: { dailyRate: '0.0005', base: 'overdue-principal' },
    liquidatedDamages: { percentOfInstalment: '0.05' },
  },
  /** UK personal loan: equal principal over two years, actual/365, a fixed £12 late-payment fee. */
  'uk-personal-ep': {
    method: 'equal-principal',
    annualRate: '0.129',
    termMonths: 24,
    dayCount: 'actual/365',
    graceDays: 5,
    penalty: { dailyRate: '0.0002', base: 'overdue-amount' },
    liquidatedDamages: { fixed: 1200 },
  },
  /** Short-term bullet (payday-style): interest monthly, principal at the end, total cost capped at 24% a year. */
  'us-short-bullet': {
    method: 'bullet',
    annualRate: '0.2',
    termMonths: 3,
    dayCount: 'actual/365',
    graceDays: 0,
    penalty: { dailyRate: '0.001', base: 'overdue-amount' },
    liquidatedDamages: { fixed: 1500 },
    costCap: '0.24',
  },
  /** Chinese consumer loan (等额本息): penalty interest at 1.5× the contract rate on the overdue amount, 24% cap. */
  'cn-consumer-annuity': {
    method: 'annuity',
    annualRate: '0.1825',
    termMonths: 12,
    dayCount: 'actual/365',
    graceDays: 3,
    penalty: { dailyRate: '0.00075', base: 'overdue-amount' },
    liquidatedDamages: null,
    costCap: '0.24',
  },
};

/** How often a product appears in a generated portfolio, its currency and its principal range. */
export interface ProductProfile {
  readonly productId: string;
  readonly currency: string;
  /** share of the portfolio (weights, need not sum to 1) */
  readonly share: number;
  /** principal range in major units (dollars, pounds, yuan), drawn in `step`s, skewed to smaller loans */
  readonly principalMin: number;
  readonly principalMax: number;
  readonly step: number;
}

export const DEMO_PROFILES: readonly ProductProfile[] = [
  { productId: 'us-consumer-annuity', currency: 'USD', share: 0.4, principalMin: 1_000, principalMax: 15_000, step: 100 },
  { productId: 'cn-consumer-annuity', currency: 'CNY', share: 0.25, principalMin: 2_000, principalMax: 50_000, step: 500 },
  { productId: 'uk-personal-ep', currency: 'GBP', share: 0.2, principalMin: 1_000, principalMax: 20_000, step: 250 },
  { productId: 'us-short-bullet', currency: 'USD', share: 0.15, principalMin: 200, principalMax: 2_000, step: 50 },
];

/** The demo products, validated by the ledger's own parser. */
export function demoProducts(): Record<string, Product> {
  const out: Record<string, Product> = {};
  for (const [id, spec] of Object.entries(SPECS)) out[id] = parseProduct(id, spec);
  return out;
}

/** The demo products as plain specs (for YAML/JSON export or a product catalogue). */
export function demoProductSpecs(): Record<string, ProductSpec> {
  return structuredClone(SPECS) as Record<string, ProductSpec>;
}
