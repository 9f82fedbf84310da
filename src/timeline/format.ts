/**
 * Trace output of a timeline run: one row per account per business date, as JSON Lines (for
 * machines and golden files) or as an aligned text table (for people).
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
    return o.type;
  }
  return JSON.stringify(e) ?? String(e);
}

const HEADERS = ['date', 'account', 'DPD', 'bucket', 'since', 'principal', 'interest', 'penalty', 'fees', 'total', 'overdue', 'events'] as const;
/** right-aligned columns (numbers) */
const RIGHT: ReadonlySet<number> = new Set([2, 5, 6, 7, 8, 9, 10]);

/**
 * An aligned text table, one line per row, amounts with thousands separators in each account's
 * currency, and the day's events in the last column separated by `; `.
 */
export function formatTable(rows: readonly TraceRow[], currencyOf: (accountId: string) => string): string {
  const cells: string[][] = [HEADERS.slice()];
  for (const r of rows) {
    const cur = currencyOf(r.account);
    const m = (n: number): string => formatMinorGrouped(n, cur);
    cells.push([
      r.date,
      r.account,
      String(r.dpd),
      r.bucket,
      r.delinquentSince ?? '-',
      m(r.balances.principal),
      m(r.balances.interest),
      m(r.balances.penalty),
      m(r.balances.fees),
      m(r.balances.total),
      m(r.overdue),
      r.events.map((e) => describeEvent(e, cur)).join('; '),
    ]);
  }
  const last = HEADERS.length - 1;
  const widths = HEADERS.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, c) => (c === last ? cell : RIGHT.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const [header, ...body] = cells;
  return `${[line(header ?? []), rule, ...body.map(line)].join('\n')}\n`;
}
