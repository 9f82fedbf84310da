/**
 * `arrears agency …`: add and list agencies with their contracts, place accounts, recall them,
 * commission per placement and the agency scorecard. See docs/agencies.md.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { addDays, formatMinorGrouped, isRecord, parseDate, ValidationError, type BusinessDate } from '../core/index.js';
import { parsePlacementRules, type PlacementRule } from '../agency/index.js';
import {
  addAgency, agencyScorecards, commissionReport, contractToJson, listAgencies, placeAccounts, recallDue, recallPlacement,
} from '../store/agencies.js';
import { table, withStore } from './shared.js';

const actor = (o: { actor?: string }): string => o.actor ?? process.env.ARREARS_ACTOR ?? 'cli';
const collect = (v: string, prev: string[]): string[] => [...prev, v];
const list = (v: string | undefined): string[] => (v === undefined ? [] : v.split(',').map((x) => x.trim()).filter((x) => x !== ''));
const today = (): BusinessDate => new Date().toISOString().slice(0, 10);

function wholeNumber(v: string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new ValidationError(field, `must be a whole number, got "${v}"`);
  return Number(v);
}

/** `M1=0.15,M2=0.185` → { M1: '0.15', M2: '0.185' } (rates stay decimal text: exact). */
function commissionOption(v: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of list(v)) {
    const m = /^([^=\s]+)=(\S+)$/.exec(part);
    if (!m) throw new ValidationError('--commission', `must be BUCKET=RATE pairs separated by commas (e.g. M1=0.15,M2=0.185), got "${part}"`);
    out[m[1] as string] = m[2] as string;
  }
  return out;
}

function readRules(file: string): PlacementRule[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ValidationError('--rules', `cannot read ${file}`);
  }
  const doc: unknown = parseYaml(text);
  return parsePlacementRules(isRecord(doc) ? doc.rules : doc, `${file}: rules`);
}

const money = (amount: number, currency: string): string => (currency ? `${formatMinorGrouped(amount, currency)} ${currency}` : String(amount));

export function registerAgency(program: Command): void {
  const agency = program.command('agency').description('collection agencies: contracts, placements, recalls, commission, scorecard (docs/agencies.md)');

  agency.command('add')
    .description('add an agency with its contract')
    .requiredOption('--id <id>', 'agency id')
    .requiredOption('--name <name>', 'agency name')
    .requiredOption('--commission <rates>', 'commission rate per bucket, e.g. M1=0.15,M2=0.185')
    .requiredOption('--days <n>', 'placement length in calendar days')
    .requiredOption('--capacity <n>', 'maximum open placements')
    .requiredOption('--regions <list>', 'country codes, subdivisions or *, comma-separated (e.g. US,GB)')
    .option('--actor <name>', 'who adds it (default: $ARREARS_ACTOR or cli)')
    .action(async (o: { id: string; name: string; commission: string; days: string; capacity: string; regions: string; actor?: string }, cmd: Command) => {
      const raw = {
        id: o.id, name: o.name, commission: commissionOption(o.commission), placementDays: wholeNumber(o.days, '--days'),
        capacity: wholeNumber(o.capacity, '--capacity'), regions: list(o.regions),
      };
      await withStore(cmd, async (s) => {
        const c = await addAgency(s, raw, { actor: actor(o) });
        process.stdout.write(`agency ${c.id} added: ${c.name}, ${c.placementDays} days, capacity ${c.capacity}, regions ${c.regions.join(',')}\n`);
      });
    });

  agency.command('list')
    .description('agencies with their contracts and open placements')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { format: 'table' | 'json' }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const rows = await listAgencies(s.db);
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...contractToJson(r), open: r.open })), null, 2)}\n`);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no agencies\n');
          return;
        }
        process.stdout.write(table(['id', 'name', 'days', 'open/capacity', 'regions', 'commission'], rows.map((r) => [
          r.id, r.name, String(r.placementDays), `${r.open}/${r.capacity}`, r.regions.join(','),
          Object.entries(contractToJson(r).commission as Record<string, string>).map(([b, v]) => `${b}=${v}`).join(','),
        ])));
      });
    });

  agency.command('place')
    .description('allocate accounts to agencies by placement rules and performance (deterministic for a seed)')
    .option('--rules <file>', 'placement rules, YAML or JSON: a list (or { rules: [...] }) of { id, bucket, minBalance, maxBalance, regions, agencies }')
    .option('--bucket <bucket>', 'one rule inline: the bucket')
    .option('--min-balance <minor>', 'inline rule: lowest balance (minor units)')
    .option('--max-balance <minor>', 'inline rule: highest balance (minor units)')
    .option('--region <list>', 'inline rule: regions, comma-separated')
    .option('--agencies <list>', 'inline rule: only these agencies, comma-separated')
    .option('--account <id>', 'only this account (repeatable)', collect, [])
    .option('--as-of <YYYY-MM-DD>', 'placement date (default: today UTC)')
    .option('--seed <seed>', 'allocation seed', '1')
    .option('--actor <name>', 'who places (default: $ARREARS_ACTOR or cli)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: {
      rules?: string; bucket?: string; minBalance?: string; maxBalance?: string; region?: string; agencies?: string; account: string[];
      asOf?: string; seed: string; actor?: string; format: 'table' | 'json';
    }, cmd: Command) => {
      if ((o.rules === undefined) === (o.bucket === undefined)) throw new ValidationError('--rules', 'give either --rules FILE or an inline rule with --bucket');
      const rules = o.rules !== undefined ? readRules(o.rules) : parsePlacementRules([{
        id: 'inline', bucket: o.bucket, minBalance: wholeNumber(o.minBalance, '--min-balance'), maxBalance: wholeNumber(o.maxBalance, '--max-balance'),
        regions: list(o.region), agencies: list(o.agencies),
      }], '--bucket');
      const asOf = o.asOf === undefined ? today() : parseDate(o.asOf, '--as-of');
      await withStore(cmd, async (s) => {
        const r = await placeAccounts(s, { rules, asOf, seed: o.seed, actor: actor(o), ...(o.account.length ? { accountIds: o.account } : {}) });
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
          return;
        }
        if (r.placements.length > 0) {
          process.stdout.write(table(['placement', 'account', 'agency', 'rule', 'bucket', 'balance', 'until'], r.placements.map((p) => [
            String(p.id), p.accountId, p.agencyId, p.ruleId, p.bucket, money(p.balance, p.currency), p.endsOn,
          ])));
        }
        const why = new Map<string, number>();
        for (const u of r.unplaced) why.set(u.reason, (why.get(u.reason) ?? 0) + 1);
        process.stdout.write(`${r.placements.length} account(s) placed on ${asOf}, ${r.unplaced.length} not placed${why.size ? ` (${[...why].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}\n`);
      });
    });

  agency.command('recall')
    .description('recall what is due (--due: period end, complaint) or one account (--account, e.g. a plan was agreed)')
    .option('--due', 'recall every placement due as of --as-of')
    .option('--account <id>', 'recall this account\'s open placement')
    .addOption(new Option('--reason <reason>', 'with --account: why').choices(['plan_agreed', 'complaint', 'manual']).default('manual'))
    .option('--ref <text>', 'with --account: a reference (plan id, complaint id)')
    .option('--as-of <YYYY-MM-DD>', 'recall date (default: today UTC)')
    .option('--actor <name>', 'who recalls (default: $ARREARS_ACTOR or cli)')
    .action(async (o: { due?: boolean; account?: string; reason: 'plan_agreed' | 'complaint' | 'manual'; ref?: string; asOf?: string; actor?: string }, cmd: Command) => {
      if ((o.due === true) === (o.account !== undefined)) throw new ValidationError('--due', 'give either --due or --account');
      const asOf = o.asOf === undefined ? today() : parseDate(o.asOf, '--as-of');
      await withStore(cmd, async (s) => {
        const done = o.account !== undefined
          ? [await recallPlacement(s, { accountId: o.account, reason: o.reason, on: asOf, ref: o.ref ?? null, actor: actor(o) })]
          : await recallDue(s, { asOf, actor: actor(o) });
        for (const r of done) process.stdout.write(`recalled ${r.accountId} from ${r.agencyId} on ${r.on}: ${r.reason}${r.ref ? ` (${r.ref})` : ''}\n`);
        process.stdout.write(`${done.length} placement(s) recalled\n`);
      });
    });

  agency.command('commission')
    .description('commission per placement: recovered during the placement × the rate of the bucket at placement, rounded half-up once')
    .option('--agency <id>', 'only this agency')
    .option('--as-of <YYYY-MM-DD>', 'count payments up to this date (default: today UTC)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { agency?: string; asOf?: string; format: 'table' | 'json' }, cmd: Command) => {
      const asOf = o.asOf === undefined ? today() : parseDate(o.asOf, '--as-of');
      await withStore(cmd, async (s) => {
        const lines = await commissionReport(s.db, { asOf, ...(o.agency !== undefined ? { agencyId: o.agency } : {}) });
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`);
          return;
        }
        process.stdout.write(table(['placement', 'agency', 'account', 'bucket', 'rate', 'window', 'recovered', 'commission'], lines.map((l) => [
          String(l.placementId), l.agencyId, l.accountId, l.bucket, l.rate, `${l.placedOn} … ${l.endsOn}${l.open ? ` (open; counted to ${addDays(l.end, -1)})` : ''}`,
          money(l.recovered, l.currency), money(l.commission, l.currency),
        ])));
        const totals = new Map<string, number>();
        for (const l of lines) totals.set(`${l.agencyId}\t${l.currency}`, (totals.get(`${l.agencyId}\t${l.currency}`) ?? 0) + l.commission);
        for (const [k, v] of totals) {
          const [id, cur] = k.split('\t') as [string, string];
          process.stdout.write(`total ${id}: ${money(v, cur)}\n`);
        }
      });
    });

  agency.command('scorecard')
    .description('per agency: recovery rate, promise-kept rate, complaints, gate blocks, commission')
    .option('--agency <id>', 'only this agency')
    .option('--as-of <YYYY-MM-DD>', 'as of this date (default: today UTC)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { agency?: string; asOf?: string; format: 'table' | 'json' }, cmd: Command) => {
      const asOf = o.asOf === undefined ? today() : parseDate(o.asOf, '--as-of');
      await withStore(cmd, async (s) => {
        const cards = await agencyScorecards(s.db, { asOf, ...(o.agency !== undefined ? { agencyId: o.agency } : {}) });
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify(cards, null, 2)}\n`);
          return;
        }
        const pct = (v: string | null): string => (v === null ? 'n/a' : `${v}%`);
        // one currency: formatted; several: minor units, said so
        const amount = (v: number, currency: string | null): string => (currency === null ? `${v} (minor units, mixed currencies)` : money(v, currency));
        process.stdout.write(table(['agency', 'placements', 'open', 'placed', 'recovered', 'recovery', 'promises kept', 'complaints', 'per 1,000', 'gate blocks', 'commission'], cards.map((c) => [
          c.agencyId, String(c.placements), String(c.open), amount(c.placedBalance, c.currency), amount(c.recovered, c.currency), pct(c.recoveryRate),
          `${c.promisesKept}/${c.promises} ${pct(c.promiseKeptRate)}`, String(c.complaints), c.complaintsPerThousand ?? 'n/a', String(c.gateBlocks), amount(c.commission, c.currency),
        ])));
      });
    });
}
