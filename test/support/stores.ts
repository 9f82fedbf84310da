/**
 * Runs store-backed tests on every database: SQLite always, PostgreSQL when ARREARS_TEST_PG_URL is
 * set. Each PostgreSQL store gets its own schema so test files run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { dropSchema, openStore, type Store } from '../../src/store/db.js';

export const PG_URL = process.env.ARREARS_TEST_PG_URL;

export interface Backend {
  name: 'sqlite' | 'postgres';
  open(): Promise<Store>;
}

export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export const BACKENDS: Backend[] = [
  { name: 'sqlite', open: () => openStore({ url: ':memory:' }) },
  ...(PG_URL
    ? [{
        name: 'postgres' as const,
        async open(): Promise<Store> {
          const schema = uniqueSchema();
          const store = await openStore({ url: PG_URL, schema });
          return {
            ...store,
            async close() {
              await store.close();
              await dropSchema(PG_URL, schema);
            },
          };
        },
      }]
    : []),
];
