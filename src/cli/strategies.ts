/**
 * Finding strategy files and the steps of the cycle for a database.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../core/index.js';
import { STEPS, step, strategyStep, type AnyStep } from '../cycle/index.js';
import type { Store } from '../store/db.js';
import { loadActiveStrategy } from '../store/repo.js';
import { loadStrategy } from '../strategy/index.js';

/** The project folder (strategies/ ships there): dist/src/cli → three levels up. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A strategy by name (`default` → strategies/default.yaml, looked up in the working directory,
 * then among the strategies shipped with Arrears) or by path.
 */
export function findStrategyFile(nameOrPath: string): string {
  if (/[\\/]|\.ya?ml$/i.test(nameOrPath)) return nameOrPath;
  const local = resolve('strategies', `${nameOrPath}.yaml`);
  if (existsSync(local)) return local;
  const shipped = resolve(PACKAGE_ROOT, 'strategies', `${nameOrPath}.yaml`);
  if (existsSync(shipped)) return shipped;
  throw new ValidationError('strategy', `no strategy named "${nameOrPath}" (looked for ${local} and ${shipped})`);
}

/** The cycle's steps: the ledger, plus the strategy when one is active in this database. */
export async function activeSteps(s: Store): Promise<readonly AnyStep[]> {
  const active = await loadActiveStrategy(s.db);
  if (!active) return STEPS;
  return [...STEPS, step(strategyStep(loadStrategy(active.text, active.source)))];
}

