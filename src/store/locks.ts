/**
 * One transaction holding named locks, the same way on both databases: PostgreSQL takes a
 * transaction-scoped advisory lock per key (in sorted order, so concurrent callers never
 * deadlock); SQLite takes the database's write lock up front with `BEGIN IMMEDIATE` (it has one
 * writer at a time anyway), so a read-then-write inside cannot race another writer.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect, Store } from './db.js';
import type { Database } from './schema.js';

export async function withLocks<T>(store: Store, keys: readonly string[], fn: (db: Kysely<Database>, dialect: Dialect) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') {
    return store.db.transaction().execute(async (tx) => {
      for (const key of [...new Set(keys)].sort()) await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(tx);
      return fn(tx, 'postgres');
    });
  }
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const out = await fn(conn, 'sqlite');
      await sql`commit`.execute(conn);
      return out;
    } catch (e) {
      await sql`rollback`.execute(conn);
      throw e;
    }
  });
}
