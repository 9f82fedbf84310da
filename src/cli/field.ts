/**
 * `arrears field …`: plan a day of field visits for the field agents and record visit reports.
 * Addresses carry no coordinates yet, so the plan takes a `--visits` file mapping each account to
 * { lat, lon, district }. See docs/field-visits.md.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseDate, ValidationError } from '../core/index.js';
import {
  DEFAULT_MAX_EVIDENCE_BYTES, parseAgents, parseClock, parseVisitLocations, parseVisitReport, planDay, visitRules,
  type DayPlan, type GroupBy, type VisitRules, type VisitTask,
} from '../field/index.js';
import { recordVisitReport, saveDayPlan, visitTasksFor } from '../store/field.js';
import { findPackFile, loadPackFile } from './packs.js';
import { table, withStore } from './shared.js';

const actor = (o: { actor?: string }): string => o.actor ?? process.env.ARREARS_ACTOR ?? 'cli';

function readJson(file: string, field: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ValidationError(field, `cannot read ${file}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ValidationError(field, `${file} is not valid JSON (${(e as Error).message})`);
  }
}

function numberOption(v: string | undefined, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || n <= 0) throw new ValidationError(field, `must be a number above 0, got "${v}"`);
  return n;
}

function packRules(names: string | undefined): VisitRules | null {
  if (names === undefined) return null;
  const rules = names.split(',').map((n) => n.trim()).filter((n) => n !== '').flatMap((n) => loadPackFile(findPackFile(n)).rules);
  return visitRules(rules);
}

function formatPlan(date: string, plan: DayPlan): string {
  const out: string[] = [`field plan for ${date}: visits ${plan.window.from}–${plan.window.to}, ${plan.minutesPerVisit} min a visit, ${plan.speedKmh} km/h, `
    + `${plan.collectors === 2 ? 'teams of two' : 'one collector a visit'}, grouped by ${plan.groupBy}`];
  for (const r of plan.routes) {
    out.push('', `${r.unit}: ${r.stops.length} visit(s), ${r.totalKm} km, done ${r.endsAt}`);
    if (r.stops.length > 0) {
      out.push(table(['#', 'arrive', 'leave', 'account', 'address', 'district', 'km', 'travel'], r.stops.map((s) => [
        String(s.seq), s.arrival, s.departure, s.accountId, s.address, s.district ?? '-', s.travelKm === null ? '-' : String(s.travelKm), `${s.travelMinutes} min`,
      ])).trimEnd());
    }
  }
  if (plan.unpairedAgents.length > 0) out.push('', `without a partner: ${plan.unpairedAgents.join(', ')}`);
  if (plan.leftOver.length > 0) {
    out.push('', `left over: ${plan.leftOver.length}`, table(['account', 'task', 'district', 'reason'], plan.leftOver.map((l) => [l.accountId, l.visitId, l.district ?? '-', l.reason])).trimEnd());
  }
  return `${out.join('\n')}\n`;
}

export function registerField(program: Command): void {
  const field = program.command('field').description('field visits: day plans for field agents, visit reports (docs/field-visits.md)');

  field.command('plan')
    .description('plan the day\'s visit tasks into routes per field agent (or team of two) and save the plan')
    .requiredOption('--date <YYYY-MM-DD>', 'business date whose visit tasks to plan')
    .requiredOption('--agents <file>', 'JSON: [{ id, districts?, start?: { lat, lon } }]')
    .option('--visits <file>', 'JSON: { accountId: { lat, lon, district } } (addresses have no coordinates yet)')
    .option('--pack <names>', 'rule packs (comma-separated) giving the visit hours and collectors, e.g. cn')
    .option('--from <HH:MM>', 'visit hours from (overrides the pack)')
    .option('--to <HH:MM>', 'visit hours to (overrides the pack)')
    .option('--collectors <n>', 'collectors per visit, 1 or 2 (default: the pack\'s, else 1)')
    .option('--minutes <n>', 'minutes per visit', '30')
    .option('--speed-kmh <n>', 'travel speed in km/h', '25')
    .addOption(new Option('--group-by <mode>', 'group by district or by coordinates (default: coordinates when all are known)').choices(['district', 'coordinates']))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--actor <name>', 'who plans (default: $ARREARS_ACTOR or cli)')
    .action(async (o: {
      date: string; agents: string; visits?: string; pack?: string; from?: string; to?: string; collectors?: string; minutes: string; speedKmh: string;
      groupBy?: GroupBy; format: 'table' | 'json'; actor?: string;
    }, cmd: Command) => {
      const date = parseDate(o.date, '--date');
      const agents = parseAgents(readJson(o.agents, '--agents'), o.agents);
      const locations = o.visits === undefined ? new Map() : parseVisitLocations(readJson(o.visits, '--visits'), o.visits);
      const rules = packRules(o.pack);
      const from = o.from ?? rules?.window?.from;
      const to = o.to ?? rules?.window?.to;
      if (from === undefined || to === undefined) throw new ValidationError('--from', 'visit hours are needed: give --pack (its allowed-hours for visits) or --from and --to');
      parseClock(from, '--from');
      parseClock(to, '--to');
      let collectors = rules?.collectors ?? 1;
      if (o.collectors !== undefined) {
        if (o.collectors !== '1' && o.collectors !== '2') throw new ValidationError('--collectors', `must be 1 or 2, got "${o.collectors}"`);
        collectors = Number(o.collectors);
        if (rules && collectors < rules.collectors) throw new ValidationError('--collectors', `the pack needs ${rules.collectors} collectors a visit (${rules.sources.join(', ')})`);
      }
      await withStore(cmd, async (s) => {
        const tasks = await visitTasksFor(s.db, date);
        const visits: VisitTask[] = tasks.map((t) => ({ id: t.id, accountId: t.accountId, address: t.address, priority: t.priority, ...locations.get(t.accountId) }));
        const plan = planDay(visits, agents, {
          window: { from, to }, minutesPerVisit: numberOption(o.minutes, '--minutes', 30), speedKmh: numberOption(o.speedKmh, '--speed-kmh', 25), collectors,
          ...(o.groupBy ? { groupBy: o.groupBy } : {}),
        });
        const id = await saveDayPlan(s.db, date, plan, { actor: actor(o) });
        if (o.format === 'json') process.stdout.write(`${JSON.stringify({ id, date, ...plan }, null, 2)}\n`);
        else process.stdout.write(`${formatPlan(date, plan)}\nplan ${id} saved: ${tasks.length} visit task(s), ${tasks.length - plan.leftOver.length} planned, ${plan.leftOver.length} left over\n`);
      });
    });

  field.command('report')
    .description('record a visit report (who was met, outcome, promise, evidence, check-in)')
    .requiredOption('--account <id>', 'account visited')
    .requiredOption('--file <file>', 'the report, JSON: { date, met, outcome, promise?, notes?, evidence?, checkIn, collectors }')
    .option('--pack <names>', 'rule packs whose field-visit rules apply (collectors, recording), e.g. cn')
    .option('--max-mb <n>', 'largest evidence file in MB', String(DEFAULT_MAX_EVIDENCE_BYTES / 1024 / 1024))
    .option('--actor <name>', 'who records (default: $ARREARS_ACTOR or cli)')
    .action(async (o: { account: string; file: string; pack?: string; maxMb: string; actor?: string }, cmd: Command) => {
      const rules = packRules(o.pack);
      const maxEvidenceBytes = Math.floor(numberOption(o.maxMb, '--max-mb', 25) * 1024 * 1024);
      const report = parseVisitReport(readJson(o.file, '--file'), {
        maxEvidenceBytes, ...(rules ? { minCollectors: rules.collectors, recordingRequired: rules.recording } : {}),
      });
      await withStore(cmd, async (s) => {
        const id = await recordVisitReport(s.db, o.account, report, { actor: actor(o) });
        process.stdout.write(`visit report ${id} recorded for ${o.account} on ${report.date}: met ${report.met}, outcome ${report.outcome}`
          + `${report.promise ? `, promise ${report.promise.amount} by ${report.promise.date}` : ''}, ${report.evidence.length} evidence file(s)\n`);
      });
    });
}
