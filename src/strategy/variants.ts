/**
 * Champion/challenger: an account's arm comes from a stable hash of `${experiment}:${accountId}`
 * into 10 000 buckets; arms take contiguous bucket ranges in file order by cumulative share
 * (share × 100 buckets each). Changing shares only moves the accounts whose bucket changes range:
 * 80/20 → 70/30 moves exactly the buckets 7000–7999, 10% of accounts, all champion → challenger.
 * A new experiment id reshuffles everyone (that is what a new experiment means).
 */
import { hashString } from '../core/index.js';
import type { ArmDef, StageDef, StrategyFile } from './file.js';

export const VARIANT_BUCKETS = 10_000;

/** FNV-1a over UTF-16 code units, then murmur3's fmix32 (core/hash.ts). */
export const hash32 = hashString;

/** The account's bucket 0..9999 within an experiment. */
export function variantBucket(accountId: string, experiment: string): number {
  return hash32(`${experiment}:${accountId}`) % VARIANT_BUCKETS;
}

/** The arm an account belongs to. Shares are whole percentages summing to 100 (checked in the file). */
export function assignVariant(accountId: string, experiment: string, arms: readonly Pick<ArmDef, 'name' | 'share'>[]): string {
  const b = variantBucket(accountId, experiment);
  let upper = 0;
  for (const arm of arms) {
    upper += arm.share * (VARIANT_BUCKETS / 100);
    if (b < upper) return arm.name;
  }
  // shares summing to less than 100 (an unchecked file): the rest goes to the first arm, the champion
  return arms[0]?.name ?? '';
}

/** The strategy an arm runs: the file with the arm's stage fields and params replaced. */
export function applyOverrides(file: StrategyFile, arm: ArmDef): StrategyFile {
  const stages: StageDef[] = file.stages.map((s) => {
    const o = arm.overrides.stages[s.name];
    if (!o) return s;
    return {
      ...s,
      when: o.when ?? s.when,
      actions: o.actions ?? s.actions,
      description: o.description !== undefined ? o.description : s.description,
      quiet: o.quiet ?? s.quiet,
    };
  });
  return { ...file, stages, params: { ...file.params, ...arm.overrides.params } };
}
