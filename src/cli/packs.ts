/**
 * Finding and loading rule packs (rule-packs/*.yaml) for the CLI and timeline replays.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError, type BusinessDate } from '../core/index.js';
import { calendarByName, loadRulePack, SHIPPED_PACKS, type LoadedPack } from '../compliance/index.js';
import type { ReplayGate } from '../cycle/replay-gate.js';
import type { Store } from '../store/db.js';
import { accountJurisdiction } from '../store/gate.js';
import type { PacksFor } from '../store/queues.js';
import { isStrategyPath, type Timeline } from '../timeline/index.js';

/** The project folder (rule-packs/ ships there): dist/src/cli → three levels up. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A pack by name (`us-regf` → rule-packs/us-regf.yaml in the working directory, then among the
 * packs shipped with Arrears) or by path (relative to `base`, default the working directory).
 */
export function findPackFile(nameOrPath: string, base = '.'): string {
  if (isStrategyPath(nameOrPath)) return resolve(base, nameOrPath);
  const local = resolve('rule-packs', `${nameOrPath}.yaml`);
  if (existsSync(local)) return local;
  const shipped = resolve(PACKAGE_ROOT, 'rule-packs', `${nameOrPath}.yaml`);
  if (existsSync(shipped)) return shipped;
  const looked = local === shipped ? local : `${local} and ${shipped}`;
  throw new ValidationError('jurisdiction', `no rule pack named "${nameOrPath}" (looked for ${looked}; shipped packs: ${SHIPPED_PACKS.join(', ')})`);
}

export function loadPackFile(path: string): LoadedPack {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ValidationError('jurisdiction', `cannot read rule pack ${path}`);
  }
  return loadRulePack(text, path);
}

/** The holidays of the packs' calendars for the years first..last (a calendar without a year's table is an error). */
export function packHolidays(packs: readonly LoadedPack[], first: BusinessDate, last: BusinessDate): BusinessDate[] {
  const out = new Set<BusinessDate>();
  for (const name of new Set(packs.map((p) => p.calendar).filter((c): c is string => c !== undefined))) {
    const cal = calendarByName(name);
    for (let y = Number(first.slice(0, 4)); y <= Number(last.slice(0, 4)); y++) for (const d of cal.holidays(y)) out.add(d);
  }
  return [...out].sort();
}

/** The gate of a timeline with a `jurisdiction`: its packs (paths relative to the timeline) and their holidays; null without one. */
export function loadTimelineGate(t: Pick<Timeline, 'file' | 'jurisdiction' | 'start' | 'until'>): ReplayGate | null {
  if (t.jurisdiction === null) return null;
  const packs = t.jurisdiction.map((j) => loadPackFile(findPackFile(j, dirname(t.file))));
  return { packs, holidays: packHolidays(packs, t.start, t.until) };
}

export interface AccountPacksOptions {
  /** the packs to use for an account with none in force (e.g. `--pack`); default: none */
  fallback?: readonly LoadedPack[] | null;
  /** an account with no packs at all gets an empty list (no check) instead of an error */
  optional?: boolean;
}

/**
 * The packs of `arrears gate jurisdiction` for an account's borrower, with their holidays for the
 * year of the instant and the next — what the gate needs for each contact the CLI and the HTTP API
 * decide. Pack files are read once and holidays computed once per pack list and year.
 */
export function accountPacks(store: Store, o: AccountPacksOptions = {}): PacksFor {
  const files = new Map<string, LoadedPack>();
  const holidays = new Map<string, BusinessDate[]>();
  const load = (n: string): LoadedPack => {
    let p = files.get(n);
    if (!p) files.set(n, (p = loadPackFile(findPackFile(n))));
    return p;
  };
  return async (accountId, at) => {
    const names = await accountJurisdiction(store.db, accountId);
    const packs = names !== null ? names.map(load) : o.fallback ?? null;
    if (packs === null || packs.length === 0) {
      if (o.optional === true) return { packs: [], holidays: [] };
      throw new ValidationError('jurisdiction', `no rule packs are in force for account ${accountId}: set them with \`arrears gate jurisdiction us-regf,us-ma [--country US]\`${o.fallback === undefined ? '' : ' or pass --pack'}`);
    }
    const year = Number(at.slice(0, 4));
    const key = `${packs.map((x) => x.id).join(',')}|${year}`;
    let h = holidays.get(key);
    if (!h) holidays.set(key, (h = packHolidays(packs, `${year}-01-01`, `${year + 1}-12-31`)));
    return { packs: [...packs], holidays: h };
  };
}
