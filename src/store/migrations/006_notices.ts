import type { Kysely } from 'kysely';

/**
 * US validation notices sent (Regulation F, 12 CFR 1006.34): one row per notice, with the dates it
 * set and the SHA-256 of the PDF that was sent. The same PDF for the same debt is recorded once.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.createTable('validation_notices')
    .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigserial', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('debt_id', 'text', (c) => c.notNull())
    .addColumn('sent_on', 'text', (c) => c.notNull())
    .addColumn('assumed_receipt', 'text', (c) => c.notNull())
    .addColumn('validation_period_ends', 'text', (c) => c.notNull())
    .addColumn('itemization_date', 'text', (c) => c.notNull())
    .addColumn('itemization_reference', 'text', (c) => c.notNull())
    .addColumn('current_amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('file_hash', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('validation_notices_debt_hash').on('validation_notices').columns(['debt_id', 'file_hash']).unique().execute();
  await db.schema.createIndex('validation_notices_debt_sent').on('validation_notices').columns(['debt_id', 'sent_on']).execute();
}
