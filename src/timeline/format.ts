/**
 * Trace output of a timeline run: one row per account per business date, as JSON Lines (for
 * machines and golden files) or as an aligned text table (for people). Rows of a timeline run
 * with a strategy carry the strategy columns (`stage`, `variant`, `stageChangedBecause`, `tasks`);
 * rows without one have exactly the ledger columns.
 */
import { formatMinorGrouped, parseDate } from '../core/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import type { TraceExpectation } from './types.js';

export interface TraceBalances {
  principal: number;
  interest: number;
  penalty: number;
  fees: number;
  total: number;
}

export interface TraceRow {
  date: string;
  account: string;
  dpd: number;
  bucket: string;
  delinquentSince: string | null;
  /** what is owed in total, by component (minor units) */
  balances: TraceBalances;
  /** the due-and-unpaid part: past-due instalments plus penalty and charges (minor units) */
  overdue: number;
  /** LedgerEvents of the day (and, later, other domain events) */
  events: unknown[];
  /** the strategy stage after the day's evaluation; absent when the run has no strategy */
  stage?: string;
  /** the champion/challenger variant the account is assigned to; null without an experiment */
  variant?: string | null;
  /** on the day the stage changed: why (the condition that fired); null on other days */
  stageChangedBecause?: string | null;
  /** tasks the strategy planned for the day */
  tasks?: TraceTask[];
  /** the compliance gate's decisions of the day, in time order; absent when the timeline has no jurisdiction */
  decisions?: TraceDecision[];
  /** the day's automated sends (planned SMS, e-mail and letter tasks), in time order; absent when nothing is automated */
  sent?: TraceSend[];
  /** every promise to pay made so far and its state as of the date; absent when the timeline scripts no promise */
  promises?: TracePromise[];
  /** the file's `check:` events for this account and date (not printed; expectationFailures reads them) */
  checks?: (TraceExpectation & { line: number })[];
}

/** An automated send: a planned SMS, e-mail or letter task as executed by the replay. */
export interface TraceSend {
  /** the instant it was attempted (ISO 8601 UTC); null when it was not sendable */
  time: string | null;
  /** the task type (sms, email, letter, offer) */
  task: string;
  channel: string;
  /** the party kind of the task (borrower, reference, …) */
  party: string;
  /** the person's id; null when the account has nobody of that kind */
  person: string | null;
  /** the number, e-mail address or postal address used; null when there is none */
  to: string | null;
  template: string | null;
  /** sent: it went out; blocked: the gate said no; not_sendable: no contact point for it */
  status: 'sent' | 'blocked' | 'not_sendable';
  /** the blocking rule (status blocked) */
  rule: string | null;
  /** why it was blocked or not sendable; null when sent */
  reason: string | null;
  /** the rendered message; null when not sent */
  text: string | null;
  /** the recording channel's id for it (sms, e-mail: `rec-000001`; letters: `post-000001`); null when not sent */
  providerId: string | null;
}

/** A promise to pay as of a trace row's date (promiseStatuses). */
export interface TracePromise {
  madeOn: string;
  amount: number;
  due: string;
  /** payments from madeOn through due (+ grace) and on or before the date */
  paid: number;
  remaining: number;
  state: 'open' | 'kept' | 'broken';
  /** the date it was kept or broken; null while open */
  settledOn: string | null;
  channel: string;
  /** the agent who took it; null when not named */
  takenBy: string | null;
  agencyId: string | null;
}

/** One gate decision as shown in the trace. A blocked attempt never happens: no outcome is recorded for it. */
export interface TraceDecision {
  /** the attempt's instant, ISO 8601 UTC */
  time: string;
  /** the person contacted (party id) */
  party: string;
  channel: string;
  allowed: boolean;
  /** the blocking rule (e.g. `us-regf/7-in-7`); null when allowed */
  rule: string | null;
  reason: string;
  nextAllowedAt: string | null;
  /** who made the attempt (`agent:`), when named */
  agent?: string;
  /** the agency that made it (`agency:`), when named */
  agency?: string;
  /** the file's `expect:` for this attempt, when it has one */
  expected?: string;
  /** the file line of the attempt */
  line?: number;
}

/** Does the decision match the expectation (`allowed`, `blocked`, or the blocking rule's id)? */
export function meetsExpectation(d: Pick<TraceDecision, 'allowed' | 'rule'>, expected: string): boolean {
  if (expected === 'allowed') return d.allowed;
  if (expected === 'blocked') return !d.allowed;
  return !d.allowed && d.rule === expected;
}

/**
 * One line per decision that differs from its `expect:`, e.g. `timelines/x.yaml:12: 2026-03-04T18:00:00.000Z L1 call: expected allowed, got blocked by us-regf/7-in-7 (…)`,
 * and per `check:` count that differs, e.g. `timelines/x.yaml:40: 2026-03-05 L-1: expected sent 1, got 0`.
 */
export function expectationFailures(rows: readonly TraceRow[], file: string): string[] {
  const out: string[] = [];
  for (const r of rows) {
    for (const d of r.decisions ?? []) {
      if (d.expected === undefined || meetsExpectation(d, d.expected)) continue;
      const got = d.allowed ? 'allowed' : `blocked by ${d.rule ?? '?'} (${d.reason})`;
      out.push(`${file}:${d.line ?? '?'}: ${d.time} ${r.account} ${d.party} ${d.channel}: expected ${d.expected}, got ${got}`);
    }
    for (const c of r.checks ?? []) {
      for (const m of checkMismatches(r, c)) out.push(`${file}:${c.line}: ${r.date} ${r.account}: ${m}`);
    }
  }
  return out;
}

/** What differs between a row and a `check:`: `expected sent 1, got 0`, `expected promises kept 1, got 0`. */
export function checkMismatches(r: Pick<TraceRow, 'sent' | 'promises'>, c: TraceExpectation): string[] {
  const out: string[] = [];
  const sends = r.sent ?? [];
  const statusOf = { sent: 'sent', blocked: 'blocked', notSendable: 'not_sendable' } as const;
  for (const k of ['sent', 'blocked', 'notSendable'] as const) {
    const want = c[k];
    if (want === undefined) continue;
    const got = sends.filter((x) => x.status === statusOf[k]).length;
    if (got !== want) out.push(`expected ${k} ${want}, got ${got}`);
  }
  for (const k of ['open', 'kept', 'broken'] as const) {
    const want = c.promises?.[k];
    if (want === undefined) continue;
    const got = (r.promises ?? []).filter((p) => p.state === k).length;
    if (got !== want) out.push(`expected promises ${k} ${want}, got ${got}`);
  }
  return out;
}

/**
 * A planned task as shown in the trace: its `type` (call, sms, email, letter, visit, place_agency,
 * legal_review, charge_off, offer), target party and channel (null for tasks without one, such as
 * charge_off), and any other fields (template, priority, window, …) after those.
 */
export interface TraceTask {
  type: string;
  party: string | null;
  channel: string | null;
  readonly [field: string]: unknown;
}

function orderedTask(t: TraceTask): TraceTask {
  return { type: t.type, party: t.party, channel: t.channel, ...withoutHead(t) };
}

/** `t` without type, party and channel (so they come first in the JSON). */
function withoutHead(t: TraceTask): Record<string, unknown> {
  const { type: _type, party: _party, channel: _channel, ...rest } = t;
  return rest;
}

/** Rebuilds the row so the JSON keys come out in the documented order whatever the input's order. */
function ordered(r: TraceRow): TraceRow {
  return {
    date: r.date,
    account: r.account,
    dpd: r.dpd,
    bucket: r.bucket,
    delinquentSince: r.delinquentSince,
    balances: {
      principal: r.balances.principal,
      interest: r.balances.interest,
      penalty: r.balances.penalty,
      fees: r.balances.fees,
      total: r.balances.total,
    },
    overdue: r.overdue,
    events: r.events,
    ...(r.stage !== undefined ? { stage: r.stage } : {}),
    ...(r.variant !== undefined ? { variant: r.variant } : {}),
    ...(r.stageChangedBecause !== undefined ? { stageChangedBecause: r.stageChangedBecause } : {}),
    ...(r.tasks !== undefined ? { tasks: r.tasks.map(orderedTask) } : {}),
    ...(r.decisions !== undefined ? {
      decisions: r.decisions.map((d) => ({
        time: d.time, party: d.party, channel: d.channel, allowed: d.allowed, rule: d.rule, reason: d.reason, nextAllowedAt: d.nextAllowedAt,
        ...(d.agent !== undefined ? { agent: d.agent } : {}),
        ...(d.agency !== undefined ? { agency: d.agency } : {}),
        ...(d.expected !== undefined ? { expected: d.expected } : {}),
      })),
    } : {}),
    ...(r.sent !== undefined ? {
      sent: r.sent.map((x) => ({
        time: x.time, task: x.task, channel: x.channel, party: x.party, person: x.person, to: x.to, template: x.template,
        status: x.status, rule: x.rule, reason: x.reason, text: x.text, providerId: x.providerId,
      })),
    } : {}),
    ...(r.promises !== undefined ? {
      promises: r.promises.map((p) => ({
        madeOn: p.madeOn, amount: p.amount, due: p.due, paid: p.paid, remaining: p.remaining, state: p.state, settledOn: p.settledOn,
        channel: p.channel, takenBy: p.takenBy, agencyId: p.agencyId,
      })),
    } : {}),
  };
}

/** One JSON object per line, each line ending in a newline; '' for no rows. */
export function formatJsonLines(rows: Iterable<TraceRow>): string {
  let out = '';
  for (const r of rows) out += `${JSON.stringify(ordered(r))}\n`;
  return out;
}

/** Rows on or before `until` (a YYYY-MM-DD date) and of `account`, when given. */
export function filterRows(rows: Iterable<TraceRow>, opts: { until?: string; account?: string } = {}): TraceRow[] {
  const until = opts.until === undefined ? undefined : parseDate(opts.until, 'until');
  const out: TraceRow[] = [];
  for (const r of rows) {
    if (until !== undefined && r.date > until) continue;
    if (opts.account !== undefined && r.account !== opts.account) continue;
    out.push(r);
  }
  return out;
}

const LEDGER_EVENT_TYPES: ReadonlySet<string> = new Set<LedgerEvent['type']>([
  'instalment_due', 'payment', 'credit_applied', 'liquidated_damages', 'cost_cap_reached', 'bucket_change', 'cured',
  'paused', 'closed',
]);

function isLedgerEvent(e: unknown): e is LedgerEvent {
  return typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string'
    && LEDGER_EVENT_TYPES.has((e as { type: string }).type);
}

function describeLedgerEvent(e: LedgerEvent, currency: string): string {
  const m = (n: number): string => formatMinorGrouped(n, currency);
  switch (e.type) {
    case 'instalment_due':
      return `due #${e.n} ${m(e.principal + e.interest)}`;
    case 'payment': {
      const extra: string[] = [];
      if (e.allocation.prepaid > 0) extra.push(`prepaid ${m(e.allocation.prepaid)}`);
      if (e.allocation.credit > 0) extra.push(`credit ${m(e.allocation.credit)}`);
      return `payment ${m(e.amount)}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
    }
    case 'credit_applied':
      return `credit→#${e.n} ${m(e.amount)}`;
    case 'liquidated_damages':
      return `LD #${e.n} ${m(e.amount)}`;
    case 'cost_cap_reached':
      return `cost cap reached (forgone ${m(e.forgone)})`;
    case 'bucket_change':
      return `${e.from}→${e.to}`;
    case 'cured':
      return 'cured';
    case 'paused':
      return `paused until ${e.until} (${e.reason})`;
    case 'closed':
      return 'closed';
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

/**
 * A short description of one event for the table, e.g. `payment 1,000.00`, `LD #2 44.42`, `M2→M1`.
 * Events that are not LedgerEvents are shown by their `type`, or as JSON.
 */
export function describeEvent(e: LedgerEvent | unknown, currency: string): string {
  if (isLedgerEvent(e)) return describeLedgerEvent(e, currency);
  if (typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string') {
    const o = e as { type: string; key?: unknown };
    if (o.type === 'payment_ignored') return `payment ${String(o.key)} ignored (key already used)`;
    if (o.type === 'flag') return `flag ${String((e as { act?: unknown }).act)}`;
    if (o.type === 'flag_ignored') return `flag ${String((e as { act?: unknown }).act)} ignored (${String((e as { reason?: unknown }).reason)})`;
    return o.type;
  }
  return JSON.stringify(e) ?? String(e);
}

/**
 * A short summary of a day's tasks for the table: one item per task type in first-seen order,
 * `×N` when there are several, and `→party` when the target is not the borrower; `-` for none.
 * E.g. `call×3 sms`, `call→reference×2`, `charge_off`.
 */
export function summarizeTasks(tasks: readonly TraceTask[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) {
    const key = t.party !== null && t.party !== 'borrower' ? `${t.type}→${t.party}` : t.type;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 0) return '-';
  return [...counts].map(([k, n]) => (n > 1 ? `${k}×${n}` : k)).join(' ');
}

interface Column {
  header: string;
  right: boolean;
  cell: (r: TraceRow, money: (n: number) => string) => string;
}

const BASE_HEAD: readonly Column[] = [
  { header: 'date', right: false, cell: (r) => r.date },
  { header: 'account', right: false, cell: (r) => r.account },
  { header: 'DPD', right: true, cell: (r) => String(r.dpd) },
  { header: 'bucket', right: false, cell: (r) => r.bucket },
];
const STAGE: Column = { header: 'stage', right: false, cell: (r) => r.stage ?? '-' };
const VARIANT: Column = { header: 'variant', right: false, cell: (r) => r.variant ?? '-' };
const BASE_MIDDLE: readonly Column[] = [
  { header: 'since', right: false, cell: (r) => r.delinquentSince ?? '-' },
  { header: 'principal', right: true, cell: (r, m) => m(r.balances.principal) },
  { header: 'interest', right: true, cell: (r, m) => m(r.balances.interest) },
  { header: 'penalty', right: true, cell: (r, m) => m(r.balances.penalty) },
  { header: 'fees', right: true, cell: (r, m) => m(r.balances.fees) },
  { header: 'total', right: true, cell: (r, m) => m(r.balances.total) },
  { header: 'overdue', right: true, cell: (r, m) => m(r.overdue) },
];
const TASKS: Column = { header: 'tasks', right: false, cell: (r) => summarizeTasks(r.tasks ?? []) };
const GATE: Column = { header: 'gate', right: false, cell: (r) => summarizeDecisions(r.decisions ?? []) };
const SENT: Column = { header: 'sent', right: false, cell: (r) => summarizeSends(r.sent ?? []) };
const PROMISES: Column = { header: 'promises', right: false, cell: (r, m) => summarizePromises(r.promises ?? [], m) };

/**
 * The day's automated sends for the table: `CHANNEL[→party]:TEMPLATE`, then ` blocked (RULE)` or
 * ` not sendable` when it did not go out; `, ` between them; `-` for none. E.g. `sms:overdue, letter:late_notice blocked (us-regf/cease)`.
 */
export function summarizeSends(sends: readonly TraceSend[]): string {
  if (sends.length === 0) return '-';
  return sends.map((x) => {
    const head = `${x.channel}${x.party !== 'borrower' ? `→${x.party}` : ''}:${x.template ?? '-'}`;
    if (x.status === 'blocked') return `${head} blocked (${x.rule ?? '?'})`;
    if (x.status === 'not_sendable') return `${head} not sendable`;
    return head;
  }).join(', ');
}

/**
 * The promises made so far for the table: counts by state, the open ones with what is left to pay,
 * e.g. `1 open (400.00 left), 1 kept, 1 broken`; `-` for none.
 */
export function summarizePromises(promises: readonly TracePromise[], money: (n: number) => string): string {
  if (promises.length === 0) return '-';
  const parts: string[] = [];
  const open = promises.filter((p) => p.state === 'open');
  if (open.length > 0) parts.push(`${open.length} open (${money(open.reduce((n, p) => n + p.remaining, 0))} left)`);
  for (const s of ['kept', 'broken'] as const) {
    const n = promises.filter((p) => p.state === s).length;
    if (n > 0) parts.push(`${n} ${s}`);
  }
  return parts.join(', ');
}

/**
 * A short summary of a day's gate decisions for the table: how many were allowed and, for the
 * blocked ones, the blocking rules with counts; `-` for none. E.g. `3 allowed`, `7 allowed, 1 blocked: us-regf/7-in-7`.
 */
export function summarizeDecisions(decisions: readonly TraceDecision[]): string {
  if (decisions.length === 0) return '-';
  const ok = decisions.filter((d) => d.allowed).length;
  const rules = new Map<string, number>();
  for (const d of decisions) if (!d.allowed) rules.set(d.rule ?? '?', (rules.get(d.rule ?? '?') ?? 0) + 1);
  const blocked = decisions.length - ok;
  const parts = [`${ok} allowed`];
  if (blocked > 0) parts.push(`${blocked} blocked: ${[...rules].map(([r, n]) => (n > 1 ? `${r}×${n}` : r)).join(' ')}`);
  return parts.join(', ');
}

/**
 * An aligned text table, one line per row, amounts with thousands separators in each account's
 * currency, and the day's events in the last column separated by `; `.
 *
 * When any row has a `stage`, a `stage` column follows `bucket` (plus a `variant` column when any
 * row has a variant) and a `tasks` column (summarizeTasks) precedes `events`; on a day the stage
 * changed, the events end with `→STAGE (because)`. A timeline with a jurisdiction adds a `gate`
 * column (summarizeDecisions); automated sends add a `sent` column (summarizeSends) and scripted
 * promises a `promises` column (summarizePromises).
 */
export function formatTable(rows: readonly TraceRow[], currencyOf: (accountId: string) => string): string {
  const withStage = rows.some((r) => r.stage !== undefined);
  const withVariant = rows.some((r) => r.variant !== undefined && r.variant !== null);
  const withGate = rows.some((r) => r.decisions !== undefined);
  const withSent = rows.some((r) => r.sent !== undefined);
  const withPromises = rows.some((r) => r.promises !== undefined);
  const columns: Column[] = [
    ...BASE_HEAD,
    ...(withStage ? [STAGE] : []),
    ...(withVariant ? [VARIANT] : []),
    ...BASE_MIDDLE,
    ...(withStage ? [TASKS] : []),
    ...(withGate ? [GATE] : []),
    ...(withSent ? [SENT] : []),
    ...(withPromises ? [PROMISES] : []),
  ];
  const headers = [...columns.map((c) => c.header), 'events'];
  const cells: string[][] = [headers];
  for (const r of rows) {
    const cur = currencyOf(r.account);
    const m = (n: number): string => formatMinorGrouped(n, cur);
    const events = r.events.map((e) => describeEvent(e, cur));
    if (r.stageChangedBecause !== undefined && r.stageChangedBecause !== null) {
      events.push(`→${r.stage ?? '?'} (${r.stageChangedBecause})`);
    }
    cells.push([...columns.map((c) => c.cell(r, m)), events.join('; ')]);
  }
  const last = headers.length - 1;
  const widths = headers.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, c) => (c === last ? cell : columns[c]?.right ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const [header, ...body] = cells;
  return `${[line(header ?? []), rule, ...body.map(line)].join('\n')}\n`;
}
