/**
 * `arrears strategy diff OLD NEW --replay SOURCE`: the account-days to re-evaluate, from
 * - a timeline (a .yaml/.yml file): replayed twice on fresh in-memory databases, once per version,
 *   compared day by day (exact: nothing the strategy does feeds back into the ledger);
 * - a database (a SQLite file or a postgres:// URL): every account the cycle evaluated on the last
 *   closed business date, with the facts the strategy step saw that day, evaluated with both versions.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { ValidationError, type BusinessDate } from '../core/index.js';
import { isPostgresUrl, openStore, type Store } from '../store/db.js';
import { loadBuckets } from '../store/repo.js';
import { rowToAccount, rowToState } from '../store/codec.js';
import { lastClosedDate } from '../cycle/run.js';
import { replay } from '../cycle/replay.js';
import { loadTimelineGate } from './packs.js';
import { factsFor, loadFactsInputs, type FactsInputs } from '../cycle/strategy-step.js';
import { evaluate, type CompiledStrategy } from '../strategy/index.js';
import { diffEvaluations, type DiffRow, type DiffTask, type StrategyDiff } from '../strategy/diff.js';
import { parseTimeline, type Timeline } from '../timeline/index.js';

export type DiffSource = { kind: 'timeline'; path: string } | { kind: 'db'; url: string };

const OPTION = '--replay';
const SQLITE_MAGIC = 'SQLite format 3\u0000';

function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return n === 16 && buf.toString('latin1') === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** What `--replay` names: a timeline file, a PostgreSQL URL, or an existing SQLite database file. */
export function diffSource(source: string): DiffSource {
  if (source.trim() === '') throw new ValidationError(OPTION, 'must name a timeline (.yaml), a SQLite database file or a postgres:// URL');
  if (isPostgresUrl(source)) return { kind: 'db', url: source };
  if (/\.ya?ml$/i.test(source)) {
    if (!existsSync(source)) throw new ValidationError(OPTION, `cannot read timeline ${source}: no such file`);
    return { kind: 'timeline', path: source };
  }
  if (source === ':memory:') throw new ValidationError(OPTION, 'an in-memory database has no recorded account-days; name a SQLite file or a postgres:// URL');
  if (!existsSync(source)) {
    throw new ValidationError(OPTION, `no such file: ${source} (expected a timeline .yaml/.yml, a SQLite database file or a postgres:// URL)`);
  }
  if (!statSync(source).isFile() || !isSqliteFile(source)) {
    throw new ValidationError(OPTION, `${source} is neither a timeline (.yaml/.yml) nor a SQLite database`);
  }
  return { kind: 'db', url: source };
}

function tasksOf(tasks: readonly DiffTask[] | undefined): DiffTask[] {
  return (tasks ?? []).map((t) => ({ type: t.type, channel: t.channel }));
}

/** The timeline replayed with each version; account-days both evaluated, in trace order. */
export async function timelineRows(t: Timeline, oldS: CompiledStrategy, newS: CompiledStrategy): Promise<DiffRow[]> {
  const gate = loadTimelineGate(t);
  const [a, b] = [await replay(t, { strategy: oldS, ...(gate ? { gate } : {}) }), await replay(t, { strategy: newS, ...(gate ? { gate } : {}) })];
  const key = (account: string, date: string): string => `${account}|${date}`;
  const byKey = new Map(b.rows.map((r) => [key(r.account, r.date), r]));
  const rows: DiffRow[] = [];
  for (const o of a.rows) {
    const n = byKey.get(key(o.account, o.date));
    if (o.stage === undefined || n?.stage === undefined) continue;
    rows.push({ accountId: o.account, date: o.date, old: { stage: o.stage, tasks: tasksOf(o.tasks) }, new: { stage: n.stage, tasks: tasksOf(n.tasks) } });
  }
  return rows;
}

/**
 * `account_stage` holds the stage after the last closed date's evaluation; the facts that day saw
 * the stage before it. For accounts that moved on `date`, put back the stage (and its start) they
 * moved from: the latest earlier move's target, or none.
 */
async function stagesBefore(store: Store, ids: readonly string[], date: BusinessDate, input: FactsInputs): Promise<void> {
  const moved = await store.db.selectFrom('stage_moves').select('account_id')
    .where('account_id', 'in', ids).where('business_date', '=', date).execute();
  if (moved.length === 0) return;
  const movedIds = moved.map((m) => m.account_id);
  const earlier = await store.db.selectFrom('stage_moves').select(['account_id', 'business_date', 'to_stage'])
    .where('account_id', 'in', movedIds).where('business_date', '<', date)
    .orderBy('account_id').orderBy('business_date').orderBy('id').execute();
  const last = new Map<string, { stage: string; since: string }>();
  for (const e of earlier) last.set(e.account_id, { stage: e.to_stage, since: e.business_date });
  for (const id of movedIds) {
    const prev = last.get(id);
    if (prev) input.stages.set(id, prev);
    else input.stages.delete(id);
  }
}

export interface DbRows {
  date: BusinessDate;
  rows: DiffRow[];
}

/**
 * The last closed business date's account-days: open accounts closed through that date (the ones the
 * strategy step evaluated), paged by id, facts built as the strategy step builds them.
 */
export async function databaseRows(store: Store, oldS: CompiledStrategy, newS: CompiledStrategy, pageSize = 2000): Promise<DbRows> {
  const date = await lastClosedDate(store.db);
  if (date === null) throw new ValidationError(OPTION, `${store.location}: no business date has been closed yet; nothing to re-evaluate`);
  const buckets = await loadBuckets(store.db);
  const rows: DiffRow[] = [];
  let cursor = '';
  for (;;) {
    const page = await store.db.selectFrom('account_state as s').innerJoin('accounts as a', 'a.id', 's.account_id')
      .select(['a.id', 'a.borrower_id', 'a.product_id', 'a.currency', 'a.principal', 'a.disbursed',
        's.as_of', 's.status', 's.dpd', 's.bucket', 's.delinquent_since', 's.credit', 's.data'])
      .where('s.status', '=', 'open').where('s.as_of', '=', date).where('s.account_id', '>', cursor)
      .orderBy('s.account_id').limit(pageSize).execute();
    if (page.length === 0) break;
    const ids = page.map((r) => r.id);
    const input = await loadFactsInputs(store.db, ids, date);
    await stagesBefore(store, ids, date, input);
    for (const r of page) {
      const account = rowToAccount(r);
      const state = rowToState(r);
      const side = (s: CompiledStrategy): DiffRow['old'] => {
        const e = evaluate(s, factsFor(s, input, account, state, date, buckets), { date, accountId: account.id });
        return { stage: e.stage, tasks: tasksOf(e.tasks) };
      };
      rows.push({ accountId: account.id, date, old: side(oldS), new: side(newS) });
    }
    cursor = ids[ids.length - 1] as string;
    if (page.length < pageSize) break;
  }
  return { date, rows };
}

function readTimeline(path: string): Timeline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError(OPTION, `cannot read timeline ${path}${code ? ` (${code})` : ''}`);
  }
  return parseTimeline(text, path);
}

/** Runs the diff of two compiled versions over `source` (see diffSource). */
export async function strategyDiff(oldS: CompiledStrategy, newS: CompiledStrategy, source: string, opts: { examples?: number; pageSize?: number } = {}): Promise<StrategyDiff> {
  const src = diffSource(source);
  const names = { old: oldS.ref, new: newS.ref, ...(opts.examples !== undefined ? { examples: opts.examples } : {}) };
  if (src.kind === 'timeline') {
    const rows = await timelineRows(readTimeline(src.path), oldS, newS);
    return diffEvaluations(rows, { ...names, source: `timeline ${src.path}` });
  }
  const store = await openStore({ url: src.url });
  try {
    const { date, rows } = await databaseRows(store, oldS, newS, opts.pageSize);
    return diffEvaluations(rows, { ...names, source: `database ${store.location}, last closed business date ${date}` });
  } finally {
    await store.close();
  }
}
