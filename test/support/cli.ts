/**
 * Driving the built `arrears` command in tests, on a SQLite file and — when ARREARS_TEST_PG_URL is
 * set — on PostgreSQL in a schema of its own (dropped after the file). Build first
 * (`npm test` does; alone: `npx tsc -p tsconfig.build.json`).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { dropSchema, openStore, type Store } from '../../src/store/db.js';
import { PG_URL, uniqueSchema } from './stores.js';

export const CLI = join(process.cwd(), 'dist/src/cli/main.js');

export interface CliTarget {
  name: 'sqlite' | 'postgres';
  /** DATABASE_URL (and ARREARS_DB_SCHEMA) for the command */
  env: Record<string, string>;
  /** the database, for opening it from the test */
  url: string;
  schema: string | undefined;
}

/** The databases to run a CLI test file on; registers their clean-up. `name` prefixes the temp dir and schema. */
export function cliTargets(name: string): CliTarget[] {
  const dir = mkdtempSync(join(tmpdir(), `arrears-${name}-`));
  const schema = uniqueSchema(name.replace(/[^a-z0-9]/g, '').slice(0, 12) || 'cli');
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (PG_URL) await dropSchema(PG_URL, schema);
  });
  const file = join(dir, `${name}.db`);
  return [
    { name: 'sqlite', env: { DATABASE_URL: file }, url: file, schema: undefined },
    ...(PG_URL ? [{ name: 'postgres' as const, env: { DATABASE_URL: PG_URL, ARREARS_DB_SCHEMA: schema }, url: PG_URL, schema }] : []),
  ];
}

/** A function running `arrears ARGS…` with the target's database and `env`. */
export function cliRunner(t: CliTarget, env: Record<string, string> = {}): (...args: string[]) => SpawnSyncReturns<string> {
  return (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env, ...t.env } });
}

/** Opens the target's database for `fn` (to seed it or look at what a command did) and closes it. */
export async function withDb<T>(t: { url: string; schema: string | undefined }, fn: (s: Store) => Promise<T>): Promise<T> {
  const s = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
