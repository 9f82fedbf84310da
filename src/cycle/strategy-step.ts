/**
 * The strategy step: after the ledger has closed the date, each open account's facts are built
 * (set-based inputs for the whole page), the strategy picks its stage (first match, worst first)
 * and plans the day's tasks. Stage moves are recorded with the condition that fired and the facts
 * it saw; tasks are stored as plans (executing them, behind the compliance gate, is later work).
 */
import { addDays, type BusinessDate, type Minor } from '../core/index.js';
import { isConversation, type Attempt } from '../contact/index.js';
import { isPaused, type Account, type AccountState, type BucketDef } from '../ledger/index.js';
import { buildFacts, evaluate, stageMove, type CompiledStrategy, type Evaluation, type Facts, type StageMove, type Task, type VisitRecord } from '../strategy/index.js';
import { chunks, insertTasks, loadAttemptsBetween, type Db } from '../store/repo.js';
import { loadActsBetween } from '../store/acts.js';
import { referencesOnFileBetween } from '../store/parties.js';
import { loadVisitsBetween, type PageVisits } from '../store/field.js';
import { gateFactsFromActs, type ComplianceAct } from '../compliance/index.js';
import { pageRange, type CycleStep, type PageContext } from './steps.js';

/** How far back the facts look at attempts and payments (contact statistics cover 30 days). */
export const FACTS_LOOKBACK_DAYS = 120;

export interface StrategyDay {
  accountId: string;
  date: BusinessDate;
  evaluation: Evaluation;
  move: StageMove | null;
}

/** What the facts need for a page of accounts, loaded set-based (one query per kind). */
export interface FactsInputs {
  stages: Map<string, { stage: string; since: string }>;
  attempts: Map<string, Attempt[]>;
  payments: Map<string, { date: BusinessDate; amount: Minor }[]>;
  /** references with a number in use, per account (parties) */
  references?: Map<string, number>;
  /** recorded compliance acts per account, up to the end of the date */
  acts?: Map<string, ComplianceAct[]>;
  /** the stored visit reports per account, up to the date (src/store/field.ts) */
  visits?: PageVisits;
}

interface Output {
  moves: StageMove[];
  tasks: Task[];
}

const NO_VISITS: readonly VisitRecord[] = Object.freeze([]);
const NO_KEYS: readonly string[] = Object.freeze([]);

/**
 * Visits as the facts want them: the account's visit reports (`reported`: met the borrower = reached, with the
 * address visited), then any visit attempt not recorded from a report (timelines, `gate outcome`): a
 * conversation reached the borrower, anything else failed; such attempts visit the residential address first,
 * then the ID-card address. `reportedAttempts` (`date|outcome`) are the attempts the reports were recorded as.
 */
export function visitsOf(attempts: readonly Attempt[], reported: readonly VisitRecord[] = NO_VISITS, reportedAttempts: readonly string[] = NO_KEYS): readonly VisitRecord[] {
  let out: VisitRecord[] | null = null;
  let failedResidential = reported.some((v) => v.address === 'residential' && v.result === 'failed') ? 1 : 0;
  let skip: Map<string, number> | null = null;
  for (const a of attempts) {
    if (a.channel !== 'visit') continue;
    if (reportedAttempts.length > 0) {
      if (skip === null) {
        skip = new Map();
        for (const k of reportedAttempts) skip.set(k, (skip.get(k) ?? 0) + 1);
      }
      const key = `${a.date}|${a.outcome}`;
      const n = skip.get(key) ?? 0;
      if (n > 0) {
        skip.set(key, n - 1);
        continue;
      }
    }
    const reached = isConversation(a.outcome);
    out ??= [...reported];
    // the ladder visits the residential address first, then the ID-card address
    out.push({ date: a.date, address: failedResidential > 0 ? 'id_card' : 'residential', result: reached ? 'reached' : 'failed' });
    if (!reached) failedResidential++;
  }
  return out ?? reported;
}

/** Loads the facts' inputs for a page of accounts on `date`: current stage, recent attempts and payments. */
export async function loadFactsInputs(db: Db, ids: readonly string[], date: BusinessDate): Promise<FactsInputs> {
  const since = addDays(date, -FACTS_LOOKBACK_DAYS);
  if (ids.length === 0) return { stages: new Map(), attempts: new Map(), payments: new Map() };
  const [first, last] = pageRange(ids);
  const [stageRows, attempts, paymentRows, references, acts, visits] = await Promise.all([
    db.selectFrom('account_stage').select(['account_id', 'stage', 'since']).where('account_id', '>=', first).where('account_id', '<=', last).execute(),
    loadAttemptsBetween(db, first, last, since),
    db.selectFrom('payments').select(['account_id', 'business_date', 'amount'])
      .where('account_id', '>=', first).where('account_id', '<=', last).where('business_date', '>=', since).where('business_date', '<=', date)
      .orderBy('business_date').orderBy('id').execute(),
    referencesOnFileBetween(db, first, last),
    loadActsBetween(db, first, last, endOfDate(date)),
    loadVisitsBetween(db, first, last, date),
  ]);
  const payments = new Map<string, { date: BusinessDate; amount: Minor }[]>();
  for (const p of paymentRows) {
    const list = payments.get(p.account_id);
    const item = { date: p.business_date, amount: p.amount };
    if (list) list.push(item);
    else payments.set(p.account_id, [item]);
  }
  return { stages: new Map(stageRows.map((r) => [r.account_id, { stage: r.stage, since: r.since }])), attempts, payments, references, acts, visits };
}

/** The last instant of a business date, UTC (acts are facts once received; the zone's few hours do not matter for a day's plan). */
function endOfDate(date: BusinessDate): string {
  return `${date}T23:59:59.999Z`;
}

/** The holds in force for the borrower (acts about the debt or about the borrower) at the end of `date`. */
function holdsOf(acts: readonly ComplianceAct[] | undefined, borrowerId: string, date: BusinessDate): Set<string> {
  if (!acts || acts.length === 0) return new Set();
  return new Set(gateFactsFromActs(acts, borrowerId, endOfDate(date)).holds.map((h) => h.kind));
}

/** One account's facts on `date`, as the strategy step builds them. */
export function factsFor(strategy: CompiledStrategy, input: FactsInputs, account: Account, state: AccountState, date: BusinessDate, buckets: readonly BucketDef[]): Facts {
  const prev = input.stages.get(account.id);
  const attempts = input.attempts.get(account.id) ?? [];
  const holds = holdsOf(input.acts?.get(account.id), account.borrowerId, date);
  return buildFacts({
    account,
    state,
    date,
    attempts,
    payments: input.payments.get(account.id) ?? [],
    stage: prev ? { name: prev.stage, since: prev.since } : null,
    flags: {
      paused: isPaused(state.pauses, date),
      disputed: holds.has('dispute') || attempts.some((a) => a.outcome === 'dispute'),
      cease: holds.has('cease'),
      deceased: holds.has('deceased'),
      bankrupt: holds.has('bankruptcy'),
    },
    referencesOnFile: input.references?.get(account.id) ?? 0,
    plan: { active: false, hardshipOpen: attempts.some((a) => a.outcome === 'hardship') },
    visits: visitsOf(attempts, input.visits?.visits.get(account.id), input.visits?.reportedAttempts.get(account.id)),
    buckets: strategy.buckets ?? buckets,
  });
}

export function strategyStep(strategy: CompiledStrategy, onEvaluated?: (d: StrategyDay) => void): CycleStep<FactsInputs, Output> {
  return {
    name: 'strategy',
    load(db, ids, ctx) {
      return loadFactsInputs(db, ids, ctx.date);
    },
    compute(ctx: PageContext, input) {
      const out: Output = { moves: [], tasks: [] };
      for (const pa of ctx.accounts) {
        const { account, state } = pa;
        if (state.asOf !== ctx.date || state.status !== 'open') continue;
        const facts = factsFor(strategy, input, account, state, ctx.date, ctx.buckets);
        const evaluation = evaluate(strategy, facts, { date: ctx.date, accountId: account.id });
        const move = stageMove(strategy, facts, evaluation, { accountId: account.id, date: ctx.date });
        if (move) out.moves.push(move);
        for (const t of evaluation.tasks) out.tasks.push(t);
        onEvaluated?.({ accountId: account.id, date: ctx.date, evaluation, move });
      }
      return out;
    },
    async write(tx: Db, dialect, _ctx, out) {
      for (const c of chunks(out.moves)) {
        await tx.insertInto('stage_moves').values(c.map((m) => ({
          account_id: m.accountId, business_date: m.date, from_stage: m.from, to_stage: m.to, strategy: m.strategy,
          variant: m.variant, condition: m.condition ?? '', facts: JSON.stringify(m.facts),
        }))).execute();
        await tx.insertInto('account_stage')
          .values(c.map((m) => ({ account_id: m.accountId, stage: m.to, since: m.date, strategy: m.strategy, variant: m.variant })))
          .onConflict((oc) => oc.column('account_id').doUpdateSet((eb) => ({
            stage: eb.ref('excluded.stage'), since: eb.ref('excluded.since'), strategy: eb.ref('excluded.strategy'), variant: eb.ref('excluded.variant'),
          })))
          .execute();
      }
      await insertTasks(tx, dialect, out.tasks.map((t) => ({
        account_id: t.accountId, business_date: t.date, type: t.type, party: t.party, channel: t.channel, template: t.template,
        priority: t.priority, window: t.window ? `${t.window.from}-${t.window.to}` : null,
        stage: t.stage, seq: t.seq, address: t.address, status: 'planned',
      })));
    },
  };
}
