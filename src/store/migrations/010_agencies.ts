import { sql, type Kysely } from 'kysely';

/**
 * Collection agencies (src/store/agencies.ts): contracts (commission rate per bucket as decimal
 * text, placement days, capacity, regions) and placements (the account, the agency, the bucket and
 * balance at placement, the window and how it ended). At most one open placement per account.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.createTable('agencies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('commission', 'text', (c) => c.notNull())
    .addColumn('placement_days', 'integer', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('regions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('placements')
    .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigserial', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('balance', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('placed_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('recalled_on', 'text')
    .addColumn('recall_reason', 'text')
    .addColumn('recall_ref', 'text')
    .addColumn('seed', 'text', (c) => c.notNull())
    .addColumn('placed_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create unique index placements_open_account on placements (account_id) where recalled_on is null`.execute(db);
  await db.schema.createIndex('placements_agency').on('placements').columns(['agency_id', 'placed_on']).execute();
  await db.schema.createIndex('placements_account').on('placements').columns(['account_id', 'placed_on']).execute();
}
