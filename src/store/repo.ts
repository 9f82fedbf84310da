/**
 * Reads and writes of the foundation's tables. Every function takes a Kysely instance (the store's
 * or a transaction's), so callers compose them into one atomic unit.
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { ValidationError, assertMinor, parseDate } from '../core/index.js';
import type { BusinessDate } from '../core/index.js';
import { DEFAULT_BUCKETS, openAccount, parseBuckets, productToSpec } from '../ledger/index.js';
import type { Account, BucketDef, LedgerEvent, Payment, PausePeriod, Product } from '../ledger/index.js';
import type { Attempt, BorrowerInput } from '../contact/index.js';
import { accountToRow, borrowerToRow, productToRow, rowToProduct, stateToRow } from './codec.js';
import type { Selectable } from 'kysely';
import type { AccountStateTable, AttemptsTable, Database, TasksTable } from './schema.js';
import type { Dialect } from './db.js';
import { atomically, audit } from './audit.js';
import { createHash } from 'node:crypto';

export type Db = Kysely<Database> | Transaction<Database>;

/** Rows per multi-row statement: keeps SQLite (32,766) and PostgreSQL (65,535) under their parameter limits. */
export const BATCH_ROWS = 1000;

export function chunks<T>(items: readonly T[], size = BATCH_ROWS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function loadProducts(db: Db): Promise<Map<string, Product>> {
  const rows = await db.selectFrom('products').selectAll().execute();
  return new Map(rows.map((r) => [r.id, rowToProduct(r)]));
}

/**
 * Stores products; a product id that exists already must have the same definition
 * (products are immutable once loans use them — a changed product is a new id).
 */
export async function saveProducts(db: Db, products: Iterable<Product>): Promise<void> {
  const list = [...products];
  if (list.length === 0) return;
  const existing = await db.selectFrom('products').selectAll().where('id', 'in', list.map((p) => p.id)).execute();
  const known = new Map(existing.map((r) => [r.id, r.spec]));
  const fresh: { id: string; spec: string }[] = [];
  for (const p of list) {
    const row = productToRow(p);
    const had = known.get(p.id);
    if (had === undefined) {
      fresh.push(row);
      known.set(p.id, row.spec);
    } else if (JSON.stringify(JSON.parse(had)) !== JSON.stringify(productToSpec(p))) {
      throw new ValidationError(`product ${p.id}`, 'already exists with a different definition; give the changed product a new id');
    }
  }
  for (const c of chunks(fresh)) await db.insertInto('products').values(c).execute();
}

export interface NewLoan {
  account: Account;
  product: Product;
  /** languages may be left out (stored as []) */
  borrower: BorrowerInput;
}

/** Account ids among `ids` that are already stored. */
export async function existingAccountIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const c of chunks(ids, 5000)) {
    const rows = await db.selectFrom('accounts').select('id').where('id', 'in', c).execute();
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/**
 * Inserts loans with their products, borrowers and opening state. Call inside a transaction to make
 * a batch atomic. Borrowers already stored are updated to the newest contact data.
 */
export async function insertLoans(db: Db, loans: readonly NewLoan[], buckets: readonly BucketDef[] = DEFAULT_BUCKETS): Promise<void> {
  if (loans.length === 0) return;
  await atomically(db, async (tx) => {
    await insertLoansIn(tx, loans, buckets);
    // one audit entry per batch
    await audit(tx, 'loans.inserted', 'loans', { count: loans.length, first: loans[0]?.account.id, last: loans[loans.length - 1]?.account.id });
  });
}

async function insertLoansIn(db: Db, loans: readonly NewLoan[], buckets: readonly BucketDef[]): Promise<void> {
  const products = new Map<string, Product>();
  for (const l of loans) products.set(l.product.id, l.product);
  await saveProducts(db, products.values());
  const borrowers = new Map<string, BorrowerInput>();
  for (const l of loans) borrowers.set(l.borrower.id, l.borrower);
  for (const c of chunks([...borrowers.values()].map(borrowerToRow))) {
    await db.insertInto('borrowers').values(c)
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), timezone: eb.ref('excluded.timezone'), data: eb.ref('excluded.data') })))
      .execute();
  }
  for (const c of chunks(loans)) {
    await db.insertInto('accounts').values(c.map((l) => accountToRow(l.account))).execute();
    await db.insertInto('account_state').values(c.map((l) => stateToRow(l.account.id, openAccount(l.account, l.product, { buckets })))).execute();
  }
}

export interface PaymentOutcome {
  recorded: Payment[];
  /** same key, same content: already recorded, nothing done */
  duplicates: string[];
  /** same key, different account/date/amount: refused */
  conflicts: { key: string; reason: string }[];
}

export function validatePayment(raw: Payment, field = 'payment'): Payment {
  if (typeof raw.key !== 'string' || raw.key.trim() === '') throw new ValidationError(`${field}.key`, 'is required (an idempotency key)');
  if (typeof raw.accountId !== 'string' || raw.accountId === '') throw new ValidationError(`${field}.accountId`, 'is required');
  parseDate(raw.date, `${field}.date`);
  assertMinor(raw.amount, `${field}.amount`);
  if (raw.amount === 0) throw new ValidationError(`${field}.amount`, 'must be greater than 0');
  return raw;
}

/**
 * Records payments idempotently by key: a key seen before is not recorded again. Payments are
 * applied by the next close of business of their date (a payment dated before the account's last
 * closed date is applied on the next date closed).
 */
export async function recordPayments(db: Db, payments: readonly Payment[]): Promise<PaymentOutcome> {
  if (payments.length === 0) return { recorded: [], duplicates: [], conflicts: [] };
  return atomically(db, async (tx) => {
    const out = await recordPaymentsIn(tx, payments);
    const n = out.recorded.length;
    if (n > 0) {
      const accounts = new Set(out.recorded.map((p) => p.accountId));
      await audit(tx, 'payments.recorded', accounts.size === 1 ? `account:${out.recorded[0]?.accountId ?? ''}` : 'payments', {
        count: n, ...(n <= 100 ? { payments: out.recorded.map((p) => ({ key: p.key, account: p.accountId, date: p.date, amount: p.amount })) } : {}),
      });
    }
    return out;
  });
}

async function recordPaymentsIn(db: Db, payments: readonly Payment[]): Promise<PaymentOutcome> {
  const out: PaymentOutcome = { recorded: [], duplicates: [], conflicts: [] };
  if (payments.length === 0) return out;
  payments.forEach((p, i) => validatePayment(p, `payments[${i}]`));
  const accounts = await existingAccountIds(db, [...new Set(payments.map((p) => p.accountId))]);
  const seen = new Map<string, Payment>();
  for (const c of chunks(payments.map((p) => p.key), 5000)) {
    const rows = await db.selectFrom('payments').select(['key', 'account_id', 'business_date', 'amount']).where('key', 'in', c).execute();
    for (const r of rows) seen.set(r.key, { key: r.key, accountId: r.account_id, date: r.business_date, amount: r.amount });
  }
  const fresh: Payment[] = [];
  for (const p of payments) {
    const had = seen.get(p.key);
    if (had) {
      if (had.accountId === p.accountId && had.date === p.date && had.amount === p.amount) out.duplicates.push(p.key);
      else out.conflicts.push({ key: p.key, reason: `key ${p.key} was already used for ${had.amount} on ${had.date} to ${had.accountId}` });
      continue;
    }
    if (!accounts.has(p.accountId)) throw new ValidationError('payment.accountId', `unknown account ${p.accountId}`);
    seen.set(p.key, p);
    fresh.push(p);
  }
  for (const c of chunks(fresh)) {
    await db.insertInto('payments')
      .values(c.map((p) => ({ key: p.key, account_id: p.accountId, business_date: p.date, amount: p.amount, applied_date: null })))
      .execute();
  }
  out.recorded = fresh;
  return out;
}

export async function addPause(db: Db, accountId: string, pause: PausePeriod): Promise<void> {
  parseDate(pause.from, 'pause.from');
  parseDate(pause.until, 'pause.until');
  if (pause.until < pause.from) throw new ValidationError('pause.until', `must not be before pause.from (${pause.from})`);
  if ((await existingAccountIds(db, [accountId])).size === 0) throw new ValidationError('pause.accountId', `unknown account ${accountId}`);
  await atomically(db, async (tx) => {
    await tx.insertInto('pauses').values({ account_id: accountId, from_date: pause.from, until_date: pause.until, reason: pause.reason }).execute();
    await audit(tx, 'pause.added', `account:${accountId}`, { from: pause.from, until: pause.until, reason: pause.reason });
  });
}

export async function loadBuckets(db: Db): Promise<BucketDef[]> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'buckets').executeTakeFirst();
  return row ? parseBuckets(JSON.parse(row.value)) : [...DEFAULT_BUCKETS];
}

export async function saveBuckets(db: Db, buckets: readonly BucketDef[]): Promise<void> {
  const value = JSON.stringify(buckets);
  await db.insertInto('settings').values({ key: 'buckets', value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}

export interface EventRow {
  accountId: string;
  date: BusinessDate;
  event: LedgerEvent;
}

export async function insertEvents(db: Db, events: readonly EventRow[]): Promise<void> {
  for (const c of chunks(events)) {
    await db.insertInto('ledger_events')
      .values(c.map((e) => ({ account_id: e.accountId, business_date: e.date, type: e.event.type, data: JSON.stringify(e.event) })))
      .execute();
  }
}

/** The bucket moves of an account, oldest first. */
export async function bucketHistory(db: Db, accountId: string): Promise<{ date: BusinessDate; from: string; to: string; dpd: number }[]> {
  const rows = await db.selectFrom('ledger_events').select(['business_date', 'data'])
    .where('account_id', '=', accountId).where('type', '=', 'bucket_change').orderBy('id').execute();
  return rows.map((r) => {
    const e = JSON.parse(r.data) as { from: string; to: string; dpd: number };
    return { date: r.business_date, from: e.from, to: e.to, dpd: e.dpd };
  });
}

export interface BucketSummary {
  bucket: string;
  currency: string;
  accounts: number;
  total: number;
  overdue: number;
}

/** Open accounts and balances per bucket and currency, buckets in table order. */
export async function portfolioSummary(db: Db): Promise<BucketSummary[]> {
  const rows = await db.selectFrom('account_state as s').innerJoin('accounts as a', 'a.id', 's.account_id')
    .select((eb) => ['s.bucket', 'a.currency', eb.fn.countAll<number>().as('accounts'), eb.fn.sum<number>('s.total').as('total'), eb.fn.sum<number>('s.overdue').as('overdue')])
    .where('s.status', '=', 'open')
    .groupBy(['s.bucket', 'a.currency'])
    .execute();
  const buckets = await loadBuckets(db);
  const order = new Map(buckets.map((b, i) => [b.name, i]));
  return rows
    .map((r) => ({ bucket: r.bucket, currency: r.currency, accounts: Number(r.accounts), total: Number(r.total), overdue: Number(r.overdue) }))
    .sort((a, b) => (order.get(a.bucket) ?? 99) - (order.get(b.bucket) ?? 99) || a.currency.localeCompare(b.currency));
}

const STATE_COLUMNS = [
  'account_id', 'as_of', 'status', 'dpd', 'bucket', 'delinquent_since', 'principal', 'interest', 'penalty', 'fees', 'total',
  'overdue', 'credit', 'data',
] as const satisfies readonly (keyof AccountStateTable)[];

const multiRowSqlCache = new Map<string, string>();

/**
 * `insert into TABLE (COLUMNS) values (…), (…) TAIL` for `rows` rows with the dialect's placeholders,
 * built once per shape and cached: the cycle's large writes skip the query builder's per-page work.
 */
function multiRowSql(dialect: Dialect, table: string, columns: readonly string[], rows: number, tail = ''): string {
  const key = `${dialect}:${table}:${rows}:${tail}`;
  let text = multiRowSqlCache.get(key);
  if (text === undefined) {
    const width = columns.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const ph = columns.map((_, c) => (dialect === 'sqlite' ? '?' : `$${r * width + c + 1}`));
      tuples.push(`(${ph.join(',')})`);
    }
    text = `insert into ${table} (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(',')}${tail ? ` ${tail}` : ''}`;
    multiRowSqlCache.set(key, text);
  }
  return text;
}

async function insertRows<R>(db: Db, dialect: Dialect, table: string, columns: readonly (keyof R & string)[], rows: readonly R[], tail = ''): Promise<void> {
  // SQLite is fastest with ~100-row statements (measured: 8.7 µs/row vs 9.8 at 1000); PostgreSQL
  // pays a round trip per statement, so it gets large ones
  for (const c of chunks(rows, dialect === 'sqlite' ? 100 : BATCH_ROWS)) {
    const params: unknown[] = new Array<unknown>(c.length * columns.length);
    let k = 0;
    for (const r of c) for (const col of columns) params[k++] = r[col];
    await db.executeQuery(CompiledQuery.raw(multiRowSql(dialect, table, columns, c.length, tail), params));
  }
}

const UPSERT_STATES_TAIL = `on conflict (account_id) do update set ${STATE_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;

/**
 * Writes account states in multi-row upserts. This is the cycle's hottest write, so the statement
 * text is prepared once per batch size instead of being built by the query builder for every page.
 */
export async function upsertStates(db: Db, dialect: Dialect, rows: readonly AccountStateTable[]): Promise<void> {
  await insertRows(db, dialect, 'account_state', STATE_COLUMNS, rows, UPSERT_STATES_TAIL);
}

export type NewTask = Omit<TasksTable, 'id'>;

const TASK_COLUMNS = ['account_id', 'business_date', 'type', 'party', 'channel', 'template', 'priority', 'window', 'stage', 'seq', 'address', 'status'] as const satisfies readonly (keyof NewTask)[];

/** Stores planned tasks (hundreds of thousands a day on a large book: a cached multi-row insert). */
export async function insertTasks(db: Db, dialect: Dialect, rows: readonly NewTask[]): Promise<void> {
  await insertRows(db, dialect, 'tasks', TASK_COLUMNS, rows);
}

/** Records contact attempts (they are facts, not requests: no idempotency key; callers record once). */
export async function recordAttempts(db: Db, attempts: readonly Attempt[]): Promise<void> {
  const known = await existingAccountIds(db, [...new Set(attempts.map((a) => a.accountId))]);
  attempts.forEach((a, i) => {
    if (!known.has(a.accountId)) throw new ValidationError(`attempts[${i}].accountId`, `unknown account ${a.accountId}`);
    parseDate(a.date, `attempts[${i}].date`);
  });
  for (const c of chunks(attempts)) {
    await db.insertInto('attempts').values(c.map((a) => ({
      account_id: a.accountId, business_date: a.date, time: a.time, party: a.party, channel: a.channel, outcome: a.outcome,
      promise_amount: a.promise?.amount ?? null, promise_due: a.promise?.due ?? null,
    }))).execute();
  }
}

function rowToAttempt(r: Selectable<AttemptsTable>): Attempt {
  return {
    accountId: r.account_id, date: r.business_date, time: r.time,
    party: r.party as Attempt['party'], channel: r.channel as Attempt['channel'], outcome: r.outcome as Attempt['outcome'],
    promise: r.promise_amount !== null && r.promise_due !== null ? { amount: r.promise_amount, due: r.promise_due } : null,
  };
}

function groupAttempts(rows: readonly Selectable<AttemptsTable>[], into: Map<string, Attempt[]>): void {
  for (const r of rows) {
    const a = rowToAttempt(r);
    const list = into.get(a.accountId);
    if (list) list.push(a);
    else into.set(a.accountId, [a]);
  }
}

/** The attempts of the given accounts on or after `since`, oldest first, grouped by account. */
export async function loadAttempts(db: Db, accountIds: readonly string[], since: BusinessDate): Promise<Map<string, Attempt[]>> {
  const out = new Map<string, Attempt[]>();
  for (const c of chunks(accountIds, 5000)) {
    groupAttempts(await db.selectFrom('attempts').selectAll()
      .where('account_id', 'in', c).where('business_date', '>=', since)
      .orderBy('business_date').orderBy('id').execute(), out);
  }
  return out;
}

/** Like loadAttempts for the accounts whose ids lie in [first, last] (a cycle page). */
export async function loadAttemptsBetween(db: Db, first: string, last: string, since: BusinessDate): Promise<Map<string, Attempt[]>> {
  const out = new Map<string, Attempt[]>();
  groupAttempts(await db.selectFrom('attempts').selectAll()
    .where('account_id', '>=', first).where('account_id', '<=', last).where('business_date', '>=', since)
    .orderBy('business_date').orderBy('id').execute(), out);
  return out;
}

export interface ActiveStrategy {
  /** where it was activated from, for messages */
  source: string;
  text: string;
}

/** The strategy the cycle runs (activated with `arrears strategy activate`); null = ledger only. */
export async function loadActiveStrategy(db: Db): Promise<ActiveStrategy | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'strategy').executeTakeFirst();
  return row ? (JSON.parse(row.value) as ActiveStrategy) : null;
}

export async function saveActiveStrategy(db: Db, s: ActiveStrategy): Promise<void> {
  const value = JSON.stringify(s);
  await atomically(db, async (tx) => {
    await tx.insertInto('settings').values({ key: 'strategy', value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    await audit(tx, 'strategy.activated', 'strategy', { source: s.source, sha256: createHash('sha256').update(s.text).digest('hex') });
  });
}

export interface StageSummary {
  stage: string;
  /** the champion/challenger arm, null outside experiments */
  variant: string | null;
  accounts: number;
  overdue: number;
  currency: string;
}

/** Open accounts per current stage (accounts the strategy has not evaluated yet are left out). */
export async function stageSummary(db: Db): Promise<StageSummary[]> {
  const rows = await db.selectFrom('account_stage as g')
    .innerJoin('account_state as s', 's.account_id', 'g.account_id')
    .innerJoin('accounts as a', 'a.id', 'g.account_id')
    .select((eb) => ['g.stage', 'g.variant', 'a.currency', eb.fn.countAll<number>().as('accounts'), eb.fn.sum<number>('s.overdue').as('overdue')])
    .where('s.status', '=', 'open')
    .groupBy(['g.stage', 'g.variant', 'a.currency'])
    .execute();
  return rows.map((r) => ({ stage: r.stage, variant: r.variant, currency: r.currency, accounts: Number(r.accounts), overdue: Number(r.overdue) }));
}
