/**
 * `arrears import`: parse the file (pure), derive the missing time zones from phone numbers, then
 * insert the good rows in one transaction.
 * Loans already in the database are reported as rejected rows, never overwritten.
 */
import type { Store } from '../store/db.js';
import { readLoansFile } from '../store/import/zones.js';
import type { ImportIssue } from '../store/import/types.js';
import { existingAccountIds, insertLoans, loadBuckets } from '../store/repo.js';

export interface ImportOutcome {
  imported: number;
  rejected: number;
  issues: ImportIssue[];
}

export async function importLoans(store: Store, file: string, text: string, opts: { strict: boolean }): Promise<ImportOutcome> {
  const parsed = await readLoansFile(file, text);
  const issues = [...parsed.issues];
  const existing = await existingAccountIds(store.db, parsed.records.map((r) => r.account.id));
  const good = parsed.records.filter((r) => {
    if (!existing.has(r.account.id)) return true;
    issues.push({ row: r.row, field: 'loan_id', reason: `loan ${r.account.id} is already in the database` });
    return false;
  });
  issues.sort((a, b) => a.row - b.row);
  // parsed.records are exactly the rows without issues; header/file issues reject no row by themselves
  const rejected = parsed.rowsRead - good.length;
  if (opts.strict && issues.length > 0) return { imported: 0, rejected, issues };
  const buckets = await loadBuckets(store.db);
  await store.db.transaction().execute((tx) => insertLoans(tx, good, buckets));
  return { imported: good.length, rejected, issues };
}
