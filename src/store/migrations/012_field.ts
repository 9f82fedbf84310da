import { type Kysely } from 'kysely';

/**
 * Field visits (src/store/field.ts): day plans (the whole plan as JSON, one row per saved plan,
 * newest wins for a date) and visit reports (who was met, the outcome, the rest as JSON).
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const id = dialect === 'sqlite' ? 'integer' : 'bigserial';
  await db.schema.createTable('field_plans')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('stops', 'integer', (c) => c.notNull())
    .addColumn('left_over', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('field_plans_date').on('field_plans').columns(['business_date', 'id']).execute();

  await db.schema.createTable('visit_reports')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('visit_date', 'text', (c) => c.notNull())
    .addColumn('met', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('visit_reports_account').on('visit_reports').columns(['account_id', 'visit_date']).execute();
}
