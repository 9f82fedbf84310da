import type { Kysely } from 'kysely';

/**
 * Compliance acts (disputes, cease requests, holds and the acts that lift them), complaints with
 * their links (attempts, agents, agencies) and status history, who made each gate-decided attempt
 * (agent, agency: for complaint rates), and a run's cumulative event and payment counts (for the
 * one audit entry per closed business date).
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const id = dialect === 'sqlite' ? 'integer' : 'bigserial';
  await db.schema.createTable('compliance_acts')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('debt_id', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('contact_point', 'text')
    .addColumn('variant', 'text')
    .addColumn('treatment_ended_at', 'text')
    .addColumn('note', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('compliance_acts_debt').on('compliance_acts').columns(['debt_id', 'at']).execute();

  await db.schema.createTable('complaints')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('received_on', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('response_days', 'integer', (c) => c.notNull())
    .addColumn('deadline_source', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('root_cause', 'text')
    .addColumn('resolution', 'text')
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('complaints_status').on('complaints').columns(['status', 'due_on']).execute();
  await db.schema.createIndex('complaints_account').on('complaints').columns(['account_id']).execute();

  await db.schema.createTable('complaint_links')
    .addColumn('complaint_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('complaint_links_pk', ['complaint_id', 'kind', 'ref'])
    .execute();
  await db.schema.createIndex('complaint_links_ref').on('complaint_links').columns(['kind', 'ref']).execute();

  await db.schema.createTable('complaint_events')
    .addColumn('id', id, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('complaint_id', 'bigint', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('complaint_events_complaint').on('complaint_events').columns(['complaint_id', 'id']).execute();

  await db.schema.alterTable('gate_decisions').addColumn('agent_id', 'text').execute();
  await db.schema.alterTable('gate_decisions').addColumn('agency_id', 'text').execute();
  await db.schema.createIndex('gate_decisions_agent').on('gate_decisions').columns(['agent_id', 'at']).execute();
  await db.schema.createIndex('gate_decisions_agency').on('gate_decisions').columns(['agency_id', 'at']).execute();

  await db.schema.alterTable('cycle_runs').addColumn('events', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('cycle_runs').addColumn('payments', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
