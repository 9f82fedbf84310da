/**
 * Repayment schedules, generated at disbursement.
 *
 * Due dates fall monthly on the disbursement's day of month, clamped to the month's last day.
 * Period interest: 30/360 → balance × annualRate / 12 (every monthly period is 30 days);
 * actual/365 → balance × annualRate × actual days / 365. Every amount is rounded half-up to the
 * minor unit; the last instalment takes whatever principal is left, absorbing the rounding.
 */
import { addMonthsClamped, applyRate, daysBetween, mulDivHalfUp, parseRate, rateToNumber, roundHalfUpFloat, toYmd } from '../core/index.js';
import type { BusinessDate, Minor, Rate } from '../core/index.js';
import type { Instalment, Product } from './types.js';

export function periodInterest(product: Product, balance: Minor, start: BusinessDate, due: BusinessDate): Minor {
  if (balance <= 0) return 0;
  if (product.dayCount === '30/360') return applyRate(balance, product.annualRate, 1, 12);
  return applyRate(balance, product.annualRate, daysBetween(start, due), 365);
}

/**
 * The level payment of an annuity, rounded half-up: P·r / (1 − (1 + r)^−n) with r = annualRate / 12.
 * Computed exactly on integers (BigInt) for a decimal rate. A double formula cleaned to a fixed number
 * of digits rounds wrongly near .5 (e.g. 562398213 at 25.99% over 65 months gives …980 for …979.4999).
 * A number rate is read as the decimal it prints as (0.12 → 12/100).
 */
export function annuityPayment(principal: Minor, annualRate: number | Rate, termMonths: number): Minor {
  let r: Rate;
  if (typeof annualRate === 'number') {
    try {
      r = parseRate(annualRate, 'annualRate');
    } catch {
      return annuityPaymentFloat(principal, annualRate, termMonths);
    }
  } else {
    r = annualRate;
  }
  if (r.num === 0) return mulDivHalfUp(principal, 1, termMonths);
  if (!Number.isSafeInteger(principal) || principal < 0 || !Number.isInteger(termMonths) || termMonths < 1) {
    return annuityPaymentFloat(principal, rateToNumber(r), termMonths);
  }
  // r = p/q in lowest terms; payment = P·p·(q+p)^n / (q·((q+p)^n − q^n))
  let p = BigInt(r.num);
  let q = BigInt(r.den) * 12n;
  const g = gcd(p, q);
  p /= g;
  q /= g;
  const n = BigInt(termMonths);
  const an = (q + p) ** n;
  const bn = q ** n;
  const num = BigInt(principal) * p * an;
  const den = q * (an - bn);
  const quo = num / den;
  const rem = num - quo * den;
  return Number(2n * rem >= den ? quo + 1n : quo);
}

function annuityPaymentFloat(principal: Minor, annualRate: number, termMonths: number): Minor {
  if (annualRate === 0) return mulDivHalfUp(principal, 1, termMonths);
  const r = annualRate / 12;
  return roundHalfUpFloat((principal * r) / (1 - Math.pow(1 + r, -termMonths)));
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function dueDates(disbursed: BusinessDate, termMonths: number): BusinessDate[] {
  const day = toYmd(disbursed).d;
  const out: BusinessDate[] = [];
  for (let i = 1; i <= termMonths; i++) out.push(addMonthsClamped(disbursed, i, day));
  return out;
}

function instalment(n: number, start: BusinessDate, due: BusinessDate, principal: Minor, interest: Minor): Instalment {
  return {
    n, start, due, principal, interest,
    interestAccrued: 0, penalty: 0, fees: 0,
    paidPrincipal: 0, paidInterest: 0, paidPenalty: 0, paidFees: 0,
    ldCharged: false,
  };
}

export function generateSchedule(product: Product, principal: Minor, disbursed: BusinessDate): Instalment[] {
  const dates = dueDates(disbursed, product.termMonths);
  const n = dates.length;
  const out: Instalment[] = [];
  let balance = principal;
  let start = disbursed;
  const level = product.method === 'annuity' ? annuityPayment(principal, product.annualRate, n) : 0;
  const equalPart = product.method === 'equal-principal' ? mulDivHalfUp(principal, 1, n) : 0;
  for (let i = 0; i < n; i++) {
    const due = dates[i] as BusinessDate;
    const interest = periodInterest(product, balance, start, due);
    const last = i === n - 1;
    let prin: Minor;
    if (last) prin = balance;
    else if (product.method === 'annuity') prin = Math.min(balance, Math.max(0, level - interest));
    else if (product.method === 'equal-principal') prin = Math.min(balance, equalPart);
    else prin = 0;
    out.push(instalment(i + 1, start, due, prin, interest));
    balance -= prin;
    start = due;
  }
  return out;
}

/**
 * Re-computes the interest of periods that have not started on `asOf` after principal was prepaid.
 * Prepaid principal is taken from the last instalments first (the term shortens, instalments stay).
 * A period in progress keeps its interest, unless the prepayment pays off all principal: then it
 * keeps only what has accrued by `asOf`.
 */
export function applyPrepayment(product: Product, instalments: Instalment[], amount: Minor, asOf: BusinessDate): Minor {
  let left = amount;
  for (let i = instalments.length - 1; i >= 0 && left > 0; i--) {
    const inst = instalments[i] as Instalment;
    if (inst.due <= asOf) break;
    const open = inst.principal - inst.paidPrincipal;
    const take = Math.min(open, left);
    inst.paidPrincipal += take;
    left -= take;
  }
  // interest of periods starting on or after asOf follows the reduced balance outstanding at their start
  let outstanding = 0;
  for (let i = instalments.length - 1; i >= 0; i--) {
    const inst = instalments[i] as Instalment;
    outstanding += inst.principal - inst.paidPrincipal;
    if (inst.start >= asOf) {
      inst.interest = Math.max(inst.paidInterest, inst.interestAccrued, periodInterest(product, outstanding, inst.start, inst.due));
    }
  }
  // No principal left: the loan is paid off. The period in progress stops at the interest accrued
  // so far — otherwise it would go on accruing on a zero balance, be billed on its due date and make
  // a borrower who paid everything delinquent.
  if (outstanding === 0 && left < amount) {
    for (const inst of instalments) {
      if (inst.start < asOf && inst.due > asOf) inst.interest = Math.max(inst.paidInterest, inst.interestAccrued);
    }
  }
  return amount - left;
}
