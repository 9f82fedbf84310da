/**
 * Versioned migrations that run on SQLite and PostgreSQL alike. Each migration is a module in
 * ./migrations with `up(db, dialect)`; the list below is the order. Applied versions are kept in
 * Kysely's own migration table.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m001 from './migrations/001_foundation.js';
import * as m002 from './migrations/002_strategy.js';
import * as m003 from './migrations/003_gate.js';
import * as m004 from './migrations/004_audit.js';
import * as m005 from './migrations/005_compliance_acts.js';
import * as m006 from './migrations/006_notices.js';
import * as m007 from './migrations/007_gate_contact_point.js';
import * as m008 from './migrations/008_parties.js';
import * as m009 from './migrations/009_outbox.js';
import * as m010 from './migrations/010_agencies.js';
import * as m011 from './migrations/011_queues.js';
import * as m012 from './migrations/012_field.js';
import * as m013 from './migrations/013_contact_results.js';
import * as m014 from './migrations/014_dialer.js';
import * as m015 from './migrations/015_letters.js';
import * as m016 from './migrations/016_api_tokens.js';
import * as m017 from './migrations/017_field_visits.js';
import * as m018 from './migrations/018_field_checkins.js';
import type { Dialect } from './db.js';

type Step = { up: (db: Kysely<unknown>, dialect: Dialect) => Promise<void> };
const MIGRATIONS: ReadonlyArray<readonly [string, Step]> = [['001_foundation', m001], ['002_strategy', m002], ['003_gate', m003], ['004_audit', m004], ['005_compliance_acts', m005],
  ['006_notices', m006], ['007_gate_contact_point', m007], ['008_parties', m008],
  ['009_outbox', m009], ['010_agencies', m010], ['011_queues', m011], ['012_field', m012], ['013_contact_results', m013], ['014_dialer', m014], ['015_letters', m015], ['016_api_tokens', m016], ['017_field_visits', m017], ['018_field_checkins', m018]];

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, step] of MIGRATIONS) out[name] = { up: (db) => step.up(db, this.dialect) };
    return Promise.resolve(out);
  }
}

/**
 * PostgreSQL: migrators hold this advisory lock shared, `dropSchema` exclusively (Kysely's migrator
 * introspects the tables of every schema of the database).
 */
export const SCHEMA_DDL_LOCK = 0x61727265;

/** Whether every migration is already applied (a targeted query: no introspection of the whole database). */
async function upToDate(db: Kysely<unknown>, dialect: Dialect, schema?: string): Promise<boolean> {
  const table = dialect === 'postgres' ? `${schema ?? 'public'}.kysely_migration` : 'kysely_migration';
  try {
    if (dialect === 'postgres') {
      const r = await sql<{ t: string | null }>`select to_regclass(${table})::text as t`.execute(db);
      if (!r.rows[0]?.t) return false;
    }
    const rows = await sql<{ name: string }>`select name from ${sql.raw(table)}`.execute(db);
    const applied = new Set(rows.rows.map((x) => x.name));
    return MIGRATIONS.every(([name]) => applied.has(name));
  } catch {
    return false;
  }
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect, schema?: string): Promise<string[]> {
  if (await upToDate(db, dialect, schema)) return [];
  if (dialect === 'postgres') {
    return db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock_shared(${SCHEMA_DDL_LOCK})`.execute(conn);
      try {
        return await runMigrator(db, dialect, schema);
      } finally {
        await sql`select pg_advisory_unlock_shared(${SCHEMA_DDL_LOCK})`.execute(conn);
      }
    });
  }
  return runMigrator(db, dialect, schema);
}

async function runMigrator(db: Kysely<unknown>, dialect: Dialect, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
