/**
 * Subcommands of `arrears`. Exit codes: 0 success, 1 bad input or rejected rows, 2 unexpected failure.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { DomainError, ValidationError, addDays, parseDate, type BusinessDate } from '../core/index.js';
import { addPause, loadActiveStrategy, recordPayments, saveActiveStrategy } from '../store/repo.js';
import { lastClosedDate, runCycle, type CycleOptions } from '../cycle/index.js';
import { replay } from '../cycle/replay.js';
import { parseTimeline, expectationFailures, filterRows, formatJsonLines, formatTable, resolveStrategyPath, type Timeline } from '../timeline/index.js';
import { checkStrategy, formatStrategyIssue, loadStrategy, type CompiledStrategy } from '../strategy/index.js';
import { formatDiff, formatDiffJson } from '../strategy/diff.js';
import { strategyDiff } from './strategy-diff.js';
import { loadTimelineGate } from './packs.js';
import { dbUrl, withStore } from './shared.js';
import { importLoans } from './import.js';
import { verifyAudit } from '../store/audit.js';
import { activeSteps, findStrategyFile } from './strategies.js';
import { runDemo } from './demo.js';
import { printSummary } from './summary.js';
import { registerNoticeCommands } from './notices.js';
import { logger, progress } from './progress.js';
import { registerCompliance } from './compliance.js';
import { registerGate } from './gate.js';
import { registerAgency } from './agency.js';
import { registerParty } from './party.js';
import { registerField } from './field.js';
import { registerQueue } from './queue.js';
import { registerDispatch } from './dispatch.js';
import { registerPromise } from './promise.js';
import { registerLetters } from './letters.js';
import { registerMessages } from './messages.js';
import { registerServe } from './serve.js';
import { registerDialer } from './dialer.js';

/** Reads an input file; a missing or unreadable file is a clear input error, not a stack trace. */
function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError('file', `cannot read ${file}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
}

function loadTimelineStrategy(t: Timeline): CompiledStrategy | null {
  if (t.strategy === null) return null;
  const path = /[\\/]|\.ya?ml$/i.test(t.strategy) ? resolveStrategyPath(t, process.cwd()) : findStrategyFile(t.strategy);
  if (path === null) return null;
  return loadStrategy(readInput(path), path);
}


/** Today's business date in UTC — only the CLI edge reads the clock. */
export function today(): BusinessDate {
  return new Date().toISOString().slice(0, 10);
}

function cycleOptions(quiet = false): { opts: CycleOptions; done: () => void } {
  const log = logger();
  const bar = progress(log, quiet);
  return {
    opts: {
      pageSize: process.env.ARREARS_CYCLE_PAGE_SIZE ? Number(process.env.ARREARS_CYCLE_PAGE_SIZE) : undefined,
      onProgress: (e) => bar.update(`close ${e.date}`, e.done, e.total),
      onDateDone: (s) => {
        bar.stop();
        if (!quiet) {
          if (s.alreadyDone) log.info({ date: s.date }, 'business date already closed; nothing to do');
          else log.info({ date: s.date, accounts: s.accounts, events: s.events, payments: s.payments, pages: s.pages }, 'business date closed');
        }
      },
    },
    done: () => bar.stop(),
  };
}

export function registerCommands(program: Command): void {
  program.command('init')
    .description('create the database (SQLite file by default) and bring its schema up to date')
    .action(async (_o, cmd: Command) => {
      await withStore(cmd, async (s) => {
        process.stdout.write(`database ready: ${s.location} (${s.dialect})\n`);
      });
    });

  program.command('import')
    .description('import loans from a CSV or JSON file (see docs/import.md)')
    .argument('<file>', 'loans.csv or loans.json')
    .option('--strict', 'import nothing when any row is bad (default: import the good rows atomically)')
    .action(async (file: string, o: { strict?: boolean }, cmd: Command) => {
      const text = readInput(file);
      await withStore(cmd, async (s) => {
        const r = await importLoans(s, file, text, { strict: o.strict === true });
        for (const i of r.issues) process.stderr.write(`${file}: row ${i.row}: ${i.field}: ${i.reason}\n`);
        process.stdout.write(`${r.imported} loan(s) imported, ${r.rejected} row(s) rejected${o.strict && r.issues.length ? ' (strict: nothing imported)' : ''}\n`);
        if (r.issues.length) process.exitCode = 1;
      });
    });

  program.command('pay')
    .description('record a payment (idempotent by key); the cycle applies it on its business date')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--amount <minor>', 'amount in minor units (e.g. cents)')
    .requiredOption('--date <YYYY-MM-DD>', 'business date of the payment')
    .requiredOption('--key <key>', 'idempotency key (e.g. the payment provider reference)')
    .action(async (o: { account: string; amount: string; date: string; key: string }, cmd: Command) => {
      if (!/^\d+$/.test(o.amount)) throw new ValidationError('--amount', `must be a whole number of minor units, got "${o.amount}"`);
      await withStore(cmd, async (s) => {
        const out = await recordPayments(s.db, [{ key: o.key, accountId: o.account, date: parseDate(o.date, '--date'), amount: Number(o.amount) }]);
        if (out.conflicts.length) throw new ValidationError('--key', out.conflicts[0]?.reason ?? 'conflict');
        process.stdout.write(out.duplicates.length ? `payment ${o.key} was already recorded; nothing changed\n` : `payment ${o.key} recorded\n`);
      });
    });

  program.command('pause')
    .description('pause delinquency counting for an account over a date range (dispute, extension, hardship review)')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--from <YYYY-MM-DD>', 'first paused day')
    .requiredOption('--until <YYYY-MM-DD>', 'last paused day (inclusive)')
    .requiredOption('--reason <text>', 'why')
    .action(async (o: { account: string; from: string; until: string; reason: string }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        await addPause(s.db, o.account, { from: parseDate(o.from, '--from'), until: parseDate(o.until, '--until'), reason: o.reason });
        process.stdout.write(`account ${o.account} paused ${o.from} – ${o.until}\n`);
      });
    });

  const cycle = program.command('cycle').description('the daily close-of-business cycle');
  cycle.command('run')
    .description('close a business date (earlier unclosed dates are closed first, in order)')
    .requiredOption('--date <YYYY-MM-DD>', 'business date to close')
    .action(async (o: { date: string }, cmd: Command) => {
      const date = parseDate(o.date, '--date');
      await withStore(cmd, async (s) => {
        const c = cycleOptions();
        try {
          await runCycle(s, date, { ...c.opts, steps: await activeSteps(s) });
        } finally {
          c.done();
        }
      });
    });
  cycle.command('catch-up')
    .description('close every business date from the last closed one through --until (default: today)')
    .option('--until <YYYY-MM-DD>', 'last date to close')
    .action(async (o: { until?: string }, cmd: Command) => {
      const until = o.until ? parseDate(o.until, '--until') : today();
      await withStore(cmd, async (s) => {
        const last = await lastClosedDate(s.db);
        if (last === null) throw new DomainError('cycle.none', 'no business date has been closed yet; start with `arrears cycle run --date D`');
        if (last >= until) {
          process.stdout.write(`already closed through ${last}; nothing to do\n`);
          return;
        }
        const c = cycleOptions();
        try {
          const runs = await runCycle(s, until, { ...c.opts, steps: await activeSteps(s) });
          process.stdout.write(`closed ${runs.length} business date(s): ${addDays(last, 1)} … ${until}\n`);
        } finally {
          c.done();
        }
      });
    });
  cycle.command('status')
    .description('the last closed business date')
    .action(async (_o, cmd: Command) => {
      await withStore(cmd, async (s) => {
        process.stdout.write(`last closed business date: ${(await lastClosedDate(s.db)) ?? 'none'}\n`);
      });
    });

  program.command('summary')
    .description('open accounts and balances per bucket')
    .action(async (_o, cmd: Command) => {
      await withStore(cmd, async (s) => printSummary(s));
    });

  program.command('replay')
    .description('run a timeline file on a fresh in-memory database and print the trace (see docs/timelines.md)')
    .argument('<file>', 'timeline YAML')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--until <YYYY-MM-DD>', 'stop after this date')
    .option('--account <id>', 'only this account')
    .action(async (file: string, o: { format: 'table' | 'json'; until?: string; account?: string }) => {
      const t = parseTimeline(readInput(file), file);
      if (o.account !== undefined && !t.accounts.some((a) => a.account.id === o.account)) {
        throw new ValidationError('--account', `unknown account "${o.account}" in ${file} (accounts: ${t.accounts.map((a) => a.account.id).join(', ')})`);
      }
      const until = o.until === undefined ? undefined : parseDate(o.until, '--until');
      const strategy = loadTimelineStrategy(t);
      const gate = loadTimelineGate(t);
      const r = await replay(t, { ...(until === undefined ? {} : { until }), ...(strategy ? { strategy } : {}), ...(gate ? { gate } : {}) });
      const rows = filterRows(r.rows, { ...(until ? { until } : {}), ...(o.account ? { account: o.account } : {}) });
      process.stdout.write(o.format === 'json' ? formatJsonLines(rows) : formatTable(rows, r.currencyOf));
      const failures = expectationFailures(r.rows, file);
      if (failures.length > 0) {
        process.stderr.write(`${failures.length} expectation(s) of the timeline not met (expect: of attempts, check: events):\n${failures.join('\n')}\n`);
        process.exitCode = 1;
      }
    });

  const strategy = program.command('strategy').description('collection strategies (see docs/strategy.md)');
  strategy.command('check')
    .description('check a strategy file: YAML, CEL syntax and types, unknown facts or actions, unreachable stages')
    .argument('<file>', 'strategy YAML, or the name of a shipped strategy (e.g. default)')
    .action((file: string) => {
      const path = findStrategyFile(file);
      const issues = checkStrategy(readInput(path), path);
      for (const i of issues) process.stderr.write(`${formatStrategyIssue(i)}\n`);
      const errors = issues.filter((i) => i.severity === 'error').length;
      process.stdout.write(`${path}: ${errors} error(s), ${issues.length - errors} warning(s)\n`);
      if (errors > 0) process.exitCode = 1;
    });

  strategy.command('diff')
    .description('re-evaluate recorded account-days with a new version: stage changes and task volumes per day and channel')
    .argument('<old>', 'the current strategy: YAML path or shipped name')
    .argument('<new>', 'the candidate strategy: YAML path or shipped name')
    .requiredOption('--replay <source>', 'a timeline (.yaml), a SQLite database file or a postgres:// URL (its last closed business date)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--examples <n>', 'example account ids per stage change', '5')
    .option('--all-days', 'table: list every (date, channel), not only those whose volume changes')
    .action(async (oldName: string, newName: string, o: { replay: string; format: 'table' | 'json'; examples: string; allDays?: boolean }) => {
      const examples = Number(o.examples);
      if (!Number.isSafeInteger(examples) || examples < 0) throw new ValidationError('--examples', `must be a whole number ≥ 0, got "${o.examples}"`);
      const load = (n: string): CompiledStrategy => {
        const path = findStrategyFile(n);
        return loadStrategy(readInput(path), path);
      };
      const d = await strategyDiff(load(oldName), load(newName), o.replay, { examples });
      process.stdout.write(o.format === 'json' ? formatDiffJson(d) : formatDiff(d, { allDays: o.allDays === true }));
    });

  strategy.command('activate')
    .description('make a strategy the one the daily cycle runs in this database (checked first)')
    .argument('<file>', 'strategy YAML, or the name of a shipped strategy (e.g. default)')
    .action(async (file: string, _o, cmd: Command) => {
      const path = findStrategyFile(file);
      const text = readInput(path);
      const compiled = loadStrategy(text, path);
      await withStore(cmd, async (s) => {
        await saveActiveStrategy(s.db, { source: path, text });
        process.stdout.write(`strategy ${compiled.ref} is active from the next business date closed\n`);
      });
    });
  strategy.command('status')
    .description('the strategy the cycle runs')
    .action(async (_o, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const active = await loadActiveStrategy(s.db);
        process.stdout.write(active ? `active: ${loadStrategy(active.text, active.source).ref} (from ${active.source})\n` : 'no strategy active: the cycle runs the ledger only\n');
      });
    });

  const audit = program.command('audit').description('the append-only, hash-chained audit log');
  audit.command('verify')
    .description('check every entry of the audit log: an edited, deleted or replaced entry is reported (exit 1)')
    .action(async (_o, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const r = await verifyAudit(s.db);
        if (r.ok) {
          process.stdout.write(`audit log intact: ${r.checked} entr${r.checked === 1 ? 'y' : 'ies'} verified\n`);
        } else {
          process.stderr.write(`audit log tampered: ${r.problem?.reason ?? 'unknown problem'} (${r.checked} entries verified before it)\n`);
          process.exitCode = 1;
        }
      });
    });

  registerNoticeCommands(program);

  program.command('demo')
    .description('create a synthetic portfolio in the database, run the cycle over its history and print a summary')
    .option('--accounts <n>', 'number of loans', '10000')
    .option('--seed <n>', 'random seed', '42')
    .option('--as-of <YYYY-MM-DD>', 'business date to run the cycle through (default: yesterday)')
    .option('--history <days>', 'days of daily cycle history to run', '30')
    .option('--reset', 'delete an existing demo portfolio first (SQLite file only)')
    .option('--staff-days <n>', 'the last N business dates are worked by the demo staff (queues, calls, agencies, visits); 0: none', '10')
    .action(async (o: { accounts: string; seed: string; asOf?: string; history: string; reset?: boolean; staffDays: string }, cmd: Command) => {
      const count = Number(o.accounts);
      if (!Number.isSafeInteger(count) || count < 1) throw new ValidationError('--accounts', `must be a whole number ≥ 1, got "${o.accounts}"`);
      const seed = Number(o.seed);
      if (!Number.isSafeInteger(seed)) throw new ValidationError('--seed', `must be a whole number, got "${o.seed}"`);
      const history = Number(o.history);
      if (!Number.isSafeInteger(history) || history < 1 || history > 3650) throw new ValidationError('--history', `must be a whole number from 1 to 3650, got "${o.history}"`);
      const asOf = o.asOf ? parseDate(o.asOf, '--as-of') : addDays(today(), -1);
      const staffDays = Number(o.staffDays);
      if (!Number.isSafeInteger(staffDays) || staffDays < 0 || staffDays > 366) throw new ValidationError('--staff-days', `must be a whole number from 0 to 366, got "${o.staffDays}"`);
      await runDemo({ url: dbUrl(cmd), count, seed, asOf, historyDays: history, reset: o.reset === true, staffDays });
    });
  registerCompliance(program);
  registerGate(program);
  registerAgency(program);
  registerParty(program);
  registerField(program);
  registerQueue(program);
  registerDispatch(program);
  registerPromise(program);
  registerLetters(program);
  registerMessages(program);
  registerServe(program);
  registerDialer(program);
}
