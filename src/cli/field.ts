/**
 * `arrears field …`: plan a day of field visits for the field agents and record visit reports.
 * Addresses carry no coordinates yet, so the plan takes a `--visits` file mapping each account to
 * { lat, lon, district }. See docs/field-visits.md.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseDate, ValidationError } from '../core/index.js';
import { checkInstant, instantAt, type LoadedPack } from '../compliance/index.js';
import {
  DEFAULT_MAX_EVIDENCE_BYTES, parseAgents, parseClock, parseVisitLocations, parseVisitReport, planDay, VISIT_ADDRESSES, visitRules,
  type DayPlan, type GroupBy, type VisitAddress, type VisitRules, type VisitTask,
} from '../field/index.js';
import { checkInVisit, reportVisit, saveDayPlan, visitsBlocked, visitTasksFor } from '../store/field.js';
import { accountJurisdiction } from '../store/gate.js';
import { findPackFile, loadPackFile, accountPacks } from './packs.js';
import { table, withStore } from './shared.js';

/** Exit code when the gate blocks a visit (as `arrears gate decide`). */
const BLOCKED_EXIT_CODE = 3;

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

function loadPacks(names: string | undefined): LoadedPack[] | null {
  if (names === undefined) return null;
  return names.split(',').map((n) => n.trim()).filter((n) => n !== '').map((n) => loadPackFile(findPackFile(n)));
}

function packRules(names: string | undefined): VisitRules | null {
  const packs = loadPacks(names);
  return packs ? visitRules(packs.flatMap((p) => p.rules)) : null;
}


function addressOption(v: string | undefined): VisitAddress {
  if (v === undefined) return 'residential';
  if (!(VISIT_ADDRESSES as readonly string[]).includes(v)) throw new ValidationError('--address', `must be one of ${VISIT_ADDRESSES.join(', ')}, got "${v}"`);
  return v as VisitAddress;
}

function instantOption(v: string | undefined, field: string): string {
  const at = v ?? new Date().toISOString();
  checkInstant(at, field, '2026-03-02T10:30:00+08:00');
  return at;
}

function formatPlan(date: string, plan: DayPlan): string {
  const out: string[] = [`field plan for ${date}: visits ${plan.window.from}–${plan.window.to}, ${plan.minutesPerVisit} min a visit, ${plan.speedKmh} km/h, `
    + `${plan.collectors === 2 ? 'teams of two' : 'one collector a visit'}, grouped by ${plan.groupBy}`];
  for (const r of plan.routes) {
    out.push('', `${r.unit}: ${r.stops.length} visit(s), ${r.totalKm} km, done ${r.endsAt}`);
    if (r.stops.length > 0) {
      out.push(table(['#', 'arrive', 'leave', 'account', 'address', 'district', 'km', 'travel', 'from'], r.stops.map((s) => [
        String(s.seq), s.arrival, s.departure, s.accountId, s.address, s.district ?? '-', s.travelKm === null ? '-' : String(s.travelKm), `${s.travelMinutes} min`,
        s.reassignedFrom ?? '-',
      ])).trimEnd());
    }
  }
  if (plan.unpairedAgents.length > 0) out.push('', `without a partner: ${plan.unpairedAgents.join(', ')}`);
  if (plan.leftOver.length > 0) {
    out.push('', `left over: ${plan.leftOver.length}`, table(['account', 'task', 'district', 'reason'], plan.leftOver.map((l) => [
      l.accountId, l.visitId, l.district ?? '-', l.reason === 'gate_blocked' ? `gate_blocked by ${l.rule ?? '?'}: ${l.detail ?? ''}` : l.reason,
    ])).trimEnd());
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
      const packs = loadPacks(o.pack);
      const rules = packs ? visitRules(packs.flatMap((p) => p.rules)) : null;
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
        // through the gate: each account asked at the start of the visit hours on the date (in the borrower's zone)
        // against its packs in force (else --pack; an account with neither has no rules to pass), for a team of the
        // plan's size that records and gave notice (the check-in and the report check the real team)
        const blocked = await visitsBlocked(s, tasks.map((t) => t.accountId), (zone) => new Date(instantAt(date, parseClock(from, '--from'), zone)).toISOString(),
          { collectors: Array.from({ length: collectors }, (_, i) => `collector-${i + 1}`), recording: true, noticeGiven: true }, accountPacks(s, { fallback: packs, optional: true }));
        const visits: VisitTask[] = tasks.map((t) => {
          const b = blocked.get(t.accountId);
          return { id: t.id, accountId: t.accountId, address: t.address, priority: t.priority, ...locations.get(t.accountId), ...(b ? { blocked: b } : {}) };
        });
        const plan = planDay(visits, agents, {
          window: { from, to }, minutesPerVisit: numberOption(o.minutes, '--minutes', 30), speedKmh: numberOption(o.speedKmh, '--speed-kmh', 25), collectors,
          ...(o.groupBy ? { groupBy: o.groupBy } : {}),
        });
        const id = await saveDayPlan(s.db, date, plan, { actor: actor(o) });
        if (o.format === 'json') process.stdout.write(`${JSON.stringify({ id, date, ...plan }, null, 2)}\n`);
        else process.stdout.write(`${formatPlan(date, plan)}\nplan ${id} saved: ${tasks.length} visit task(s), ${tasks.length - plan.leftOver.length} planned, ${plan.leftOver.length} left over\n`);
      });
    });

  field.command('check-in')
    .description(`check in at a visit: the gate decides it (channel visit, the team, the visit hours) and records the decision; exit ${BLOCKED_EXIT_CODE} when blocked`)
    .requiredOption('--account <id>', 'account visited')
    .requiredOption('--collectors <ids>', 'the visiting team, comma-separated agent ids (the first is the decision\'s agent)')
    .option('--at <iso>', 'the instant of the check-in, with Z or an offset (default: now)')
    .option('--address <kind>', `the address visited: ${VISIT_ADDRESSES.join(' | ')}`, 'residential')
    .option('--no-recording', 'the visit is not recorded (audio or video)')
    .option('--no-notice', 'the customer was not told of the visit beforehand')
    .option('--pack <names>', 'rule packs when the account has none in force (`arrears gate jurisdiction`)')
    .action(async (o: { account: string; collectors: string; at?: string; address?: string; recording: boolean; notice: boolean; pack?: string }, cmd: Command) => {
      const at = instantOption(o.at, '--at');
      const address = addressOption(o.address);
      const collectors = o.collectors.split(',').map((c) => c.trim()).filter((c) => c !== '');
      process.exitCode = await withStore(cmd, async (s) => {
        const c = await checkInVisit(s, { accountId: o.account, at, address, collectors, recording: o.recording, noticeGiven: o.notice }, accountPacks(s, { fallback: loadPacks(o.pack) }));
        if (!c.decision.allowed) {
          process.stdout.write(`blocked by ${c.decision.rule ?? '?'} (decision ${c.decision.id}): ${c.decision.reason}\n`);
          return BLOCKED_EXIT_CODE;
        }
        process.stdout.write(`allowed (decision ${c.decision.id}): visit to ${c.contactPoint} on ${c.localDate} by ${collectors.join(', ')}; `
          + `report it with \`arrears field report --account ${o.account} --decision ${c.decision.id} --file report.json\`\n`);
        return 0;
      });
    });

  field.command('report')
    .description('record a visit report against the gate decision of its check-in (who was met, outcome, promise, evidence)')
    .requiredOption('--account <id>', 'account visited')
    .requiredOption('--file <file>', 'the report, JSON: { date, address?, met, outcome, promise?, notes?, evidence?, checkIn: { lat, lon, at? }, collectors }')
    .option('--decision <id>', 'the allowed decision of `field check-in` (default: the report\'s checkIn.at is checked in now)')
    .option('--pack <names>', 'rule packs when the account has none in force; their field-visit rules apply (collectors, recording), e.g. cn')
    .option('--no-notice', 'without --decision: the customer was not told of the visit beforehand')
    .option('--max-mb <n>', 'largest evidence file in MB', String(DEFAULT_MAX_EVIDENCE_BYTES / 1024 / 1024))
    .option('--actor <name>', 'who records (default: $ARREARS_ACTOR or cli)')
    .action(async (o: { account: string; file: string; decision?: string; pack?: string; notice: boolean; maxMb: string; actor?: string }, cmd: Command) => {
      if (o.decision !== undefined && !/^\d+$/.test(o.decision)) throw new ValidationError('--decision', `must be a gate decision id (a whole number), got "${o.decision}"`);
      const maxEvidenceBytes = Math.floor(numberOption(o.maxMb, '--max-mb', 25) * 1024 * 1024);
      const raw = readJson(o.file, '--file');
      process.exitCode = await withStore(cmd, async (s) => {
        // the field-visit rules of the account's packs in force, else of --pack
        const names = await accountJurisdiction(s.db, o.account);
        const rules = names !== null ? visitRules(names.flatMap((n) => loadPackFile(findPackFile(n)).rules)) : packRules(o.pack);
        const report = parseVisitReport(raw, { maxEvidenceBytes, ...(rules ? { minCollectors: rules.collectors, recordingRequired: rules.recording } : {}) });
        const r = await reportVisit(s, o.account, report, {
          actor: actor(o), noticeGiven: o.notice,
          ...(o.decision !== undefined ? { decisionId: Number(o.decision) } : { gateFor: accountPacks(s, { fallback: loadPacks(o.pack) }) }),
        });
        if (!r.recorded) {
          process.stderr.write(`visit report refused: the gate blocked the visit (decision ${r.decisionId}) by ${r.rule ?? '?'}: ${r.reason}\n`);
          return BLOCKED_EXIT_CODE;
        }
        process.stdout.write(`visit report ${r.id} ${r.duplicate ? 'already recorded' : 'recorded'} for ${o.account} on ${report.date} (decision ${r.decisionId}): met ${report.met}, outcome ${report.outcome}`
          + `${report.promise ? `, promise ${report.promise.amount} by ${report.promise.date}` : ''}, ${report.evidence.length} evidence file(s)\n`);
        return 0;
      });
    });
}
