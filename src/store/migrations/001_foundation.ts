import { sql, type Kysely } from 'kysely';

/** Autoincrement primary keys differ per dialect: SQLite INTEGER PRIMARY KEY, PostgreSQL identity. */
function idColumn(dialect: 'sqlite' | 'postgres'): 'integer' | 'bigserial' {
  return dialect === 'sqlite' ? 'integer' : 'bigserial';
}

export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const id = idColumn(dialect);
  await db.schema.createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('spec', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('borrowers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('borrower_id', 'text', (c) => c.notNull().references('borrowers.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('principal', 'bigint', (c) => c.notNull().check(sql`principal > 0`))
    .addColumn('disbursed', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('account_state')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id'))
    .addColumn('as_of', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('dpd', 'integer', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('delinquent_since', 'text')
    .addColumn('principal', 'bigint', (c) => c.notNull().check(sql`principal >= 0`))
    .addColumn('interest', 'bigint', (c) => c.notNull().check(sql`interest >= 0`))
    .addColumn('penalty', 'bigint', (c) => c.notNull().check(sql`penalty >= 0`))
    .addColumn('fees', 'bigint', (c) => c.notNull().check(sql`fees >= 0`))
    .addColumn('total', 'bigint', (c) => c.notNull().check(sql`total >= 0`))
    .addColumn('overdue', 'bigint', (c) => c.notNull().check(sql`overdue >= 0`))
    .addColumn('credit', 'bigint', (c) => c.notNull().check(sql`credit >= 0`))
    .addColumn('data', dialect === 'sqlite' ? 'blob' : sql`bytea`, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_state_bucket').on('account_state').columns(['bucket']).execute();
  await db.schema.createTable('payments')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('applied_date', 'text')
    .execute();
  await db.schema.createIndex('payments_pending').on('payments').columns(['account_id', 'applied_date']).execute();
  await db.schema.createTable('pauses')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('until_date', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pauses_account').on('pauses').columns(['account_id']).execute();
  await db.schema.createTable('ledger_events')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_events_account').on('ledger_events').columns(['account_id', 'business_date']).execute();
  await db.schema.createTable('cycle_runs')
    .addColumn('business_date', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('accounts', 'integer', (c) => c.notNull())
    .addColumn('cursor', 'text')
    .execute();
  await db.schema.createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
