/**
 * Benchmarks. `npm run bench -- cycle --accounts 1000000 [--pg postgres://…]`
 *
 * Creates N synthetic accounts closed through D−1, then times one business date D of the real
 * cycle, and in the same run the baseline: a raw driver pass over the same rows that reads them,
 * computes DPD / bucket / penalty in a plain loop and writes them back in 10k-row transactions —
 * the physical ceiling of this stack. Prints accounts/s for both and the ratio.
 */
import { execFileSync, execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Command } from 'commander';
import { sql } from 'kysely';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseLoansCsv } from '../src/store/import/parse.js';
import { benchStrategy } from './strategy.js';
import { benchGate } from './gate.js';
import { benchGateStore } from './gate-store.js';
import { addDays, applyRate, parseRate, toEpochDay, type BusinessDate } from '../src/core/index.js';
import { bucketFor, DEFAULT_BUCKETS, type AccountState, type Product } from '../src/ledger/index.js';
import { dropSchema, openStore, type Store } from '../src/store/db.js';
import { accountToRow, borrowerToRow, productToRow, stateToRow } from '../src/store/codec.js';
import { chunks } from '../src/store/repo.js';
import { factsFor, runDate, STEPS, step, strategyStep } from '../src/cycle/index.js';
import { evaluate, loadStrategy } from '../src/strategy/index.js';
import { generatePortfolio, syntheticState } from '../src/sim/index.js';

const DATE: BusinessDate = '2026-06-15';
const PAGE = 10_000;

interface Seeded {
  products: Product[];
  accounts: ReturnType<typeof accountToRow>[];
  borrowers: ReturnType<typeof borrowerToRow>[];
  states: ReturnType<typeof stateToRow>[];
  stages: { account_id: string; stage: string; since: string; strategy: string; variant: string | null }[];
}

/**
 * With a strategy, every account starts in the stage the strategy gives it on D−1 (as if the
 * cycle had been running it): the timed date then sees the steady state's few stage moves, not a
 * first day on which every account moves.
 */
function seedData(count: number, strategyFile?: string): Seeded {
  const t0 = performance.now();
  const asOf = addDays(DATE, -1);
  const p = generatePortfolio({ count, seed: 7, asOf, historyDays: 0 });
  const accounts: Seeded['accounts'] = [];
  const borrowers: Seeded['borrowers'] = [];
  const states: Seeded['states'] = [];
  const stages: Seeded['stages'] = [];
  const strategy = strategyFile ? loadStrategy(readFileSync(strategyFile, 'utf8'), strategyFile) : null;
  const noInputs = { stages: new Map(), attempts: new Map(), payments: new Map() };
  for (const l of p.loans) {
    const product = p.products[l.account.productId] as Product;
    const s: AccountState = syntheticState(l, product, asOf);
    accounts.push(accountToRow(l.account));
    borrowers.push(borrowerToRow(l.borrower));
    states.push(stateToRow(l.account.id, s));
    if (strategy && s.status === 'open') {
      const e = evaluate(strategy, factsFor(strategy, noInputs, l.account, s, asOf, DEFAULT_BUCKETS), { date: asOf, accountId: l.account.id });
      stages.push({ account_id: l.account.id, stage: e.stage, since: asOf, strategy: strategy.ref, variant: e.variant });
    }
  }
  log(`generated ${count} accounts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { products: Object.values(p.products), accounts, borrowers, states, stages };
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

// --- SQLite -----------------------------------------------------------------

function loadSqlite(file: string, d: Seeded): void {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const ins = <T extends object>(table: string, rows: T[]): void => {
    if (rows.length === 0) return;
    const cols = Object.keys(rows[0] as object);
    const stmt = db.prepare(`INSERT INTO ${table} (${cols.join(',')}) VALUES (${cols.map(() => '?').join(',')})`);
    const tx = db.transaction((batch: T[]) => {
      for (const r of batch) stmt.run(...cols.map((c) => (r as Record<string, unknown>)[c]));
    });
    for (const c of chunks(rows, 50_000)) tx(c);
  };
  ins('products', d.products.map(productToRow));
  ins('borrowers', d.borrowers);
  ins('accounts', d.accounts);
  ins('account_state', d.states);
  if (d.stages.length > 0) ins('account_stage', d.stages);
  db.prepare("INSERT INTO cycle_runs (business_date, status, started_at, finished_at, accounts, cursor) VALUES (?, 'done', '', '', 0, NULL)").run(addDays(DATE, -1));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

interface Row {
  account_id: string;
  data: Uint8Array;
}

/**
 * The baseline's computation on the stored state blob (codec.ts layout: 4 header values, then 13 per
 * instalment: n, start, due, principal, interest, accrued, penalty, fees, paid principal, …):
 * DPD of the oldest unpaid instalment, bucket, one day of penalty added to that instalment.
 */
function baselineCompute(r: Row, dateDay: number, rate: ReturnType<typeof parseRate>): [string, number, string, number, Buffer] {
  const f = new Float64Array(r.data.byteLength / 8);
  new Uint8Array(f.buffer).set(r.data);
  const n = f[1] as number;
  let dpd = 0;
  let overduePrincipal = 0;
  let oldest = -1;
  for (let k = 0, o = 4; k < n; k++, o += 13) {
    const due = f[o + 2] as number;
    if (due >= dateDay) break;
    const unpaid = (f[o + 3] as number) - (f[o + 8] as number);
    if (unpaid > 0) {
      overduePrincipal += unpaid;
      if (oldest < 0) {
        oldest = o;
        dpd = dateDay - due;
      }
    }
  }
  const penalty = applyRate(overduePrincipal, rate);
  if (oldest >= 0) f[oldest + 6] = (f[oldest + 6] as number) + penalty;
  return [DATE, dpd, bucketFor(dpd, DEFAULT_BUCKETS), penalty, Buffer.from(f.buffer)];
}

function baselineSqlite(file: string): number {
  const db = new SqliteDatabase(file);
  // the same settings as the store's connection (src/store/db.ts), so only the code differs
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 4294967296');
  const rate = parseRate('0.0005', 'rate');
  const dateDay = toEpochDay(DATE);
  const select = db.prepare("SELECT s.account_id, s.data FROM account_state s JOIN accounts a ON a.id = s.account_id WHERE s.status = 'open' AND s.as_of < ? AND s.account_id > ? ORDER BY s.account_id LIMIT ?");
  const update = db.prepare('UPDATE account_state SET as_of = ?, dpd = ?, bucket = ?, penalty = penalty + ?, data = ? WHERE account_id = ?');
  const write = db.transaction((rows: [string, number, string, number, Buffer, string][]) => {
    for (const r of rows) update.run(...r);
  });
  const t0 = performance.now();
  let cursor = '';
  let n = 0;
  for (;;) {
    const rows = select.all(DATE, cursor, PAGE) as Row[];
    if (rows.length === 0) break;
    write(rows.map((r) => [...baselineCompute(r, dateDay, rate), r.account_id]));
    cursor = (rows[rows.length - 1] as Row).account_id;
    n += rows.length;
  }
  const s = (performance.now() - t0) / 1000;
  db.close();
  return n / s;
}

async function cycleRun(store: Store, strategy: string | undefined): Promise<{ rate: number; accounts: number }> {
  const steps = strategy
    ? [...STEPS, step(strategyStep(loadStrategy(readFileSync(strategy, 'utf8'), strategy)))]
    : STEPS;
  const t0 = performance.now();
  const s = await runDate(store, DATE, { steps });
  if (s.timings) log(`cycle phases (s): ${Object.entries(s.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join(', ')}`);
  return { rate: s.accounts / ((performance.now() - t0) / 1000), accounts: s.accounts };
}

// --- PostgreSQL -------------------------------------------------------------

async function loadPg(url: string, schema: string, d: Seeded): Promise<void> {
  const store = await openStore({ url, schema });
  const db = store.db;
  await db.insertInto('products').values(d.products.map(productToRow)).execute();
  for (const c of chunks(d.borrowers, 5000)) await db.insertInto('borrowers').values(c).execute();
  for (const c of chunks(d.accounts, 5000)) await db.insertInto('accounts').values(c).execute();
  for (const c of chunks(d.states, 4000)) await db.insertInto('account_state').values(c).execute();
  for (const c of chunks(d.stages, 5000)) await db.insertInto('account_stage').values(c).execute();
  await db.insertInto('cycle_runs').values({ business_date: addDays(DATE, -1), status: 'done', started_at: '', finished_at: '', accounts: 0, cursor: null }).execute();
  // statistics, as autovacuum would have gathered them on a live system
  await sql`analyze`.execute(db);
  await store.close();
}

async function baselinePg(url: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  const rate = parseRate('0.0005', 'rate');
  const dateDay = toEpochDay(DATE);
  const t0 = performance.now();
  let cursor = '';
  let n = 0;
  for (;;) {
    const { rows } = await client.query<Row>("SELECT s.account_id, s.data FROM account_state s JOIN accounts a ON a.id = s.account_id WHERE s.status = 'open' AND s.as_of < $1 AND s.account_id > $2 ORDER BY s.account_id LIMIT $3", [DATE, cursor, PAGE]);
    if (rows.length === 0) break;
    const out = rows.map((r) => [...baselineCompute(r, dateDay, rate), r.account_id] as const);
    await client.query('BEGIN');
    for (const c of chunks(out, 1000)) {
      const params: unknown[] = [];
      const values = c.map((r, i) => {
        params.push(...r);
        const b = i * 6;
        return `($${b + 1}, $${b + 2}::int, $${b + 3}, $${b + 4}::bigint, $${b + 5}::bytea, $${b + 6})`;
      });
      await client.query(`UPDATE account_state s SET as_of = v.a, dpd = v.d, bucket = v.b, penalty = s.penalty + v.p, data = v.j FROM (VALUES ${values.join(',')}) AS v(a, d, b, p, j, id) WHERE s.account_id = v.id`, params);
    }
    await client.query('COMMIT');
    cursor = (rows[rows.length - 1] as Row).account_id;
    n += rows.length;
  }
  const s = (performance.now() - t0) / 1000;
  await client.end();
  return n / s;
}

function report(label: string, cycle: number, baseline: number, accounts: number): void {
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  process.stdout.write(
    `${label}: ${accounts.toLocaleString('en-US')} accounts, one business date\n`
    + `  baseline (raw driver): ${fmt(baseline)} accounts/s (${(accounts / baseline).toFixed(2)} s)\n`
    + `  cycle:                 ${fmt(cycle)} accounts/s (${(accounts / cycle).toFixed(2)} s)\n`
    + `  ratio cycle/baseline:  ${(cycle / baseline).toFixed(2)} (target ≥ 0.50)\n`,
  );
}

/** Flushes dirty pages so that writeback of the freshly loaded files does not land inside a timing. */
function settle(): void {
  execSync('sync');
}

async function benchCycle(o: { accounts: string; pg?: string; skipSqlite?: boolean; strategy?: string }): Promise<void> {
  const count = Number(o.accounts);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--accounts must be a whole number ≥ 1, got "${o.accounts}"`);
  const dir = mkdtempSync(join(tmpdir(), 'arrears-bench-'));
  const cycleFile = join(dir, 'cycle.db');
  const baseFile = join(dir, 'baseline.db');
  const schemas = o.pg ? [`bench_${process.pid}_a`, `bench_${process.pid}_b`] as const : null;
  try {
    // a separate process generates and loads the data, so the timings run in a fresh heap: a million
    // live objects left over from generation make every garbage collection during a timing expensive
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), '_seed', '--accounts', String(count), '--file', cycleFile,
      ...(o.pg && schemas ? ['--pg', o.pg, '--schemas', schemas.join(',')] : []), ...(o.strategy ? ['--strategy', o.strategy] : [])],
    { stdio: ['ignore', 'inherit', 'inherit'] });
    if (!o.skipSqlite) {
      copyFileSync(cycleFile, baseFile);
      settle();
      log('sqlite: data loaded; timing baseline then cycle');
      const base = baselineSqlite(baseFile);
      const store = await openStore({ url: cycleFile });
      const cyc = await cycleRun(store, o.strategy);
      await store.close();
      report('SQLite', cyc.rate, base, cyc.accounts);
    }
    if (o.pg && schemas) {
      log('postgres: timing baseline then cycle');
      const pgBase = await baselinePg(o.pg, schemas[1]);
      const pgStore = await openStore({ url: o.pg, schema: schemas[0] });
      const pgCyc = await cycleRun(pgStore, o.strategy);
      await pgStore.close();
      report('PostgreSQL', pgCyc.rate, pgBase, pgCyc.accounts);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (o.pg && schemas) for (const sc of schemas) await dropSchema(o.pg, sc);
  }
}

/**
 * Import parsing against its baseline: csv-parse alone over the same text (the parser every row
 * must go through anyway). The ratio says what validation costs on top.
 */
function benchImport(o: { rows: string }): void {
  const n = Number(o.rows);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--rows must be a whole number ≥ 1, got "${o.rows}"`);
  const zones = ['America/New_York', 'Europe/London', 'Asia/Shanghai', 'UTC'];
  const lines = ['loan_id,borrower_id,borrower_name,currency,principal,disbursed,timezone,phones,emails,residential_address,product_id,method,annual_rate,term_months,day_count,grace_days,penalty_daily_rate,penalty_base,ld_percent,cost_cap'];
  for (let i = 0; i < n; i++) {
    lines.push(`L${i},B${i >> 1},Name ${i >> 1},USD,${100000 + i},2025-01-${String(1 + (i % 28)).padStart(2, '0')},${zones[i % 4]},`
      + `+1212${String(i).padStart(7, '0')},u${i}@example.com,"${i} Main St, Town",P1,annuity,0.18,12,30/360,3,0.0005,overdue-principal,0.05,0.36`);
  }
  const text = `${lines.join('\n')}\n`;
  let t = performance.now();
  const raw = parseCsv(text, { columns: true, skip_empty_lines: true }) as unknown[];
  const base = raw.length / ((performance.now() - t) / 1000);
  t = performance.now();
  const r = parseLoansCsv(text);
  const full = r.records.length / ((performance.now() - t) / 1000);
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  process.stdout.write(`import: ${n.toLocaleString('en-US')} CSV rows\n  baseline (csv-parse only): ${fmt(base)} rows/s\n  parseLoansCsv:             ${fmt(full)} rows/s\n  ratio:                     ${(full / base).toFixed(2)}\n`);
}

async function seedFiles(o: { accounts: string; file: string; pg?: string; schemas?: string; strategy?: string }): Promise<void> {
  const data = seedData(Number(o.accounts), o.strategy);
  await (await openStore({ url: o.file })).close();
  loadSqlite(o.file, data);
  if (o.pg && o.schemas) {
    log('postgres: loading data (two schemas)');
    for (const schema of o.schemas.split(',')) await loadPg(o.pg, schema, data);
  }
}

const program = new Command().name('bench');
program.command('gate')
  .description('compliance-gate decisions/s and latency against a bare rolling-window count')
  .option('--parties <n>', 'parties with history', '100000')
  .option('--decisions <n>', 'decisions to time', '200000')
  .action(benchGate);
program.command('gate-store')
  .description('compliance-gate decisions/s through the store (locks, history, decision, audit) against a bare count through the same store')
  .option('--parties <n>', 'parties with history', '20000')
  .option('--decisions <n>', 'decisions to time', '5000')
  .option('--workers <n>', 'concurrent deciders on PostgreSQL', '4')
  .option('--pg <url>', 'also run on PostgreSQL')
  .option('--skip-sqlite', 'with --pg: PostgreSQL only')
  .action(benchGateStore);
program.command('strategy')
  .description('evaluations/s of the default strategy against a hand-written JS ladder')
  .option('--facts <n>', 'fact objects', '1000000')
  .action(benchStrategy);
program.command('_seed', { hidden: true })
  .requiredOption('--accounts <n>').requiredOption('--file <path>').option('--pg <url>').option('--schemas <a,b>').option('--strategy <file>')
  .action(seedFiles);
program.command('import')
  .description('parsing and validating a loan book against csv-parse alone')
  .option('--rows <n>', 'rows', '100000')
  .action(benchImport);
program.command('cycle')
  .description('one business date of the daily cycle against the raw-driver baseline')
  .option('--accounts <n>', 'accounts', '1000000')
  .option('--pg <url>', 'also run on PostgreSQL')
  .option('--skip-sqlite', 'with --pg: time PostgreSQL only')
  .option('--strategy <file>', 'also run the strategy step with this strategy file (e.g. strategies/default.yaml)')
  .action(benchCycle);
program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
