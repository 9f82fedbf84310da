import type { Kysely } from 'kysely';

/**
 * The people on an account besides the borrower record (co-borrowers, guarantors, references,
 * the employer), their contact points as JSON (numbers with type, consent and retirement).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('parties')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('references_on_file', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('parties_account').on('parties').columns(['account_id']).execute();
}
