import type { Kysely } from 'kysely';

/**
 * Contact results (src/store/outcomes.ts, docs/outcomes-and-promises.md): an attempt recorded from a
 * gate decision carries the decision (unique: one result per decision), the party called, the agent
 * and agency, and a note; queue items carry the party they call (non-borrower call tasks).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attempts').addColumn('decision_id', 'bigint').execute();
  await db.schema.alterTable('attempts').addColumn('party_id', 'text').execute();
  await db.schema.alterTable('attempts').addColumn('agent_id', 'text').execute();
  await db.schema.alterTable('attempts').addColumn('agency_id', 'text').execute();
  await db.schema.alterTable('attempts').addColumn('note', 'text').execute();
  // NULLs are distinct in a unique index on both databases: only recorded results are unique
  await db.schema.createIndex('attempts_decision').unique().on('attempts').column('decision_id').execute();
  // promises: listPromises reads attempts with outcome promise
  await db.schema.createIndex('attempts_outcome').on('attempts').columns(['outcome', 'account_id']).execute();

  await db.schema.alterTable('queue_items').addColumn('party_id', 'text').execute();
  await db.schema.alterTable('queue_items').addColumn('party_kind', 'text').execute();
}
