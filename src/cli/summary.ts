import { formatMinorGrouped } from '../core/index.js';
import type { Store } from '../store/db.js';
import { portfolioSummary, type BucketSummary } from '../store/repo.js';
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

export async function printSummary(store: Store): Promise<void> {
  const rows = await portfolioSummary(store.db);
  process.stdout.write(`${formatSummary(rows, await lastClosedDate(store.db))}\n`);
}
