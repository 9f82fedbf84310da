/**
 * Allocation: which open agency gets which delinquent account. Pure and deterministic for a seed.
 *
 * 1. Rule: an account takes the first placement rule (in the order given) whose bucket, balance
 *    range (inclusive, minor units) and regions match it. No rule: not placed.
 * 2. Eligible agencies: those the rule allows (all when the rule names none) whose contract has a
 *    commission rate for the account's bucket, whose regions cover the account's region, and that
 *    still have room: capacity − open placements − accounts given to them in this run > 0.
 * 3. Shares: each agency has a weight w = its recovery rate in parts per million,
 *    ⌊min(recovered, placed) × 1,000,000 / placed⌋ over its past placements. An agency without
 *    history (nothing placed) gets the mean weight of the agencies that have one (⌊mean⌋), or
 *    1,000,000 when none has: with no history at all, shares are equal. When every eligible agency
 *    has weight 0, they count as equal.
 * 4. Order: accounts are taken by hashString(`${seed}|${accountId}`), then id; each goes to the
 *    eligible agency with the highest Sainte-Laguë quotient w / (2n + 1), n being the accounts it
 *    got so far in this run (compared exactly on integers); ties go to the lower
 *    hashString(`${seed}|${agencyId}`), then the lower id. Over many accounts an agency's count
 *    approaches n_total × w / Σw (within about one account each when all compete for the same
 *    accounts and nobody is full); the seed decides which accounts, not how many.
 * An account id given twice is placed once (its first occurrence) and reported `duplicate`.
 */
import { hashString, type Minor } from '../core/index.js';
import { regionCovers, type AgencyContract } from './contract.js';

export interface AllocatableAccount {
  id: string;
  /** its bucket today */
  bucket: string;
  /** what it owes today, minor units */
  balance: Minor;
  /** borrower's region (`US`, `US-MA`); null when unknown */
  region: string | null;
}

export interface PlacementRule {
  id: string;
  bucket: string;
  /** inclusive, minor units */
  minBalance: Minor;
  /** inclusive; null: no upper bound */
  maxBalance: Minor | null;
  /** regions the rule applies to; empty: any */
  regions: readonly string[];
  /** agencies allowed by the rule; empty: any agency whose contract fits */
  agencies: readonly string[];
}

/** An agency as allocation sees it: its contract and how many accounts it holds open now. */
export interface AgencyForAllocation extends AgencyContract {
  open: number;
}

/** An agency's past placements: balance placed and amount recovered (minor units). */
export interface AgencyHistory {
  placed: Minor;
  recovered: Minor;
}

export type Performance = ReadonlyMap<string, AgencyHistory>;

export interface PlannedPlacement {
  accountId: string;
  agencyId: string;
  ruleId: string;
  bucket: string;
  balance: Minor;
}

export type UnplacedReason = 'no_rule' | 'no_agency' | 'capacity' | 'duplicate';

export interface Allocation {
  placements: PlannedPlacement[];
  unplaced: { accountId: string; reason: UnplacedReason }[];
}

export const FULL_SCORE = 1_000_000;

/** Recovery rate in parts per million, capped at 1,000,000; null without history. */
export function recoveryScore(h: AgencyHistory | undefined): number | null {
  if (h === undefined || h.placed <= 0) return null;
  const rec = Math.min(Math.max(h.recovered, 0), h.placed);
  // rec ≤ placed ≤ 2^53 and FULL_SCORE < 2^20: BigInt keeps it exact for any safe amounts
  return Number((BigInt(rec) * BigInt(FULL_SCORE)) / BigInt(h.placed));
}

/** The allocation weight of each agency (see the module comment, step 3). */
export function allocationWeights(agencies: readonly Pick<AgencyContract, 'id'>[], performance: Performance): Map<string, number> {
  const known = new Map<string, number>();
  for (const a of agencies) {
    const s = recoveryScore(performance.get(a.id));
    if (s !== null) known.set(a.id, s);
  }
  let fallback = FULL_SCORE;
  if (known.size > 0) {
    let sum = 0;
    for (const v of known.values()) sum += v;
    fallback = Math.floor(sum / known.size);
  }
  return new Map(agencies.map((a) => [a.id, known.get(a.id) ?? fallback]));
}

function ruleMatches(rule: PlacementRule, a: AllocatableAccount): boolean {
  if (rule.bucket !== a.bucket) return false;
  if (a.balance < rule.minBalance) return false;
  if (rule.maxBalance !== null && a.balance > rule.maxBalance) return false;
  return rule.regions.length === 0 || regionCovers(rule.regions, a.region);
}

const byId = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** Allocates accounts to agencies (module comment). Never exceeds a capacity; each account at most once. */
export function allocate(
  accounts: readonly AllocatableAccount[], agencies: readonly AgencyForAllocation[], rules: readonly PlacementRule[],
  performance: Performance, seed: string | number,
): Allocation {
  const s = String(seed);
  const weights = allocationWeights(agencies, performance);
  const room = new Map(agencies.map((a) => [a.id, Math.max(0, a.capacity - Math.max(0, a.open))]));
  const given = new Map(agencies.map((a) => [a.id, 0]));
  const tie = new Map(agencies.map((a) => [a.id, hashString(`${s}|${a.id}`)]));
  const ordered = accounts
    .map((a) => ({ a, h: hashString(`${s}|${a.id}`) }))
    .sort((x, y) => x.h - y.h || byId(x.a.id, y.a.id));
  const out: Allocation = { placements: [], unplaced: [] };
  const seen = new Set<string>();
  for (const { a } of ordered) {
    if (seen.has(a.id)) {
      out.unplaced.push({ accountId: a.id, reason: 'duplicate' });
      continue;
    }
    seen.add(a.id);
    const rule = rules.find((r) => ruleMatches(r, a));
    if (rule === undefined) {
      out.unplaced.push({ accountId: a.id, reason: 'no_rule' });
      continue;
    }
    const fits = agencies.filter((g) => (rule.agencies.length === 0 || rule.agencies.includes(g.id))
      && g.commission[a.bucket] !== undefined && regionCovers(g.regions, a.region));
    if (fits.length === 0) {
      out.unplaced.push({ accountId: a.id, reason: 'no_agency' });
      continue;
    }
    const open = fits.filter((g) => (room.get(g.id) ?? 0) > 0);
    if (open.length === 0) {
      out.unplaced.push({ accountId: a.id, reason: 'capacity' });
      continue;
    }
    const allZero = open.every((g) => (weights.get(g.id) ?? 0) === 0);
    const w = (id: string): number => (allZero ? 1 : (weights.get(id) ?? 0));
    let best = open[0] as AgencyForAllocation;
    for (const g of open.slice(1)) {
      // w_g / (2n_g + 1) vs w_best / (2n_best + 1), cross-multiplied
      const lhs = w(g.id) * (2 * (given.get(best.id) ?? 0) + 1);
      const rhs = w(best.id) * (2 * (given.get(g.id) ?? 0) + 1);
      if (lhs > rhs || (lhs === rhs && ((tie.get(g.id) ?? 0) - (tie.get(best.id) ?? 0) || byId(g.id, best.id)) < 0)) best = g;
    }
    given.set(best.id, (given.get(best.id) ?? 0) + 1);
    room.set(best.id, (room.get(best.id) ?? 0) - 1);
    out.placements.push({ accountId: a.id, agencyId: best.id, ruleId: rule.id, bucket: a.bucket, balance: a.balance });
  }
  return out;
}
