import type { Kysely } from 'kysely';

/**
 * Collection letters (src/store/letters.ts, docs/letters.md): one row per letter task handled —
 * printed (with its gate decision, the content drawn, the SHA-256 of its own PDF and its pages),
 * blocked by the gate, or unaddressable (no postal address) — and one row per print batch of a
 * business date (1: the date's batch; 2, 3, …: supplementary batches for tasks added later).
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const id = dialect === 'sqlite' ? 'integer' : 'bigserial';
  await db.schema.createTable('letters')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('task_id', 'bigint', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('party_kind', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('batch', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decision_id', 'bigint')
    .addColumn('rule', 'text')
    .addColumn('reason', 'text')
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('content', 'text')
    .addColumn('sha256', 'text')
    .addColumn('pages', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('letters_date').on('letters').columns(['business_date', 'batch', 'seq']).execute();
  await db.schema.createIndex('letters_account').on('letters').columns(['account_id', 'business_date']).execute();

  await db.schema.createTable('letter_batches')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('batch', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text')
    .addColumn('letters', 'integer', (c) => c.notNull())
    .addColumn('not_printed', 'integer', (c) => c.notNull())
    .addColumn('pages', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('letter_batches_date_batch', ['business_date', 'batch'])
    .execute();
}
