/**
 * Commission: what an agency earns on one placement. Pure and exact.
 *
 * recovered  = min(Σ payments dated in [placedOn, end), balance at placement)
 * commission = round_half_up(recovered × rate(bucket at placement)), once per placement, in minor units
 *
 * `end` is the recall date (the first day the account was back; endsOn while not recalled), or
 * the day after `asOf` when that is earlier (commission to date). Payments count by their
 * business date; a payment dated on the recall date is the lender's. Rounding once per placement
 * (not per payment) keeps the total independent of how the borrower split the money.
 */
import { applyRate, type BusinessDate, type Minor, type Rate } from '../core/index.js';

export interface DatedAmount {
  date: BusinessDate;
  amount: Minor;
}

export interface PlacementWindow {
  placedOn: BusinessDate;
  /** exclusive */
  end: BusinessDate;
  /** balance at placement: the most that can be recovered on it */
  balance: Minor;
}

/** Payments dated in [placedOn, end), capped at the placed balance. */
export function recoveredDuring(w: PlacementWindow, payments: readonly DatedAmount[]): Minor {
  let sum = 0;
  for (const p of payments) if (p.date >= w.placedOn && p.date < w.end) sum += p.amount;
  return Math.min(sum, w.balance);
}

export interface CommissionLine {
  recovered: Minor;
  commission: Minor;
}

export function placementCommission(w: PlacementWindow, rate: Rate, payments: readonly DatedAmount[]): CommissionLine {
  const recovered = recoveredDuring(w, payments);
  return { recovered, commission: applyRate(recovered, rate) };
}

/** The end (exclusive) of a placement's window as of a date: min(recall date ?? endsOn, asOf + 1 day). */
export function windowEnd(p: { endsOn: BusinessDate; recalledOn: BusinessDate | null }, dayAfterAsOf: BusinessDate): BusinessDate {
  const end = p.recalledOn ?? p.endsOn;
  return end < dayAfterAsOf ? end : dayAfterAsOf;
}
