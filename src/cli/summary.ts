import { formatMinorGrouped } from '../core/index.js';
import type { Store } from '../store/db.js';
import { portfolioSummary, stageSummary, type BucketSummary, type StageSummary } from '../store/repo.js';
import { lastClosedDate } from '../cycle/index.js';

/** A plain-text table of open accounts and balances per bucket and currency. */
export function formatSummary(rows: readonly BucketSummary[], asOf: string | null): string {
  const head = ['bucket', 'currency', 'accounts', 'share', 'balance', 'overdue'];
  const totalAccounts = rows.reduce((n, r) => n + r.accounts, 0);
  const body = rows.map((r) => [
    r.bucket, r.currency, String(r.accounts),
    totalAccounts ? `${((100 * r.accounts) / totalAccounts).toFixed(1)}%` : '-',
    formatMinorGrouped(r.total, r.currency), formatMinorGrouped(r.overdue, r.currency),
  ]);
  body.push(['all', '', String(totalAccounts), '100%', '', '']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [
    `Portfolio as of ${asOf ?? '(no business date closed yet)'} — open accounts by bucket`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}

/** Open accounts per ladder stage, worst first as far as the default ladder goes. */
export function formatStageSummary(rows: readonly StageSummary[]): string {
  const order = ['paused', 'bad_debt', 'legal', 'field_visit', 'contact_persons', 'intensified', 'promised', 'negotiating', 'in_plan', 'reminder', 'current'];
  const variants = [...new Set(rows.map((r) => r.variant ?? '-'))].sort();
  const count = new Map<string, number>();
  for (const r of rows) count.set(`${r.stage}|${r.variant ?? '-'}`, (count.get(`${r.stage}|${r.variant ?? '-'}`) ?? 0) + r.accounts);
  const rank = (s: string): number => (order.includes(s) ? order.indexOf(s) : order.length);
  const stages = [...new Set(rows.map((r) => r.stage))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const width = Math.max(5, ...stages.map((s) => s.length));
  const experiment = variants.length > 1 || variants[0] !== '-';
  const head = experiment ? `${'stage'.padEnd(width)}  ${variants.map((v) => v.padStart(10)).join('  ')}` : null;
  const line = (s: string): string => `${s.padEnd(width)}  ${variants.map((v) => String(count.get(`${s}|${v}`) ?? 0).padStart(experiment ? 10 : 8)).join('  ')}`;
  return ['Open accounts by ladder stage' + (experiment ? ' and variant' : ''), ...(head ? [head] : []), ...stages.map(line)].join('\n');
}

export async function printSummary(store: Store): Promise<void> {
  const rows = await portfolioSummary(store.db);
  process.stdout.write(`${formatSummary(rows, await lastClosedDate(store.db))}\n`);
  const stages = await stageSummary(store.db);
  if (stages.length > 0) process.stdout.write(`\n${formatStageSummary(stages)}\n`);
}
