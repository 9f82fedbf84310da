import type { Kysely } from 'kysely';

/**
 * Work queues (src/store/queues.ts): the users who work accounts (role, agency, skills as JSON,
 * capacity per day) and the queue items built from a business date's planned call tasks (one per
 * task: the agent or null with the reason, the priority, open → done | skipped).
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('agency_id', 'text')
    .addColumn('skills', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('queue_items')
    .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigserial', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('task_id', 'bigint', (c) => c.notNull().unique())
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('priority', 'double precision', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('decision_id', 'bigint')
    .addColumn('outcome', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('queue_items_agent').on('queue_items').columns(['agent_id', 'status', 'priority']).execute();
  await db.schema.createIndex('queue_items_date').on('queue_items').columns(['business_date', 'agent_id']).execute();
}
