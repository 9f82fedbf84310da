/**
 * `arrears promise list`: promises to pay with their state (open, kept, broken) as of a date, what
 * was paid towards each and who took it (docs/outcomes-and-promises.md).
 */
import { Option, type Command } from 'commander';
import { formatMinor, parseDate, ValidationError } from '../core/index.js';
import { PROMISE_STATES, type PromiseState } from '../contact/index.js';
import { lastClosedDate } from '../cycle/index.js';
import { listPromises } from '../store/outcomes.js';
import { QUEUE_PROMISE_GRACE_DAYS } from '../queues/index.js';
import { table, withStore } from './shared.js';

export function registerPromise(program: Command): void {
  const promise = program.command('promise').description('promises to pay taken on calls and visits (docs/outcomes-and-promises.md)');
  promise.command('list')
    .description('promises with their state as of a date: open, kept (payments reached the amount), broken (due + grace passed)')
    .option('--account <id>', 'one account')
    .addOption(new Option('--state <state>', 'only this state').choices([...PROMISE_STATES]))
    .option('--as-of <YYYY-MM-DD>', 'the date the states are as of (default: the last closed business date, else today, UTC)')
    .option('--grace <days>', 'days after the due date a payment still keeps a promise', String(QUEUE_PROMISE_GRACE_DAYS))
    .option('--json', 'one JSON object per line')
    .action(async (o: { account?: string; state?: PromiseState; asOf?: string; grace: string; json?: boolean }, cmd: Command) => {
      const given = o.asOf === undefined ? null : parseDate(o.asOf, '--as-of');
      if (!/^\d+$/.test(o.grace)) throw new ValidationError('--grace', `must be a whole number of days, got "${o.grace}"`);
      await withStore(cmd, async (s) => {
        // payments are applied when a date is closed: the last closed date is what the states can be known as of
        const asOf = given ?? await lastClosedDate(s.db) ?? new Date().toISOString().slice(0, 10);
        const rows = await listPromises(s.db, { ...(o.account !== undefined ? { accountId: o.account } : {}), ...(o.state !== undefined ? { state: o.state } : {}), asOf, graceDays: Number(o.grace) });
        if (o.json) {
          process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
          return;
        }
        const currencies = new Map((await s.db.selectFrom('accounts').select(['id', 'currency']).where('id', 'in', rows.length ? [...new Set(rows.map((r) => r.accountId))] : ['']).execute()).map((a) => [a.id, a.currency]));
        const money = (accountId: string, v: number): string => formatMinor(v, currencies.get(accountId) ?? 'USD');
        process.stdout.write(table(['id', 'account', 'made', 'due', 'currency', 'amount', 'paid', 'remaining', 'state', 'settled', 'channel', 'taken by'], rows.map((r) => [
          String(r.id), r.accountId, r.madeOn, r.due, currencies.get(r.accountId) ?? '', money(r.accountId, r.amount), money(r.accountId, r.paid), money(r.accountId, r.remaining), r.state,
          r.settledOn ?? '', r.channel, r.takenBy ?? (r.agencyId ? `agency ${r.agencyId}` : '(self-service)'),
        ])));
        process.stdout.write(`${rows.length} promise(s) as of ${asOf}\n`);
      });
    });
}
