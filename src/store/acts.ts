/**
 * Compliance acts at the store: recorded once, validated, never updated or deleted (a hold ends
 * only by its lifting act), each with an audit entry in the same transaction. `loadGateFacts`
 * folds a debt's acts into the gate's holds, opt-outs and flags (`decideAndRecord` does it for
 * every decision).
 *
 * Recording takes the same per-debt lock as a gate decision (PostgreSQL: the transaction-scoped
 * advisory lock on `debt:<id>`; SQLite: BEGIN IMMEDIATE), so an act and a decision on the same
 * debt never interleave: a decision sees the hold either in full or not at all.
 */
import type { Selectable } from 'kysely';
import { ValidationError } from '../core/index.js';
import { gateFactsFromActs, liftProblem, parseAct, type ComplianceAct, type GateFacts } from '../compliance/index.js';
import type { Channel } from '../contact/index.js';
import { withLocks } from './locks.js';
import { appendAudit } from './audit.js';
import type { Store } from './db.js';
import type { Db } from './repo.js';
import { existingAccountIds } from './repo.js';
import type { ComplianceActsTable } from './schema.js';

export interface RecordedAct extends ComplianceAct {
  id: number;
  actor: string;
  recordedAt: string;
}

function rowToAct(r: Selectable<ComplianceActsTable>): RecordedAct {
  const a: RecordedAct = {
    id: Number(r.id), kind: r.kind as ComplianceAct['kind'], debtId: r.debt_id, partyId: r.party_id, at: r.at,
    source: r.source as ComplianceAct['source'], actor: r.actor, recordedAt: r.recorded_at,
  };
  if (r.channel !== null) a.channel = r.channel as Channel;
  if (r.contact_point !== null) a.contactPoint = r.contact_point;
  if (r.variant !== null) a.variant = r.variant as NonNullable<ComplianceAct['variant']>;
  if (r.variant === 'mental_health_crisis') a.treatmentEndedAt = r.treatment_ended_at;
  if (r.note !== null) a.note = r.note;
  return a;
}

/** A debt's acts, oldest first (by instant, then by recording order); `asOf` (ISO instant) leaves later ones out. */
export async function loadActs(db: Db, debtId: string, asOf?: string): Promise<RecordedAct[]> {
  let q = db.selectFrom('compliance_acts').selectAll().where('debt_id', '=', debtId);
  if (asOf !== undefined) q = q.where('at', '<=', new Date(Date.parse(asOf)).toISOString());
  return (await q.orderBy('at').orderBy('id').execute()).map(rowToAct);
}

/** What the gate needs from the recorded acts for `partyId` on `debtId` as of `asOf` (ISO instant). */
/** The acts of the debts first..last (the cycle's page range) up to `asOf`, grouped by debt. */
export async function loadActsBetween(db: Db, first: string, last: string, asOf: string): Promise<Map<string, RecordedAct[]>> {
  const rows = await db.selectFrom('compliance_acts').selectAll()
    .where('debt_id', '>=', first).where('debt_id', '<=', last).where('at', '<=', asOf).orderBy('at').orderBy('id').execute();
  const out = new Map<string, RecordedAct[]>();
  for (const r of rows) {
    const a = rowToAct(r);
    const list = out.get(a.debtId);
    if (list) list.push(a);
    else out.set(a.debtId, [a]);
  }
  return out;
}

export async function loadGateFacts(db: Db, debtId: string, partyId: string, asOf: string): Promise<GateFacts> {
  if (Number.isNaN(Date.parse(asOf))) throw new ValidationError('asOf', `must be an ISO 8601 instant, got ${JSON.stringify(asOf)}`);
  return gateFactsFromActs(await loadActs(db, debtId, asOf), partyId, asOf);
}

/** Records a validated act inside the caller's transaction, which must hold the debt's lock (withLocks); with its audit entry. */
export async function recordActIn(db: Db, dialect: Store['dialect'], act: ComplianceAct, actor: string, now: string): Promise<RecordedAct> {
  return recordIn(db, dialect, act, actor, now);
}

async function recordIn(db: Db, dialect: Store['dialect'], act: ComplianceAct, actor: string, now: string): Promise<RecordedAct> {
  if ((await existingAccountIds(db, [act.debtId])).size === 0) throw new ValidationError('act.debtId', `unknown account ${act.debtId}`);
  const problem = liftProblem(await loadActs(db, act.debtId), act);
  if (problem !== null) throw new ValidationError('act.kind', `${act.kind}: ${problem}`);
  const row = await db.insertInto('compliance_acts').values({
    debt_id: act.debtId, party_id: act.partyId, kind: act.kind, at: act.at, source: act.source, channel: act.channel ?? null,
    contact_point: act.contactPoint ?? null, variant: act.variant ?? null, treatment_ended_at: act.treatmentEndedAt ?? null,
    note: act.note ?? null, actor, recorded_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  const id = Number(row.id);
  const { debtId, partyId, kind, at, source, channel, contactPoint, variant, treatmentEndedAt, note } = act;
  await appendAudit(db, dialect, [{
    at: now, actor, kind: `act.${kind}`, entity: `account:${debtId}`,
    data: JSON.stringify({ act: id, kind, party: partyId, at, source, channel, contactPoint, variant, treatmentEndedAt, note }),
  }]);
  return { ...act, id, actor, recordedAt: now };
}

/**
 * Validates and records an act (see parseAct for the fields). A lifting act (verification sent,
 * cease withdrawn, opt-in, …) with nothing of its scope in force at its instant is refused. The
 * act and its audit entry commit together, under the debt's lock.
 */
export async function recordAct(store: Store, raw: unknown, opts: { actor?: string; now?: string } = {}): Promise<RecordedAct> {
  const act = parseAct(raw);
  const actor = opts.actor ?? 'system';
  const now = opts.now ?? new Date().toISOString();
  return withLocks(store, [`debt:${act.debtId}`], (db, dialect) => recordIn(db, dialect, act, actor, now));
}
