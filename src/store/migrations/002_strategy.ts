import type { Kysely } from 'kysely';

/**
 * Tables of the collection strategy: contact attempts and their outcomes, each account's current
 * stage, the history of stage moves (with the condition and facts that moved it), and the tasks
 * the ladder planned per business date.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const id = dialect === 'sqlite' ? 'integer' : 'bigserial';
  await db.schema.createTable('attempts')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('time', 'text')
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('promise_amount', 'bigint')
    .addColumn('promise_due', 'text')
    .execute();
  await db.schema.createIndex('attempts_account_date').on('attempts').columns(['account_id', 'business_date']).execute();
  await db.schema.createTable('account_stage')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('variant', 'text')
    .execute();
  await db.schema.createTable('stage_moves')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('from_stage', 'text')
    .addColumn('to_stage', 'text', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('variant', 'text')
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('stage_moves_account').on('stage_moves').columns(['account_id', 'business_date']).execute();
  await db.schema.createTable('tasks')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('party', 'text')
    .addColumn('channel', 'text')
    .addColumn('template', 'text')
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('window', 'text')
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tasks_date').on('tasks').columns(['business_date', 'account_id']).execute();
}
