/**
 * The compliance gate at the store: a decision is made and recorded atomically per party and debt,
 * so two workers asking at once for the last permitted slot get one yes and one no.
 *
 * PostgreSQL: transaction-scoped advisory locks on the party and the debt (taken in sorted order,
 * so concurrent deciders never deadlock). SQLite: `BEGIN IMMEDIATE` takes the database's write
 * lock before the history is read (SQLite has one writer at a time anyway).
 * An allowed attempt is recorded as `pending` at once, so it counts against every cap until its
 * outcome is known. Every decision is also appended to the hash-chained audit log.
 */
import type { Kysely } from 'kysely';
import { ValidationError } from '../core/index.js';
import { decide, GATE_OUTCOMES, isPersonal, type AttemptRequest, type Decision, type GateContext, type GateOutcome, type PastAttempt, type Purpose } from '../compliance/index.js';
import type { Borrower, Channel } from '../contact/index.js';
import { rowToBorrower } from './codec.js';
import type { Dialect, Store } from './db.js';
import { appendAudit, atomically, audit } from './audit.js';
import { withLocks } from './locks.js';
import type { Db } from './repo.js';
import { loadGateFacts } from './acts.js';
import { checkCallerNumber } from './caller-numbers.js';
import { CALLER_NUMBER_RULE, normalisePhone } from '../channels/dialer.js';
import type { Database } from './schema.js';

/** How far back the history goes: the longest rolling window of any shipped pack (Reg F, 7 days; UK policy, 30). */
export const GATE_HISTORY_DAYS = 35;

export interface RecordedDecision extends Decision {
  id: number;
}

/** The recorded allowed attempts the gate weighs for `req` (its party or debt, the last GATE_HISTORY_DAYS). */
export async function loadGateHistory(db: Db, req: AttemptRequest): Promise<PastAttempt[]> {
  const since = new Date(Date.parse(req.at) - GATE_HISTORY_DAYS * 86_400_000).toISOString();
  const rows = await db.selectFrom('gate_decisions').selectAll()
    .where('allowed', '=', 1).where('at', '>=', since)
    .where((eb) => eb.or([eb('party_id', '=', req.party.id), eb('debt_id', '=', req.debtId)]))
    .orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({
    at: r.at, debtId: r.debt_id, partyId: r.party_id, contactPointId: r.contact_point,
    channel: r.channel as Channel, outcome: (r.outcome ?? 'pending') as GateOutcome, purpose: r.purpose as Purpose,
    ...(r.personal === 0 ? { personal: false } : {}),
  }));
}

/** The rule packs and holidays for an account's contacts at an instant (the CLI: `accountPacks`, from `arrears gate jurisdiction`). */
export type PacksFor = (accountId: string, at: string) => Promise<Pick<GateContext, 'packs' | 'holidays'>>;

/** Who makes the attempt (recorded with the decision; complaint rates count attempts per agent and agency). */
export interface AttemptMaker {
  agentId?: string | null;
  agencyId?: string | null;
  /**
   * calls: the caller number (caller ID) shown; when given, it must be registered and in use for the
   * attempt's owner (the lender when agencyId is null, else that agency) — else the attempt is
   * blocked by `registered-caller-number` (src/store/caller-numbers.ts). Stored on the decision.
   */
  callerNumber?: string | null;
}

async function decideIn(db: Kysely<Database>, dialect: Dialect, req: AttemptRequest, ctx: Omit<GateContext, 'history'>, by: AttemptMaker): Promise<RecordedDecision> {
  // the recorded compliance acts (holds, opt-outs, workplace, refusal) merged with what the caller passes
  const facts = await loadGateFacts(db, req.debtId, req.party.id, req.at);
  const packed = decide(req, {
    ...ctx, history: await loadGateHistory(db, req),
    holds: [...ctx.holds, ...facts.holds], optOuts: [...ctx.optOuts, ...facts.optOuts],
    workplaceForbidden: ctx.workplaceForbidden || facts.workplaceForbidden, refusedContact: ctx.refusedContact || facts.refusedContact,
    // a debtor recorded as deceased (whole debt) cannot be reached: cn contact persons may pass a message
    debtorUnreachable: ctx.debtorUnreachable === true || facts.holds.some((h) => h.kind === 'deceased' && h.partyId === undefined),
  });
  const caller = by.callerNumber === undefined || by.callerNumber === null ? null : by.callerNumber.trim();
  const decision = caller === null ? packed : await withCallerNumber(db, packed, caller, by.agencyId ?? null, req.at);
  const row = await db.insertInto('gate_decisions').values({
    debt_id: req.debtId, party_id: req.party.id, party_kind: req.party.kind, contact_point: req.contactPoint.id, channel: req.channel,
    purpose: req.purpose, at: new Date(Date.parse(req.at)).toISOString(), allowed: decision.allowed ? 1 : 0, rule: decision.rule,
    reason: decision.reason, next_allowed_at: decision.nextAllowedAt, checked: JSON.stringify(decision.checked), outcome: null,
    agent_id: by.agentId ?? null, agency_id: by.agencyId ?? null,
    personal: isPersonal(req.contactPoint) ? 1 : 0,
    caller_number: caller === null ? null : normalisePhone(caller) ?? caller,
  }).returning('id').executeTakeFirstOrThrow();
  await appendAudit(db, dialect, [{
    at: new Date(Date.parse(req.at)).toISOString(), actor: 'gate', kind: 'gate.decision', entity: `party:${req.party.id}`,
    data: JSON.stringify({ decision: Number(row.id), debt: req.debtId, channel: req.channel, purpose: req.purpose, allowed: decision.allowed, rule: decision.rule }),
  }]);
  return { ...decision, id: Number(row.id) };
}

/** The packs' decision with the caller-number check in front: a number the attempt may not show blocks it (the packs' rules are still listed in `checked`). */
async function withCallerNumber(db: Db, packed: Decision, caller: string, agencyId: string | null, at: string): Promise<Decision> {
  const problem = await checkCallerNumber(db, caller, agencyId, at);
  const checked = [CALLER_NUMBER_RULE, ...packed.checked];
  if (problem === null) return { ...packed, checked };
  const also = packed.allowed ? '' : ` The packs block it too (${packed.rule ?? '?'}).`;
  return { allowed: false, rule: CALLER_NUMBER_RULE, reason: `${problem}${also}`, nextAllowedAt: null, checked };
}

/**
 * Decides an attempt against the recorded history and the recorded compliance acts (src/store/acts.ts:
 * their holds, opt-outs, workplace prohibition and refusal are added to `ctx`'s) and records the
 * decision, with who makes the attempt, atomically.
 */
export async function decideAndRecord(
  store: Store, req: AttemptRequest, ctx: Omit<GateContext, 'history'>, by: AttemptMaker = {},
  /** runs in the decision's transaction, after it is recorded (e.g. the dialer's call id); a throw rolls the decision back */
  within?: (db: Kysely<Database>, dialect: Dialect, decision: RecordedDecision) => Promise<void>,
): Promise<RecordedDecision> {
  if (Number.isNaN(Date.parse(req.at))) throw new ValidationError('at', `must be an ISO 8601 instant, got ${JSON.stringify(req.at)}`);
  return withLocks(store, [`debt:${req.debtId}`, `party:${req.party.id}`], async (db, dialect) => {
    const d = await decideIn(db, dialect, req, ctx, by);
    if (within) await within(db, dialect, d);
    return d;
  });
}

/** Records what an allowed attempt led to (it stops counting as pending). */
export async function recordGateOutcome(store: Store, decisionId: number, outcome: GateOutcome): Promise<void> {
  if (!(GATE_OUTCOMES as readonly string[]).includes(outcome) || outcome === 'pending') {
    throw new ValidationError('outcome', `must be one of ${GATE_OUTCOMES.filter((o) => o !== 'pending').join(', ')}, got ${JSON.stringify(outcome)}`);
  }
  const r = await store.db.updateTable('gate_decisions').set({ outcome }).where('id', '=', decisionId).where('allowed', '=', 1).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new ValidationError('decisionId', `no allowed decision ${decisionId}`);
}

/**
 * The rule packs in force for the database's contacts (`arrears gate jurisdiction`): a default
 * list and lists per country (ISO 3166-1 alpha-2 of the borrower's residential address).
 */
export interface Jurisdictions {
  default: string[] | null;
  byCountry: Record<string, string[]>;
}

export async function loadJurisdictions(db: Db): Promise<Jurisdictions> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'gate.jurisdiction').executeTakeFirst();
  return row ? (JSON.parse(row.value) as Jurisdictions) : { default: null, byCountry: {} };
}

/** Sets the packs for `country` (null: the default list). */
export async function saveJurisdiction(db: Db, country: string | null, packs: readonly string[], actor = 'system'): Promise<Jurisdictions> {
  if (packs.length === 0) throw new ValidationError('jurisdiction', 'must name at least one rule pack');
  if (country !== null && !/^[A-Z]{2}$/.test(country)) throw new ValidationError('country', `must be an ISO 3166-1 alpha-2 code such as US, got "${country}"`);
  return atomically(db, async (tx) => {
    const now = await loadJurisdictions(tx);
    const next: Jurisdictions = country === null ? { ...now, default: [...packs] } : { ...now, byCountry: { ...now.byCountry, [country]: [...packs] } };
    const value = JSON.stringify(next);
    await tx.insertInto('settings').values({ key: 'gate.jurisdiction', value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    await audit(tx, 'gate.jurisdiction', 'settings', { country, packs }, actor);
    return next;
  });
}

/** The packs for a borrower in `country` (null: unknown): the country's list, else the default, else null. */
export function jurisdictionFor(j: Jurisdictions, country: string | null): string[] | null {
  return (country !== null ? j.byCountry[country] : undefined) ?? j.default;
}

/** The country of a borrower's residential (else first) address; null when none is known. */
export function borrowerCountry(b: Pick<Borrower, 'addresses'>): string | null {
  return (b.addresses.find((a) => a.kind === 'residential') ?? b.addresses[0])?.country ?? null;
}

/** The packs that bind an account's contacts (its borrower's country, else the default); null when none are set. */
export async function accountJurisdiction(db: Db, accountId: string): Promise<string[] | null> {
  const row = await db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .select(['borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', '=', accountId).executeTakeFirst();
  if (!row) throw new ValidationError('account', `unknown account "${accountId}"`);
  return jurisdictionFor(await loadJurisdictions(db), borrowerCountry(rowToBorrower(row)));
}

/** A recorded decision with what was asked. */
export interface DecisionRow {
  id: number;
  debtId: string;
  partyId: string;
  partyKind: string;
  contactPoint: string;
  channel: string;
  purpose: string;
  at: string;
  allowed: boolean;
  rule: string | null;
  reason: string;
  nextAllowedAt: string | null;
  outcome: string | null;
  /** the caller number the attempt showed (calls through a dialer, `gate decide --caller`); null when not given */
  callerNumber: string | null;
}

export async function loadDecisions(db: Db, debtId: string, limit = 1000): Promise<DecisionRow[]> {
  const rows = await db.selectFrom('gate_decisions').selectAll().where('debt_id', '=', debtId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: Number(r.id), debtId: r.debt_id, partyId: r.party_id, partyKind: r.party_kind, contactPoint: r.contact_point, channel: r.channel,
    purpose: r.purpose, at: r.at, allowed: r.allowed === 1, rule: r.rule, reason: r.reason, nextAllowedAt: r.next_allowed_at, outcome: r.outcome,
    callerNumber: r.caller_number ?? null,
  }));
}
