/**
 * `arrears caller-number add|list|retire` and `arrears dialer export|import`: the numbers calls may
 * show, a business date's numbers to call with the windows the gate allows, and the calls a dialer
 * reports back, each through the gate (docs/dialer.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseDate, ValidationError, type BusinessDate } from '../core/index.js';
import { checkInstant, isoInstant } from '../compliance/index.js';
import { formatExportCsv, formatExportJson, LENDER, parseResults } from '../channels/dialer.js';
import { addCallerNumber, listCallerNumbers, retireCallerNumber } from '../store/caller-numbers.js';
import { dialerExport, importDialerResults } from '../store/dialer.js';
import { BLOCKED_EXIT_CODE } from './gate.js';
import { accountPacks } from './packs.js';
import { table, withStore } from './shared.js';

function instant(v: string | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  return isoInstant(checkInstant(v, flag, '2026-03-02T14:30:00-05:00'));
}


const actor = (): string => process.env.ARREARS_ACTOR ?? 'cli';

export function registerDialer(program: Command): void {
  const caller = program.command('caller-number').description('the numbers calls may show (caller ID), the lender\'s or an agency\'s (docs/dialer.md)');
  caller.command('add')
    .description('register a caller number for the lender\'s own agents, or for one agency')
    .argument('<number>', 'international number, e.g. +12125550100')
    .option('--agency <id>', 'the agency whose agents may show it (default: the lender\'s own agents)')
    .option('--label <text>', 'what it is for, e.g. "collections NY"')
    .option('--at <iso>', 'in use from this instant (default: now)')
    .action(async (number: string, o: { agency?: string; label?: string; at?: string }, cmd: Command) => {
      const at = instant(o.at, '--at');
      await withStore(cmd, async (s) => {
        const c = await addCallerNumber(s.db, { number, agencyId: o.agency ?? null, label: o.label ?? null }, { actor: actor(), ...(at ? { now: at } : {}) });
        process.stdout.write(`caller number ${c.number} registered for ${c.owner === LENDER ? 'the lender' : `agency ${c.owner}`} from ${c.registeredAt}\n`);
      });
    });
  caller.command('list')
    .description('registered caller numbers (retired ones too, unless --in-use)')
    .option('--in-use', 'only numbers not retired')
    .option('--owner <owner>', '`lender` or an agency id')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'json']).default('table'))
    .action(async (o: { inUse?: boolean; owner?: string; format: 'table' | 'json' }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const rows = await listCallerNumbers(s.db, { inUse: o.inUse === true, ...(o.owner !== undefined ? { owner: o.owner } : {}) });
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        process.stdout.write(table(['number', 'owner', 'label', 'registered', 'retired'], rows.map((r) => [r.number, r.owner, r.label ?? '', r.registeredAt, r.retiredAt ?? ''])));
      });
    });
  caller.command('retire')
    .description('stop using a caller number: calls showing it are blocked from then on')
    .argument('<number>', 'the number')
    .option('--at <iso>', 'retired from this instant (default: now)')
    .action(async (number: string, o: { at?: string }, cmd: Command) => {
      const at = instant(o.at, '--at');
      await withStore(cmd, async (s) => {
        const c = await retireCallerNumber(s.db, number, { actor: actor(), ...(at ? { now: at } : {}) });
        process.stdout.write(`caller number ${c.number} retired at ${c.retiredAt ?? ''}\n`);
      });
    });

  const dialer = program.command('dialer').description('voice dialer: the numbers to call with the windows the gate allows; the calls it made, through the gate (docs/dialer.md)');
  dialer.command('export')
    .description('a business date\'s planned calls: each active number with the local windows the gate would allow a call in (nothing is recorded)')
    .requiredOption('--date <YYYY-MM-DD>', 'business date of the planned call tasks')
    .option('--agency <id>', 'only the accounts placed with this agency on the date')
    .addOption(new Option('--format <format>', 'output').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write to this file (default: standard output)')
    .action(async (o: { date: string; agency?: string; format: 'csv' | 'json'; out?: string }, cmd: Command) => {
      const date: BusinessDate = parseDate(o.date, '--date');
      await withStore(cmd, async (s) => {
        const started = performance.now();
        const e = await dialerExport(s, { date, agencyId: o.agency ?? null, packsFor: accountPacks(s) });
        const { asked, ...out } = e;
        const text = o.format === 'json' ? formatExportJson(out) : formatExportCsv(out);
        if (o.out !== undefined) writeFileSync(o.out, text);
        else process.stdout.write(text);
        const ms = Math.round(performance.now() - started);
        const left = o.format === 'csv' && (e.noWindow.length > 0 || e.noNumber.length > 0)
          ? `; left out: ${e.noWindow.length} number(s) with no window today, ${e.noNumber.length} task(s) with no number in use (see --format json)` : '';
        process.stderr.write(`${e.rows.length} number(s) to call on ${date}${left}; ${asked} gate answers in ${ms} ms\n`);
      });
    });
  dialer.command('import')
    .description(`record the calls a dialer made (CSV or JSON), each through the gate; exit ${BLOCKED_EXIT_CODE} when the gate blocks any (a compliance exception), 1 when a row is rejected`)
    .argument('<file>', 'results: .csv (header row) or .json (a list of rows)')
    .option('--strict', 'import nothing when any row is invalid')
    .option('--agency <id>', 'the agency whose dialer made the calls (rows may name their own; default: the lender)')
    .addOption(new Option('--format <format>', 'input format (default: from the file name)').choices(['csv', 'json']))
    .action(async (file: string, o: { strict?: boolean; agency?: string; format?: 'csv' | 'json' }, cmd: Command) => {
      let body: string;
      try {
        body = readFileSync(file, 'utf8');
      } catch {
        throw new ValidationError('file', `cannot read ${file}`);
      }
      const format = o.format ?? (/\.json$/i.test(file) ? 'json' : 'csv');
      const parsed = parseResults(body, format);
      process.exitCode = await withStore(cmd, async (s) => {
        const r = await importDialerResults(s, parsed, { packsFor: accountPacks(s), strict: o.strict === true, agencyId: o.agency ?? null, actor: actor() });
        for (const x of r.rows) {
          const id = x.callId === null ? '' : ` (call ${x.callId})`;
          if (x.status === 'rejected') process.stderr.write(`row ${x.row}${id}: ${x.field ?? 'row'}: ${x.reason ?? ''}\n`);
          else if (x.status === 'blocked') process.stdout.write(`row ${x.row}${id}: BLOCKED by ${x.rule ?? '?'} (decision ${x.decisionId ?? '?'}): ${x.reason ?? ''}\n`);
          else if (x.status === 'duplicate') process.stdout.write(`row ${x.row}${id}: duplicate, skipped${x.reason ? ` — ${x.reason}` : ''}\n`);
          else process.stdout.write(`row ${x.row}${id}: imported (decision ${x.decisionId ?? '?'})\n`);
        }
        if (r.aborted) process.stderr.write(`--strict: ${r.rejected} invalid row(s); nothing imported\n`);
        process.stdout.write(`${r.imported} imported, ${r.duplicates} duplicate, ${r.blocked} blocked by the gate, ${r.rejected} rejected\n`);
        return r.blocked > 0 ? BLOCKED_EXIT_CODE : r.rejected > 0 ? 1 : 0;
      });
    });
}
