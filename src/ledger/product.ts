/**
 * Loan products: parsed from plain specs (YAML, JSON, CSV columns) into validated `Product`s.
 */
import { assertMinor, parseRate, rateToString, ValidationError } from '../core/index.js';
import type { Component, DayCount, LiquidatedDamages, PenaltyBase, Product, RepaymentMethod } from './types.js';

export const REPAYMENT_METHODS: readonly RepaymentMethod[] = ['annuity', 'equal-principal', 'bullet'];
export const DAY_COUNTS: readonly DayCount[] = ['30/360', 'actual/365'];
export const PENALTY_BASES: readonly PenaltyBase[] = ['overdue-principal', 'overdue-amount'];
export const COMPONENTS: readonly Component[] = ['fees', 'penalty', 'interest', 'principal'];
export const DEFAULT_WATERFALL: readonly Component[] = ['fees', 'penalty', 'interest', 'principal'];

/** The plain shape of a product as people write it (rates as decimals, amounts in minor units). */
export interface ProductSpec {
  method: RepaymentMethod;
  annualRate: number | string;
  termMonths: number;
  dayCount?: DayCount;
  graceDays?: number;
  penalty?: { dailyRate: number | string; base?: PenaltyBase } | null;
  liquidatedDamages?: { percentOfInstalment?: number | string; fixed?: number } | null;
  costCap?: number | string | null;
  overpayment?: 'credit' | 'prepay';
  waterfall?: Component[];
}

export const PRODUCT_KEYS = [
  'method', 'annualRate', 'termMonths', 'dayCount', 'graceDays', 'penalty', 'liquidatedDamages',
  'costCap', 'overpayment', 'waterfall',
] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ValidationError(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new ValidationError(`${prefix}${k}`, `is not a known field (known: ${allowed.join(', ')})`);
    }
  }
}

/** Validates a product spec; every error names the field (prefixed with `prefix`) and the rule. */
export function parseProduct(id: string, raw: unknown, prefix = ''): Product {
  if (!isRecord(raw)) throw new ValidationError(prefix.replace(/\.$/, '') || 'product', 'must be a mapping of product fields');
  rejectUnknownKeys(raw, PRODUCT_KEYS, prefix);
  const f = (k: string): string => `${prefix}${k}`;
  if (raw.method === undefined) throw new ValidationError(f('method'), 'is required');
  const method = oneOf(raw.method, REPAYMENT_METHODS, f('method'));
  if (raw.annualRate === undefined) throw new ValidationError(f('annualRate'), 'is required');
  const annualRate = parseRate(raw.annualRate, f('annualRate'), { max: 10 });
  if (raw.termMonths === undefined) throw new ValidationError(f('termMonths'), 'is required');
  const termMonths = wholeNumber(raw.termMonths, f('termMonths'), 1, 600);
  const dayCount = raw.dayCount === undefined ? '30/360' : oneOf(raw.dayCount, DAY_COUNTS, f('dayCount'));
  const graceDays = raw.graceDays === undefined ? 0 : wholeNumber(raw.graceDays, f('graceDays'), 0, 365);

  let penalty: Product['penalty'] = null;
  if (raw.penalty !== undefined && raw.penalty !== null) {
    if (!isRecord(raw.penalty)) throw new ValidationError(f('penalty'), 'must be a mapping { dailyRate, base }');
    rejectUnknownKeys(raw.penalty, ['dailyRate', 'base'], f('penalty.'));
    if (raw.penalty.dailyRate === undefined) throw new ValidationError(f('penalty.dailyRate'), 'is required');
    penalty = {
      dailyRate: parseRate(raw.penalty.dailyRate, f('penalty.dailyRate'), { max: 0.1 }),
      base: raw.penalty.base === undefined ? 'overdue-principal' : oneOf(raw.penalty.base, PENALTY_BASES, f('penalty.base')),
    };
  }

  let liquidatedDamages: LiquidatedDamages | null = null;
  if (raw.liquidatedDamages !== undefined && raw.liquidatedDamages !== null) {
    const ld = raw.liquidatedDamages;
    if (!isRecord(ld)) throw new ValidationError(f('liquidatedDamages'), 'must be a mapping { percentOfInstalment } or { fixed }');
    rejectUnknownKeys(ld, ['percentOfInstalment', 'fixed'], f('liquidatedDamages.'));
    const hasPct = ld.percentOfInstalment !== undefined;
    const hasFixed = ld.fixed !== undefined;
    if (hasPct === hasFixed) {
      throw new ValidationError(f('liquidatedDamages'), 'must set exactly one of percentOfInstalment or fixed');
    }
    liquidatedDamages = hasPct
      ? { kind: 'percent', rate: parseRate(ld.percentOfInstalment, f('liquidatedDamages.percentOfInstalment'), { max: 1 }) }
      : { kind: 'fixed', amount: assertMinor(ld.fixed, f('liquidatedDamages.fixed')) };
  }

  const costCap = raw.costCap === undefined || raw.costCap === null ? null : parseRate(raw.costCap, f('costCap'), { max: 100 });
  const overpayment = raw.overpayment === undefined ? 'credit' : oneOf(raw.overpayment, ['credit', 'prepay'] as const, f('overpayment'));

  let waterfall: readonly Component[] = DEFAULT_WATERFALL;
  if (raw.waterfall !== undefined) {
    if (!Array.isArray(raw.waterfall)) throw new ValidationError(f('waterfall'), `must list ${COMPONENTS.join(', ')} in paying order`);
    const list = raw.waterfall.map((c, i) => oneOf(c, COMPONENTS, f(`waterfall[${i}]`)));
    if (list.length !== COMPONENTS.length || new Set(list).size !== COMPONENTS.length) {
      throw new ValidationError(f('waterfall'), `must list each of ${COMPONENTS.join(', ')} exactly once`);
    }
    waterfall = list;
  }

  return { id, method, annualRate, termMonths, dayCount, graceDays, penalty, liquidatedDamages, costCap, overpayment, waterfall };
}

/** The inverse of parseProduct, for storage and display. */
export function productToSpec(p: Product): ProductSpec {
  return {
    method: p.method,
    annualRate: rateToString(p.annualRate),
    termMonths: p.termMonths,
    dayCount: p.dayCount,
    graceDays: p.graceDays,
    penalty: p.penalty ? { dailyRate: rateToString(p.penalty.dailyRate), base: p.penalty.base } : null,
    liquidatedDamages: p.liquidatedDamages
      ? p.liquidatedDamages.kind === 'fixed'
        ? { fixed: p.liquidatedDamages.amount }
        : { percentOfInstalment: rateToString(p.liquidatedDamages.rate) }
      : null,
    costCap: p.costCap ? rateToString(p.costCap) : null,
    overpayment: p.overpayment,
    waterfall: [...p.waterfall],
  };
}
