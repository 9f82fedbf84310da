import { sql, type Kysely } from 'kysely';

/**
 * The outbox (src/store/outbox.ts): messages written in the same transaction as the task that
 * produces them, sent by the dispatcher (src/channels/dispatcher.ts) with their idempotency key.
 * `next_attempt_at` is when a pending or failed row is due, and the lease expiry of a `sending`
 * row (a crashed dispatcher's rows become due again when it passes). ISO instants as text.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.createTable('outbox')
    .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigserial', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('sms', 'email')`))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('sender', 'text')
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('task_id', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'sending', 'sent', 'failed', 'dead')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0).check(sql`attempts >= 0`))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('provider_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // the dispatcher's claim: due rows in order; sent and dead rows stay out of the index
  await db.schema.createIndex('outbox_due').on('outbox').columns(['next_attempt_at', 'id'])
    .where(sql<boolean>`status in ('pending', 'sending', 'failed')`).execute();
  await db.schema.createIndex('outbox_dead').on('outbox').columns(['updated_at', 'id'])
    .where(sql<boolean>`status = 'dead'`).execute();
  await db.schema.createIndex('outbox_account').on('outbox').columns(['account_id']).execute();
  await db.schema.createIndex('outbox_task').on('outbox').columns(['task_id']).execute();
}
