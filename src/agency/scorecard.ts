/**
 * An agency's scorecard from its placements, the payments and promises on the accounts placed with
 * it, its complaints and its blocked gate decisions. Pure; the store gathers the rows.
 *
 * - recovery rate = Σ recovered / Σ balance at placement (per placement as in commission.ts);
 * - promise-kept rate = kept / matured promises, over promises to pay (attempts with outcome
 *   `promise`) made while the account was placed with the agency (attempt date in the placement
 *   window) and due on or before asOf; a promise is kept when the account's payments dated from
 *   the promise date through its due date add up to at least the promised amount (a payment may
 *   count toward more than one promise);
 * - complaints and gate blocks are counts the store adds.
 * Rates are percentages with two decimals, computed on integers and rounded half-up once; null
 * when there is nothing to divide by.
 */
import { addDays, type BusinessDate, type Minor } from '../core/index.js';
import { promiseStatuses } from '../contact/index.js';
import { recoveredDuring, windowEnd, type DatedAmount } from './commission.js';

export interface PlacementRecord {
  id: number;
  accountId: string;
  agencyId: string;
  bucket: string;
  balance: Minor;
  placedOn: BusinessDate;
  endsOn: BusinessDate;
  recalledOn: BusinessDate | null;
}

export interface PromiseRecord {
  accountId: string;
  /** the attempt's business date */
  date: BusinessDate;
  amount: Minor;
  due: BusinessDate;
}

export interface AgencyScore {
  agencyId: string;
  placements: number;
  open: number;
  placedBalance: Minor;
  recovered: Minor;
  /** percent, 2 decimals */
  recoveryRate: string | null;
  promises: number;
  promisesKept: number;
  promiseKeptRate: string | null;
}

/** num / den as a percentage with two decimals, half-up, exact; null when den is 0. */
export function percent(num: number, den: number): string | null {
  if (den <= 0) return null;
  const n = BigInt(num) * 10_000n;
  const d = BigInt(den);
  const h = (2n * n + d) / (2n * d);
  return `${h / 100n}.${(h % 100n).toString().padStart(2, '0')}`;
}

/** Kept by its due date: the promise rules of src/contact/promises.ts (payments from the promise date through due, no grace). */
export function promiseKept(p: PromiseRecord, payments: readonly DatedAmount[]): boolean {
  const [status] = promiseStatuses([{ id: 0, accountId: p.accountId, madeOn: p.date, amount: p.amount, due: p.due, channel: 'call', takenBy: null, agencyId: null }], payments, p.due, 0);
  return status?.state === 'kept';
}

export function agencyScore(
  agencyId: string, placements: readonly PlacementRecord[], payments: ReadonlyMap<string, readonly DatedAmount[]>,
  promises: ReadonlyMap<string, readonly PromiseRecord[]>, asOf: BusinessDate,
): AgencyScore {
  const next = addDays(asOf, 1);
  let placedBalance = 0;
  let recovered = 0;
  let open = 0;
  let made = 0;
  let kept = 0;
  const mine = placements.filter((p) => p.agencyId === agencyId && p.placedOn <= asOf);
  for (const p of mine) {
    const end = windowEnd(p, next);
    if (p.recalledOn === null || p.recalledOn > asOf) open += 1;
    placedBalance += p.balance;
    const pays = payments.get(p.accountId) ?? [];
    recovered += recoveredDuring({ placedOn: p.placedOn, end, balance: p.balance }, pays);
    for (const pr of promises.get(p.accountId) ?? []) {
      if (pr.date < p.placedOn || pr.date >= end || pr.due > asOf) continue;
      made += 1;
      if (promiseKept(pr, pays)) kept += 1;
    }
  }
  return {
    agencyId, placements: mine.length, open, placedBalance, recovered, recoveryRate: percent(recovered, placedBalance),
    promises: made, promisesKept: kept, promiseKeptRate: percent(kept, made),
  };
}
