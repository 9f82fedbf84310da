import type { Kysely } from 'kysely';

/**
 * Voice dialer integration (src/store/dialer.ts, src/store/caller-numbers.ts, docs/dialer.md):
 * - `caller_numbers`: the numbers calls may show (caller ID), each owned by the lender or one
 *   agency, registered and (later) retired at an instant; a retired number keeps its row, and may be
 *   registered again as a new row;
 * - `dialer_calls`: one row per call a dialer reported (its own `call_id`), with the gate decision it
 *   led to and a hash of the row's content (the same call again is a duplicate; the same id with
 *   other content is refused);
 * - `gate_decisions.caller_number`: the caller number an attempt showed (null when not given).
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.createTable('caller_numbers')
    .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigserial', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('registered_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();
  await db.schema.createIndex('caller_numbers_number').on('caller_numbers').columns(['number', 'registered_at']).execute();

  await db.schema.createTable('dialer_calls')
    .addColumn('call_id', 'text', (c) => c.primaryKey())
    .addColumn('decision_id', 'bigint', (c) => c.notNull())
    .addColumn('row_hash', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('export_row_id', 'text')
    .addColumn('allowed', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('gate_decisions').addColumn('caller_number', 'text').execute();
}
