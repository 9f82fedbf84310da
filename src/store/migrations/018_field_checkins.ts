import type { Kysely } from 'kysely';

/**
 * Field check-ins (src/store/field.ts `checkInVisit`, docs/field-visits.md): the visiting team of a
 * visit's gate decision, recorded in the decision's transaction — the collectors' ids (a JSON list,
 * in the order given). A visit report against that decision must name exactly that team.
 * Decisions checked in before 018 have no row (their reports keep the older rule: the agent who
 * checked in among the collectors, all of the same side).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('field_checkins')
    .addColumn('decision_id', 'bigint', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('collectors', 'text', (c) => c.notNull())
    .execute();
}
