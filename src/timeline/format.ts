/**
 * Trace output of a timeline run: one row per account per business date, as JSON Lines (for
 * machines and golden files) or as an aligned text table (for people). Rows of a timeline run
 * with a strategy carry the strategy columns (`stage`, `variant`, `stageChangedBecause`, `tasks`);
 * rows without one have exactly the ledger columns.
 */
import { formatMinorGrouped, parseDate } from '../core/index.js';
import type { LedgerEvent } from '../ledger/index.js';

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

/** One line per decision that differs from its `expect:`, e.g. `timelines/x.yaml:12: 2026-03-04T18:00:00.000Z L1 call: expected allowed, got blocked by us-regf/7-in-7 (…)`. */
export function expectationFailures(rows: readonly TraceRow[], file: string): string[] {
  const out: string[] = [];
  for (const r of rows) {
    for (const d of r.decisions ?? []) {
      if (d.expected === undefined || meetsExpectation(d, d.expected)) continue;
      const got = d.allowed ? 'allowed' : `blocked by ${d.rule ?? '?'} (${d.reason})`;
      out.push(`${file}:${d.line ?? '?'}: ${d.time} ${r.account} ${d.party} ${d.channel}: expected ${d.expected}, got ${got}`);
    }
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
        ...(d.expected !== undefined ? { expected: d.expected } : {}),
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
 * column (summarizeDecisions).
 */
export function formatTable(rows: readonly TraceRow[], currencyOf: (accountId: string) => string): string {
  const withStage = rows.some((r) => r.stage !== undefined);
  const withVariant = rows.some((r) => r.variant !== undefined && r.variant !== null);
  const withGate = rows.some((r) => r.decisions !== undefined);
  const columns: Column[] = [
    ...BASE_HEAD,
    ...(withStage ? [STAGE] : []),
    ...(withVariant ? [VARIANT] : []),
    ...BASE_MIDDLE,
    ...(withStage ? [TASKS] : []),
    ...(withGate ? [GATE] : []),
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
