/**
 * Appending to and verifying the audit log. Appends take the log's lock (PostgreSQL: an advisory
 * lock; SQLite: the caller's write transaction), so concurrent writers chain one after another.
 * Call `appendAudit` inside the transaction of the change it records.
 */
import { PostgresAdapter, sql } from 'kysely';
import { ValidationError } from '../core/index.js';
import { chain, verifyChain, type AuditEntry, type ChainCheck, type NewAuditEntry } from '../audit/index.js';
import type { Dialect } from './db.js';
import { chunks, type Db } from './repo.js';

const AUDIT_LOCK = 0x41554454; // 'AUDT'

/** The dialect behind a Kysely instance or transaction (for functions that get only a `Db`). */
export function dialectOf(db: Db): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Runs `fn` in `db` when it is a transaction already, else in a new transaction: a change and its audit entry commit together. */
export async function atomically<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Appends one entry for a change, in `db`'s transaction (`at` defaults to now). */
export async function audit(db: Db, kind: string, entity: string, data: unknown, actor = 'system', at = new Date().toISOString()): Promise<void> {
  await appendAudit(db, dialectOf(db), [{ at, actor, kind, entity, data: JSON.stringify(data) }]);
}

export async function appendAudit(db: Db, dialect: Dialect, entries: readonly NewAuditEntry[]): Promise<AuditEntry[]> {
  if (entries.length === 0) return [];
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(db);
  const last = await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const linked = chain(last ? { seq: Number(last.seq), hash: last.hash } : null, entries);
  for (const c of chunks(linked)) await db.insertInto('audit_log').values(c).execute();
  return linked;
}

/** Verifies the whole log, page by page. */
export async function verifyAudit(db: Db, pageSize = 10_000): Promise<ChainCheck> {
  let before: Pick<AuditEntry, 'seq' | 'hash'> | null = null;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', before?.seq ?? 0).orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) return { ok: true, checked, problem: null };
    const entries = rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    const r = verifyChain(entries, before);
    checked += r.checked;
    if (!r.ok) return { ...r, checked };
    const tail = entries[entries.length - 1] as AuditEntry;
    before = { seq: tail.seq, hash: tail.hash };
  }
}

/** Who makes a change and when (audited changes take these). */
export interface ChangeOptions {
  actor?: string;
  /** ISO instant of the change (default: now) */
  now?: string;
}

/** The actor (default `system`) and the instant (default now, normalised to UTC) of a change. */
export function changeOptions(o: ChangeOptions): { actor: string; now: string } {
  const now = o.now ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(now))) throw new ValidationError('now', `must be an ISO 8601 instant, got ${JSON.stringify(now)}`);
  return { actor: o.actor ?? 'system', now: new Date(Date.parse(now)).toISOString() };
}
