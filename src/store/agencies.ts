/**
 * Collection agencies at the store: contracts, placing accounts (allocation in src/agency, under a
 * lock so capacity holds however many runs race), recalls (due by period end, complaint or agreed
 * plan, or one by hand), commission per placement, the agency scorecard, and agency scoping (an
 * agency user sees only the accounts placed with their agency). Every state change appends an
 * audit entry in its own transaction. See docs/agencies.md.
 */
import { type Selectable } from 'kysely';
import {
  addDays, DomainError, parseDate, parseRate, rateToString, ValidationError, type BusinessDate, type Minor, type Rate,
} from '../core/index.js';
import {
  agencyScore, allocate, parseContract, placementCommission, recoveredDuring, recallsDue, windowEnd,
  type AgencyContract, type AgencyForAllocation, type AgencyHistory, type AgencyScore, type AllocatableAccount, type DatedAmount,
  type PlacementRecord, type PlacementRule, type PromiseRecord, type RecallDue, type RecallEvent, type RecallReason, type UnplacedReason,
} from '../agency/index.js';
import { appendAudit, atomically, audit, changeOptions, dialectOf, type ChangeOptions } from './audit.js';
import type { Store } from './db.js';
import { withLocks } from './locks.js';
import { chunks, type Db } from './repo.js';
import { complaintRates } from './complaints.js';
import { borrowerCountry } from './gate.js';
import { rowToBorrower } from './codec.js';
import type { AgenciesTable, PlacementsTable } from './schema.js';

/** The lock every placement and recall takes: capacity and the one-open-placement rule hold under concurrency. */
const PLACEMENT_LOCK = 'agency.placements';

export type { ChangeOptions } from './audit.js';

function commissionJson(c: Readonly<Record<string, Rate>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(c).map(([b, r]) => [b, rateToString(r)])));
}

function rowToContract(r: Selectable<AgenciesTable>): AgencyContract {
  const raw = JSON.parse(r.commission) as Record<string, string>;
  const commission: Record<string, Rate> = {};
  for (const [b, v] of Object.entries(raw)) commission[b] = parseRate(v, `agencies.${r.id}.commission.${b}`);
  return {
    id: r.id, name: r.name, commission, placementDays: Number(r.placement_days), capacity: Number(r.capacity),
    regions: JSON.parse(r.regions) as string[],
  };
}

/** A contract as plain data (rates as decimal strings), for JSON output and audit entries. */
export function contractToJson(c: AgencyContract): Record<string, unknown> {
  return {
    id: c.id, name: c.name, commission: JSON.parse(commissionJson(c.commission)) as Record<string, string>,
    placementDays: c.placementDays, capacity: c.capacity, regions: c.regions,
  };
}

/** Adds an agency with its contract; an id already used is refused. */
export async function addAgency(store: Store, raw: unknown, o: ChangeOptions = {}): Promise<AgencyContract> {
  const c = parseContract(raw);
  const { actor, now } = changeOptions(o);
  await atomically(store.db, async (tx) => {
    const had = await tx.selectFrom('agencies').select('id').where('id', '=', c.id).executeTakeFirst();
    if (had) throw new ValidationError('agency.id', `agency "${c.id}" exists already`);
    await tx.insertInto('agencies').values({
      id: c.id, name: c.name, commission: commissionJson(c.commission), placement_days: c.placementDays, capacity: c.capacity,
      regions: JSON.stringify(c.regions), created_at: now,
    }).execute();
    await audit(tx, 'agency.added', `agency:${c.id}`, contractToJson(c), actor, now);
  });
  return c;
}

export interface AgencyRow extends AgencyContract {
  /** open placements now */
  open: number;
}

export async function listAgencies(db: Db): Promise<AgencyRow[]> {
  const [rows, open] = await Promise.all([
    db.selectFrom('agencies').selectAll().orderBy('id').execute(),
    db.selectFrom('placements').select((eb) => ['agency_id', eb.fn.countAll<number>().as('n')]).where('recalled_on', 'is', null).groupBy('agency_id').execute(),
  ]);
  const n = new Map(open.map((r) => [r.agency_id, Number(r.n)]));
  return rows.map((r) => ({ ...rowToContract(r), open: n.get(r.id) ?? 0 }));
}

export async function getAgency(db: Db, id: string): Promise<AgencyContract> {
  const r = await db.selectFrom('agencies').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new ValidationError('agency', `unknown agency "${id}"`);
  return rowToContract(r);
}

export interface Placement extends PlacementRecord {
  ruleId: string;
  currency: string;
  recallReason: RecallReason | null;
  recallRef: string | null;
}

function rowToPlacement(r: Selectable<PlacementsTable>): Placement {
  return {
    id: Number(r.id), accountId: r.account_id, agencyId: r.agency_id, ruleId: r.rule_id, bucket: r.bucket, balance: Number(r.balance),
    currency: r.currency, placedOn: r.placed_on, endsOn: r.ends_on, recalledOn: r.recalled_on,
    recallReason: r.recall_reason as RecallReason | null, recallRef: r.recall_ref,
  };
}

export interface PlacementFilter {
  agencyId?: string;
  accountId?: string;
  /** only open ones */
  open?: boolean;
}

export async function listPlacements(db: Db, f: PlacementFilter = {}): Promise<Placement[]> {
  let q = db.selectFrom('placements').selectAll();
  if (f.agencyId !== undefined) q = q.where('agency_id', '=', f.agencyId);
  if (f.accountId !== undefined) q = q.where('account_id', '=', f.accountId);
  if (f.open === true) q = q.where('recalled_on', 'is', null);
  return (await q.orderBy('id').execute()).map(rowToPlacement);
}

/**
 * Each agency's history for allocation: balance placed and amount recovered over its ended
 * (recalled) placements, recovered counted as for commission.
 */
export async function agencyPerformance(db: Db): Promise<Map<string, AgencyHistory>> {
  const ended = (await db.selectFrom('placements').selectAll().where('recalled_on', 'is not', null).execute()).map(rowToPlacement);
  const pays = await appliedPayments(db, ended.map((p) => p.accountId));
  const out = new Map<string, AgencyHistory>();
  for (const p of ended) {
    const h = out.get(p.agencyId) ?? { placed: 0, recovered: 0 };
    const end = p.recalledOn as BusinessDate;
    h.placed += p.balance;
    h.recovered += recoveredDuring({ placedOn: p.placedOn, end, balance: p.balance }, pays.get(p.accountId) ?? []);
    out.set(p.agencyId, h);
  }
  return out;
}

/** Payments the ledger has applied, per account, by business date. */
async function appliedPayments(db: Db, accountIds: readonly string[]): Promise<Map<string, DatedAmount[]>> {
  const out = new Map<string, DatedAmount[]>();
  for (const c of chunks([...new Set(accountIds)], 5000)) {
    const rows = await db.selectFrom('payments').select(['account_id', 'business_date', 'amount'])
      .where('account_id', 'in', c).where('applied_date', 'is not', null).orderBy('business_date').orderBy('id').execute();
    for (const r of rows) {
      const list = out.get(r.account_id) ?? [];
      list.push({ date: r.business_date, amount: Number(r.amount) });
      out.set(r.account_id, list);
    }
  }
  return out;
}

/**
 * Accounts that could be placed: open, in one of `buckets`, with something owed and no open
 * placement. Region: the country of the borrower's residential address (else their first address).
 */
export async function placementCandidates(db: Db, buckets: readonly string[]): Promise<(AllocatableAccount & { currency: string })[]> {
  if (buckets.length === 0) return [];
  const rows = await db.selectFrom('account_state as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .innerJoin('borrowers as b', 'b.id', 'a.borrower_id')
    .leftJoin('placements as p', (j) => j.onRef('p.account_id', '=', 's.account_id').on('p.recalled_on', 'is', null))
    .select(['s.account_id', 's.bucket', 's.total', 's.credit', 'a.currency', 'b.id as bid', 'b.name', 'b.timezone', 'b.data'])
    .where('s.status', '=', 'open').where('s.bucket', 'in', [...new Set(buckets)]).where('p.id', 'is', null)
    .orderBy('s.account_id').execute();
  return rows
    .map((r) => ({
      id: r.account_id, bucket: r.bucket, balance: Math.max(0, Number(r.total) - Number(r.credit)), currency: r.currency,
      region: borrowerCountry(rowToBorrower({ id: r.bid, name: r.name, timezone: r.timezone, data: r.data })),
    }))
    .filter((a) => a.balance > 0);
}

export interface PlaceOptions extends ChangeOptions {
  rules: readonly PlacementRule[];
  /** the placement date */
  asOf: BusinessDate;
  seed: string | number;
  /** only these accounts (default: every candidate) */
  accountIds?: readonly string[];
}

export interface PlaceResult {
  placements: Placement[];
  unplaced: { accountId: string; reason: UnplacedReason }[];
}

/** Allocates the candidate accounts by the rules and records the placements (one audit entry each). */
export async function placeAccounts(store: Store, p: PlaceOptions): Promise<PlaceResult> {
  const asOf = parseDate(p.asOf, 'asOf');
  const { actor, now } = changeOptions(p);
  if (p.rules.length === 0) throw new ValidationError('rules', 'give at least one placement rule');
  const seed = String(p.seed);
  return withLocks(store, [PLACEMENT_LOCK], async (db, dialect) => {
    const agencies: AgencyForAllocation[] = await listAgencies(db);
    if (agencies.length === 0) throw new DomainError('agency.none', 'no agency has been added yet: `arrears agency add` first');
    let candidates = await placementCandidates(db, p.rules.map((r) => r.bucket));
    if (p.accountIds !== undefined) {
      const want = new Set(p.accountIds);
      candidates = candidates.filter((c) => want.has(c.id));
    }
    const currency = new Map(candidates.map((c) => [c.id, c.currency]));
    const plan = allocate(candidates, agencies, p.rules, await agencyPerformance(db), seed);
    const days = new Map(agencies.map((a) => [a.id, a.placementDays]));
    const rows = plan.placements.map((x) => ({
      account_id: x.accountId, agency_id: x.agencyId, rule_id: x.ruleId, bucket: x.bucket, balance: x.balance,
      currency: currency.get(x.accountId) ?? '', placed_on: asOf, ends_on: addDays(asOf, days.get(x.agencyId) ?? 0),
      recalled_on: null, recall_reason: null, recall_ref: null, seed, placed_at: now,
    }));
    const placed: Placement[] = [];
    for (const c of chunks(rows)) {
      const ins = await db.insertInto('placements').values(c).returningAll().execute();
      placed.push(...ins.map(rowToPlacement));
    }
    await appendAudit(db, dialect, placed.map((x) => ({
      at: now, actor, kind: 'agency.placed', entity: `account:${x.accountId}`,
      data: JSON.stringify({ placement: x.id, agency: x.agencyId, rule: x.ruleId, bucket: x.bucket, balance: x.balance, placedOn: x.placedOn, endsOn: x.endsOn, seed }),
    })));
    return { placements: placed, unplaced: plan.unplaced.sort((a, b) => (a.accountId < b.accountId ? -1 : 1)) };
  });
}

async function applyRecalls(db: Db, due: readonly RecallDue[], actor: string, now: string): Promise<RecallDue[]> {
  const done: RecallDue[] = [];
  for (const r of due) {
    const u = await db.updateTable('placements').set({ recalled_on: r.on, recall_reason: r.reason, recall_ref: r.ref })
      .where('id', '=', r.placementId).where('recalled_on', 'is', null).executeTakeFirst();
    if (Number(u.numUpdatedRows) === 1) done.push(r);
  }
  await appendAudit(db, dialectOf(db), done.map((r) => ({
    at: now, actor, kind: 'agency.recalled', entity: `account:${r.accountId}`,
    data: JSON.stringify({ placement: r.placementId, agency: r.agencyId, reason: r.reason, on: r.on, ref: r.ref }),
  })));
  return done;
}

export interface RecallOptions extends ChangeOptions {
  asOf: BusinessDate;
  /** agreed plans and other events the store does not hold (complaints are read from the complaints table) */
  events?: readonly RecallEvent[];
}

/** Recalls every open placement that is due as of `asOf` (period end, complaint, plan agreed). */
export async function recallDue(store: Store, r: RecallOptions): Promise<RecallDue[]> {
  const asOf = parseDate(r.asOf, 'asOf');
  const { actor, now } = changeOptions(r);
  return withLocks(store, [PLACEMENT_LOCK], async (db) => {
    const open = await listPlacements(db, { open: true });
    const events: RecallEvent[] = [...(r.events ?? [])];
    for (const c of chunks([...new Set(open.map((p) => p.accountId))], 5000)) {
      const rows = await db.selectFrom('complaints').select(['id', 'account_id', 'received_on'])
        .where('account_id', 'in', c).where('received_on', '<=', asOf).execute();
      for (const x of rows) events.push({ kind: 'complaint', accountId: x.account_id, on: x.received_on, ref: `complaint:${Number(x.id)}` });
    }
    return applyRecalls(db, recallsDue(open, asOf, events), actor, now);
  });
}

export interface ManualRecall extends ChangeOptions {
  accountId: string;
  reason: Exclude<RecallReason, 'period_end'>;
  on: BusinessDate;
  ref?: string | null;
}

/** Recalls one account's open placement now (a plan was agreed, a complaint came in, by hand). */
export async function recallPlacement(store: Store, m: ManualRecall): Promise<RecallDue> {
  const on = parseDate(m.on, 'on');
  const { actor, now } = changeOptions(m);
  return withLocks(store, [PLACEMENT_LOCK], async (db) => {
    const [p] = await listPlacements(db, { accountId: m.accountId, open: true });
    if (!p) throw new ValidationError('account', `account ${m.accountId} has no open placement`);
    if (on < p.placedOn || on > p.endsOn) throw new ValidationError('on', `must be within the placement (${p.placedOn} … ${p.endsOn}), got ${on}`);
    const [done] = await applyRecalls(db, [{ placementId: p.id, accountId: p.accountId, agencyId: p.agencyId, reason: m.reason, on, ref: m.ref ?? null }], actor, now);
    if (!done) throw new ValidationError('account', `account ${m.accountId}'s placement was recalled meanwhile`);
    return done;
  });
}

export interface CommissionLine {
  placementId: number;
  accountId: string;
  agencyId: string;
  bucket: string;
  rate: string;
  currency: string;
  balance: Minor;
  placedOn: BusinessDate;
  /** the contract's end of the placement (exclusive), or the recall date */
  endsOn: BusinessDate;
  /** exclusive end of the window counted (endsOn, or asOf + 1 day while the placement runs) */
  end: BusinessDate;
  /** still placed: commission to date */
  open: boolean;
  recovered: Minor;
  commission: Minor;
}

/**
 * Commission per placement (src/agency/commission.ts): placements started on or before `asOf`,
 * recovered over [placedOn, recall date) — for open ones up to asOf — times the rate of the bucket
 * at placement, rounded half-up once per placement.
 */
export async function commissionReport(db: Db, f: { asOf: BusinessDate; agencyId?: string }): Promise<CommissionLine[]> {
  const asOf = parseDate(f.asOf, 'asOf');
  const agencies = new Map((await listAgencies(db)).map((a) => [a.id, a]));
  if (f.agencyId !== undefined && !agencies.has(f.agencyId)) throw new ValidationError('agency', `unknown agency "${f.agencyId}"`);
  const list = (await listPlacements(db, f.agencyId === undefined ? {} : { agencyId: f.agencyId })).filter((p) => p.placedOn <= asOf);
  const pays = await appliedPayments(db, list.map((p) => p.accountId));
  const next = addDays(asOf, 1);
  return list.map((p) => {
    const rate = agencies.get(p.agencyId)?.commission[p.bucket] ?? { num: 0, den: 1 };
    const end = windowEnd(p, next);
    const c = placementCommission({ placedOn: p.placedOn, end, balance: p.balance }, rate, pays.get(p.accountId) ?? []);
    return {
      placementId: p.id, accountId: p.accountId, agencyId: p.agencyId, bucket: p.bucket, rate: rateToString(rate), currency: p.currency,
      balance: p.balance, placedOn: p.placedOn, endsOn: p.recalledOn ?? p.endsOn, end, open: p.recalledOn === null || p.recalledOn > asOf, ...c,
    };
  });
}

export interface Scorecard extends AgencyScore {
  name: string;
  /** complaints naming the agency and their rate per 1,000 attempts (src/store/complaints.ts) */
  complaints: number;
  complaintsPerThousand: string | null;
  /** gate decisions recorded for the agency that were blocked */
  gateBlocks: number;
  commission: Minor;
  /** the currency of the agency's placements; null when they are in several (amounts are then sums of minor units) or none */
  currency: string | null;
}

const single = (xs: readonly string[]): string | null => (xs.length > 0 && xs.every((x) => x === xs[0]) ? xs[0] ?? null : null);

/** The scorecard of every agency (or one) as of a date. */
export async function agencyScorecards(db: Db, f: { asOf: BusinessDate; agencyId?: string }): Promise<Scorecard[]> {
  const asOf = parseDate(f.asOf, 'asOf');
  const agencies = (await listAgencies(db)).filter((a) => f.agencyId === undefined || a.id === f.agencyId);
  if (f.agencyId !== undefined && agencies.length === 0) throw new ValidationError('agency', `unknown agency "${f.agencyId}"`);
  const placements = await listPlacements(db, f.agencyId === undefined ? {} : { agencyId: f.agencyId });
  const accounts = [...new Set(placements.map((p) => p.accountId))];
  const pays = await appliedPayments(db, accounts);
  const promises = new Map<string, PromiseRecord[]>();
  for (const c of chunks(accounts, 5000)) {
    const rows = await db.selectFrom('attempts').select(['account_id', 'business_date', 'promise_amount', 'promise_due'])
      .where('account_id', 'in', c).where('outcome', '=', 'promise').where('promise_amount', 'is not', null).where('promise_due', 'is not', null)
      .orderBy('business_date').orderBy('id').execute();
    for (const r of rows) {
      const list = promises.get(r.account_id) ?? [];
      list.push({ accountId: r.account_id, date: r.business_date, amount: Number(r.promise_amount), due: r.promise_due as string });
      promises.set(r.account_id, list);
    }
  }
  const rates = new Map((await complaintRates(db, 'agency', { to: asOf })).map((r) => [r.id, r]));
  const blocks = await db.selectFrom('gate_decisions').select((eb) => ['agency_id', eb.fn.countAll<number>().as('n')])
    .where('allowed', '=', 0).where('agency_id', 'is not', null).where('at', '<', `${addDays(asOf, 1)}T00:00:00.000Z`)
    .groupBy('agency_id').execute();
  const blockN = new Map(blocks.map((b) => [b.agency_id, Number(b.n)]));
  const lines = await commissionReport(db, f);
  return agencies.map((a) => {
    const s = agencyScore(a.id, placements, pays, promises, asOf);
    const r = rates.get(a.id);
    return {
      ...s, name: a.name, complaints: r?.complaints ?? 0, complaintsPerThousand: r?.perThousand ?? null, gateBlocks: blockN.get(a.id) ?? 0,
      commission: lines.filter((l) => l.agencyId === a.id).reduce((sum, l) => sum + l.commission, 0),
      currency: single(placements.filter((p) => p.agencyId === a.id).map((p) => p.currency)),
    };
  });
}

/**
 * Agency scoping, for the API and the CLI: an agency user sees only the accounts placed with
 * their agency and not recalled (rule `agency.scope`).
 */
export async function accountsVisibleTo(db: Db, scope: { agencyId: string }): Promise<string[]> {
  if (typeof scope.agencyId !== 'string' || scope.agencyId === '') throw new ValidationError('agencyId', 'is required');
  const rows = await db.selectFrom('placements').select('account_id').where('agency_id', '=', scope.agencyId).where('recalled_on', 'is', null).orderBy('account_id').execute();
  return rows.map((r) => r.account_id);
}

/** Throws DomainError `agency.scope` unless `accountId` is placed with `agencyId` now. */
export async function assertVisible(db: Db, agencyId: string, accountId: string): Promise<void> {
  if (typeof agencyId !== 'string' || agencyId === '') throw new ValidationError('agencyId', 'is required');
  const row = await db.selectFrom('placements').select('id')
    .where('agency_id', '=', agencyId).where('account_id', '=', accountId).where('recalled_on', 'is', null).executeTakeFirst();
  if (!row) {
    throw new DomainError('agency.scope', `agency.scope: agency "${agencyId}" cannot read account ${accountId}: agency users see only accounts placed with their agency`);
  }
}
