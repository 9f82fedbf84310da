/**
 * Opening the database: SQLite (better-sqlite3, the embedded default) or PostgreSQL (pg).
 * `DATABASE_URL=postgres://…` selects PostgreSQL; otherwise `ARREARS_DB` or ./data/arrears.db.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { SCHEMA_DDL_LOCK, migrateToLatest } from './migrate.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * better-sqlite3 behind Kysely with a prepared-statement cache. Kysely's SQLite driver calls
 * `prepare(sql)` for every query; preparing a 1000-row upsert costs more than running it. Statements
 * are keyed by their SQL text (parameters are bound per call), so caching is invisible to callers.
 */
export function cachingSqlite(raw: SqliteDatabase.Database, max = 256): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (sqlText: string): SqliteDatabase.Statement => {
          let stmt = cache.get(sqlText);
          if (stmt === undefined) {
            stmt = target.prepare(sqlText);
            if (cache.size >= max) cache.delete(cache.keys().next().value as string);
            cache.set(sqlText, stmt);
          }
          return stmt;
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** where it lives, for messages: a file path or a redacted URL */
  readonly location: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** `postgres://…` / `postgresql://…`, a SQLite file path, or `:memory:` */
  url?: string;
  /** PostgreSQL schema to use (created when missing); tests give each suite its own. Default: ARREARS_DB_SCHEMA. */
  schema?: string;
  /** run migrations (default true) */
  migrate?: boolean;
}

export const DEFAULT_SQLITE_FILE = './data/arrears.db';

export function defaultUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL || env.ARREARS_DB || DEFAULT_SQLITE_FILE;
}

function parseSafeInt(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`database integer ${text} exceeds the safe range`);
  return n;
}

function parseNumeric(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new RangeError(`database numeric ${text} is not finite`);
  return n;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export async function openStore(opts: OpenOptions = {}): Promise<Store> {
  const url = opts.url ?? defaultUrl();
  let store: Store;
  if (isPostgresUrl(url)) {
    const schema = opts.schema ?? (process.env.ARREARS_DB_SCHEMA || undefined);
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema name "${schema}" must be lower-case letters, digits and _`);
    if (schema) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: 8,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === PG_INT8) return parseSafeInt;
          if (oid === PG_NUMERIC) return parseNumeric;
          return pg.types.getTypeParser(oid, format ?? 'text');
        }) as typeof pg.types.getTypeParser,
      },
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    store = { db, dialect: 'postgres', location: redact(url) + (schema ? ` (schema ${schema})` : ''), close: () => db.destroy() };
  } else {
    if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true });
    const raw = new SqliteDatabase(url);
    if (url !== ':memory:') raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('cache_size = -65536');
    // reads straight from the OS page cache: no read syscall per page (the cycle scans every row daily)
    if (url !== ':memory:') raw.pragma('mmap_size = 4294967296');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingSqlite(raw) }) });
    store = { db, dialect: 'sqlite', location: url, close: () => db.destroy() };
  }
  if (opts.migrate !== false) await migrateToLatest(store.db as unknown as Kysely<unknown>, store.dialect, isPostgresUrl(url) ? (opts.schema ?? (process.env.ARREARS_DB_SCHEMA || undefined)) : undefined);
  return store;
}

/**
 * Drops a PostgreSQL schema (tests clean up after themselves). Takes SCHEMA_DDL_LOCK exclusively:
 * a migrator elsewhere introspects every schema's tables, and a schema vanishing under it fails it
 * with "schema … does not exist".
 */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema name "${schema}" must be lower-case letters, digits and _`);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [SCHEMA_DDL_LOCK]);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

/** A cheap liveness query. */
export async function ping(store: Store): Promise<void> {
  await sql`select 1`.execute(store.db);
}
