/**
 * What every `arrears` command shares: the database from `--db` / DATABASE_URL, opened for the
 * command and closed after it, and a plain aligned text table.
 */
import type { Command } from 'commander';
import { parseDate, ValidationError } from '../core/index.js';
import { defaultUrl, openStore, type Store } from '../store/db.js';

export function dbUrl(cmd: Command): string {
  return cmd.optsWithGlobals<{ db?: string }>().db ?? defaultUrl();
}

/** Opens the command's database, runs `fn`, and closes it whatever happens. */
export async function withStore<T>(cmd: Command, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ url: dbUrl(cmd) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Columns padded to their widest cell, a rule under the header, one line per row. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** `--promise-amount` and `--promise-due` together (the outcome's rules are checked where the result is recorded). */
export function promiseFlags(o: { promiseAmount?: string; promiseDue?: string }): { amount: number; due: string } | null {
  if (o.promiseAmount === undefined && o.promiseDue === undefined) return null;
  if (o.promiseAmount === undefined) throw new ValidationError('--promise-amount', 'is required with --promise-due');
  if (o.promiseDue === undefined) throw new ValidationError('--promise-due', 'is required with --promise-amount');
  if (!/^\d+$/.test(o.promiseAmount) || !Number.isSafeInteger(Number(o.promiseAmount)) || Number(o.promiseAmount) <= 0) {
    throw new ValidationError('--promise-amount', `must be a positive whole number of minor units, got "${o.promiseAmount}"`);
  }
  return { amount: Number(o.promiseAmount), due: parseDate(o.promiseDue, '--promise-due') };
}

/** Notes on stderr how many tasks of these channels planned for dates before `date` are still waiting (docs/operations.md, the daily run). */
export async function warnBacklog(store: Store, date: string, channels: readonly string[], command: string): Promise<void> {
  const rows = await store.db.selectFrom('tasks').select(['channel']).select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('business_date').as('first')])
    .where('status', '=', 'planned').where('business_date', '<', date).where('channel', 'in', [...channels]).groupBy('channel').execute();
  for (const r of rows) {
    process.stderr.write(`note: ${Number(r.n)} planned ${r.channel ?? ''} task(s) of earlier dates (from ${String(r.first)}) are still waiting; \`${command} --date D\` handles one date\n`);
  }
}
