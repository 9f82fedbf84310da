/**
 * Recalls: when an account comes back from its agency. Pure.
 *
 * A placement is recalled on the earliest of
 * - `period_end`: placedOn + the contract's placement days (its `endsOn`);
 * - `complaint`: the date a complaint about the account is received while it is placed
 *   (placedOn ≤ date < endsOn), whoever it names — the account comes back for review;
 * - `plan_agreed`: the date a repayment plan is agreed while it is placed.
 * A recall is due as of `asOf` when that date is ≤ asOf. On the same date, complaint beats
 * plan_agreed beats period_end. The recall date is the first day the account is no longer with the
 * agency: the agency's window is [placedOn, recalledOn).
 */
import type { BusinessDate } from '../core/index.js';

export const RECALL_REASONS = ['period_end', 'complaint', 'plan_agreed', 'manual'] as const;
export type RecallReason = (typeof RECALL_REASONS)[number];

export interface OpenPlacement {
  id: number;
  accountId: string;
  agencyId: string;
  placedOn: BusinessDate;
  /** placedOn + placement days */
  endsOn: BusinessDate;
}

export interface RecallEvent {
  kind: 'complaint' | 'plan_agreed';
  accountId: string;
  on: BusinessDate;
  /** e.g. the complaint id, for the audit entry */
  ref?: string;
}

export interface RecallDue {
  placementId: number;
  accountId: string;
  agencyId: string;
  reason: RecallReason;
  on: BusinessDate;
  ref: string | null;
}

const RANK: Record<RecallReason, number> = { complaint: 0, plan_agreed: 1, manual: 2, period_end: 3 };

export function recallsDue(placements: readonly OpenPlacement[], asOf: BusinessDate, events: readonly RecallEvent[]): RecallDue[] {
  const byAccount = new Map<string, RecallEvent[]>();
  for (const e of events) {
    const list = byAccount.get(e.accountId);
    if (list) list.push(e);
    else byAccount.set(e.accountId, [e]);
  }
  const out: RecallDue[] = [];
  for (const p of placements) {
    let best: RecallDue = { placementId: p.id, accountId: p.accountId, agencyId: p.agencyId, reason: 'period_end', on: p.endsOn, ref: null };
    for (const e of byAccount.get(p.accountId) ?? []) {
      if (e.on < p.placedOn || e.on >= p.endsOn) continue;
      if (e.on < best.on || (e.on === best.on && RANK[e.kind] < RANK[best.reason])) {
        best = { ...best, reason: e.kind, on: e.on, ref: e.ref ?? null };
      }
    }
    if (best.on <= asOf) out.push(best);
  }
  return out.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.placementId - b.placementId));
}
