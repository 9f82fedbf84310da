import type { Kysely } from 'kysely';

/**
 * Whether a gate-decided attempt went to a personal contact point (the debtor's residence, cell or
 * a number they gave as personal) — Massachusetts caps personal and other numbers differently
 * (940 CMR 7.04(1)(f)). 1 personal, 0 not; null for rows decided before this column existed
 * (read as personal, the stricter cap).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('gate_decisions').addColumn('personal', 'integer').execute();
}
