import type { Kysely } from 'kysely';

/**
 * Field visits through the gate (src/store/field.ts, docs/field-visits.md): a visit report carries
 * the gate decision taken at check-in (unique: one report per decision; NULL for reports recorded
 * before 017) and the address visited (residential or id_card), which the strategy's `visits.*`
 * facts count.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('visit_reports').addColumn('decision_id', 'bigint').execute();
  await db.schema.alterTable('visit_reports').addColumn('address', 'text').execute();
  // NULLs are distinct in a unique index on both databases: only reports with a decision are unique
  await db.schema.createIndex('visit_reports_decision').unique().on('visit_reports').column('decision_id').execute();
}
