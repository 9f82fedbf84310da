import type { Kysely } from 'kysely';

/**
 * The HTTP API (src/http, docs/http-api.md):
 * - `api_tokens`: bearer tokens per user; only the SHA-256 (hex) of a token is kept, a revoked
 *   token keeps its row (`revoked_at`) so nothing is deleted.
 * - SMS delivery receipts (POST /v1/webhooks/sms/:channel): the outbox row's delivery status as
 *   the gateway last reported it (`delivery_status`: queued | sent | delivered | failed | unknown,
 *   the gateway's own word, when), and an index to find a row by the provider's message id.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.createTable('api_tokens')
    .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigserial', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').columns(['user_id']).execute();

  await db.schema.alterTable('outbox').addColumn('delivery_status', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('delivery_provider_status', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('delivery_updated_at', 'text').execute();
  await db.schema.createIndex('outbox_provider').on('outbox').columns(['provider_id']).execute();
}
