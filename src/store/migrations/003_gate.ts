import type { Kysely } from 'kysely';

/** Every compliance-gate decision, allowed or blocked, with the attempt's outcome once known. */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.createTable('gate_decisions')
    .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigserial', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('debt_id', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('party_kind', 'text', (c) => c.notNull())
    .addColumn('contact_point', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('allowed', 'integer', (c) => c.notNull())
    .addColumn('rule', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('next_allowed_at', 'text')
    .addColumn('checked', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .execute();
  await db.schema.createIndex('gate_decisions_party').on('gate_decisions').columns(['party_id', 'at']).execute();
  await db.schema.createIndex('gate_decisions_debt').on('gate_decisions').columns(['debt_id', 'at']).execute();
}
