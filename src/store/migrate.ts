/**
 * Versioned migrations that run on SQLite and PostgreSQL alike. Each migration is a module in
 * ./migrations with `up(db, dialect)`; the list below is the order. Applied versions are kept in
 * Kysely's own migration table.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m001 from './migrations/001_foundation.js';
import * as m002 from './migrations/002_strategy.js';
import * as m003 from './migrations/003_gate.js';
import * as m004 from './migrations/004_audit.js';
import * as m005 from './migrations/005_compliance_acts.js';
import * as m006 from './migrations/006_notices.js';
import * as m007 from './migrations/007_gate_contact_point.js';
import type { Dialect } from './db.js';

type Step = { up: (db: Kysely<unknown>, dialect: Dialect) => Promise<void> };
const MIGRATIONS: ReadonlyArray<readonly [string, Step]> = [['001_foundation', m001], ['002_strategy', m002], ['003_gate', m003], ['004_audit', m004], ['005_compliance_acts', m005],
  ['006_notices', m006], ['007_gate_contact_point', m007]];

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, step] of MIGRATIONS) out[name] = { up: (db) => step.up(db, this.dialect) };
    return Promise.resolve(out);
  }
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
