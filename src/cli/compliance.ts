/**
 * `arrears act …` (compliance acts: disputes, cease requests, holds and the acts that lift them) and
 * `arrears complaint …` (open, update, show, list, rates). See docs/complaints-and-holds.md.
 */
import { Option, type Command } from 'commander';
import { parseDate, ValidationError } from '../core/index.js';
import { ACT_KINDS, ACT_SOURCES, gateFactsFromActs, unenforcedActNote, type LoadedPack } from '../compliance/index.js';
import { CHANNELS } from '../contact/index.js';
import { COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, type ComplaintStatus } from '../complaints/index.js';
import { findPackFile, loadPackFile } from './packs.js';
import { accountJurisdiction } from '../store/gate.js';
import { table, withStore } from './shared.js';
import { loadActs, recordAct, type RecordedAct } from '../store/acts.js';
import {
  complaintHistory, complaintRates, getComplaint, listComplaints, openComplaint, updateComplaint, type Complaint, type RateRow,
} from '../store/complaints.js';


const collect = (v: string, prev: string[]): string[] => [...prev, v];
const actor = (o: { actor?: string }): string => o.actor ?? process.env.ARREARS_ACTOR ?? 'cli';

/** A pack by name (rule-packs/NAME.yaml in the working directory, then the shipped ones) or path. */
function loadPack(nameOrPath: string): LoadedPack {
  return loadPackFile(findPackFile(nameOrPath));
}

function attemptIds(list: readonly string[]): number[] {
  return list.map((a) => {
    if (!/^\d+$/.test(a)) throw new ValidationError('--attempt', `must be a gate decision id (a whole number), got "${a}"`);
    return Number(a);
  });
}

function complaintId(v: string): number {
  if (!/^\d+$/.test(v)) throw new ValidationError('id', `must be a complaint id (a whole number), got "${v}"`);
  return Number(v);
}

const scope = (p: string | null): string => (p === null ? 'whole debt' : `party ${p}`);

function describeAct(a: RecordedAct): string {
  const extra = [
    a.channel ? `${a.channel} ${a.contactPoint ?? ''}` : '',
    a.variant ? `${a.variant}${a.treatmentEndedAt ? `, treatment ended ${a.treatmentEndedAt}` : ''}` : '',
  ].filter((x) => x !== '').join('; ');
  return `${a.kind} for ${a.debtId} (${scope(a.partyId)}) at ${a.at} from ${a.source}${extra ? ` [${extra}]` : ''}`;
}

function describeComplaint(c: Complaint): string {
  const links = [
    c.links.attempts.length ? `attempts ${c.links.attempts.join(', ')}` : '',
    c.links.agents.length ? `agents ${c.links.agents.join(', ')}` : '',
    c.links.agencies.length ? `agencies ${c.links.agencies.join(', ')}` : '',
  ].filter((x) => x !== '').join('; ');
  return [
    `complaint ${c.id}: ${c.category} on ${c.accountId}${c.partyId ? ` (party ${c.partyId})` : ''}, ${c.status}`,
    `received ${c.receivedOn}, respond by ${c.dueOn} (${c.responseDays} days: ${c.deadlineSource})`,
    ...(c.summary ? [`summary: ${c.summary}`] : []),
    ...(c.rootCause ? [`root cause: ${c.rootCause}`] : []),
    ...(c.resolution ? [`resolution: ${c.resolution}`] : []),
    `names: ${links || 'nobody yet'}`,
  ].join('\n') + '\n';
}

export function registerCompliance(program: Command): void {
  const act = program.command('act').description('compliance acts: disputes, cease requests, holds and the acts that lift them (docs/complaints-and-holds.md)');
  act.command('record')
    .description('record an act; a lifting act (verification_sent, cease_withdrawn, opt_in, …) needs something in force to lift')
    .requiredOption('--account <id>', 'account (debt) id')
    .addOption(new Option('--kind <kind>', 'what happened').choices(ACT_KINDS).makeOptionMandatory())
    .addOption(new Option('--source <source>', 'how it arrived').choices(ACT_SOURCES).makeOptionMandatory())
    .option('--party <id>', 'the party it concerns (default: the consumer / the whole debt)')
    .option('--at <iso>', 'ISO instant it was received / took effect (default: now)')
    .addOption(new Option('--channel <channel>', 'opt_out / opt_in: the channel').choices(CHANNELS))
    .option('--contact-point <x>', 'opt_out / opt_in: the number or address')
    .addOption(new Option('--variant <variant>', 'breathing_space: standard or mental_health_crisis').choices(['standard', 'mental_health_crisis']))
    .option('--treatment-ended-at <iso>', 'breathing_space (mental_health_crisis): when crisis treatment ended')
    .option('--note <text>', 'free text')
    .option('--actor <name>', 'who records it (default: $ARREARS_ACTOR or cli)')
    .action(async (o: {
      account: string; kind: string; source: string; party?: string; at?: string; channel?: string; contactPoint?: string;
      variant?: string; treatmentEndedAt?: string; note?: string; actor?: string;
    }, cmd: Command) => {
      const raw: Record<string, unknown> = {
        kind: o.kind, debtId: o.account, partyId: o.party ?? null, at: o.at ?? new Date().toISOString(), source: o.source,
        ...(o.channel !== undefined ? { channel: o.channel } : {}), ...(o.contactPoint !== undefined ? { contactPoint: o.contactPoint } : {}),
        ...(o.variant !== undefined ? { variant: o.variant } : {}), ...(o.treatmentEndedAt !== undefined ? { treatmentEndedAt: o.treatmentEndedAt } : {}),
        ...(o.note !== undefined ? { note: o.note } : {}),
      };
      await withStore(cmd, async (s) => {
        const a = await recordAct(s, raw, { actor: actor(o) });
        process.stdout.write(`act ${a.id} recorded: ${describeAct(a)}\n`);
        // an act no pack in force for the account acts on changes nothing at the gate: say so (exit 0)
        const names = await accountJurisdiction(s.db, a.debtId);
        const note = names === null ? null : unenforcedActNote(a.kind, names.map(loadPack), a.channel);
        if (note !== null) process.stderr.write(`recorded; note: ${note}\n`);
      });
    });
  act.command('list')
    .description("an account's acts, oldest first, and what is in force now")
    .requiredOption('--account <id>', 'account (debt) id')
    .option('--party <id>', 'show what is in force for this party (default: acts about the whole debt only)')
    .option('--as-of <iso>', 'ISO instant for "in force" (default: now)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { account: string; party?: string; asOf?: string; format: 'table' | 'json' }, cmd: Command) => {
      const asOf = o.asOf ?? new Date().toISOString();
      await withStore(cmd, async (s) => {
        const acts = await loadActs(s.db, o.account);
        // party ids are never empty, so '' selects the acts about the whole debt only
        const facts = gateFactsFromActs(acts, o.party ?? '', asOf);
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify({ account: o.account, acts, inForce: { asOf, party: o.party ?? null, ...facts } }, null, 2)}\n`);
          return;
        }
        if (acts.length === 0) {
          process.stdout.write(`no acts recorded for ${o.account}\n`);
          return;
        }
        process.stdout.write(table(['id', 'at', 'kind', 'party', 'source', 'detail', 'actor', 'note'], acts.map((a) => [
          String(a.id), a.at, a.kind, a.partyId ?? '-', a.source,
          a.channel ? `${a.channel} ${a.contactPoint ?? ''}` : a.variant ? `${a.variant}${a.treatmentEndedAt ? ` ended ${a.treatmentEndedAt}` : ''}` : '',
          a.actor, a.note ?? '',
        ])));
        const inForce = [
          ...facts.holds.map((h) => `${h.kind} hold since ${h.from}${h.partyId ? ` (party ${h.partyId})` : ''}`),
          ...facts.optOuts.map((x) => `opt-out ${x.channel} ${x.contactPoint}`),
          ...(facts.workplaceForbidden ? ['workplace contact forbidden'] : []),
          ...(facts.refusedContact ? ['refused contact'] : []),
        ];
        process.stdout.write(`in force at ${asOf} for ${o.party ? `party ${o.party}` : 'the whole debt'}: ${inForce.length ? inForce.join('; ') : 'nothing'}\n`);
      });
    });

  const complaint = program.command('complaint').description('complaints: intake, deadlines, lifecycle, rates (docs/complaints-and-holds.md)');
  complaint.command('open')
    .description('open a complaint; it is due received date + the jurisdiction\'s response days (default 15)')
    .requiredOption('--account <id>', 'account id')
    .addOption(new Option('--category <category>', 'what it is about').choices(COMPLAINT_CATEGORIES).makeOptionMandatory())
    .requiredOption('--received <YYYY-MM-DD>', 'date the complaint was received')
    .option('--party <id>', 'the complainant, when not the borrower')
    .option('--summary <text>', 'what the complainant says')
    .option('--jurisdiction <packs>', 'rule packs in force, comma-separated names or files (e.g. us-regf,us-ma): their complaints.responseDays applies (default: `arrears gate jurisdiction` for the borrower\'s country)')
    .option('--attempt <id>', 'a gate decision id the complaint is about (repeatable; its agent and agency are linked too)', collect, [])
    .option('--agent <id>', 'an agent the complaint names (repeatable)', collect, [])
    .option('--agency <id>', 'an agency the complaint names (repeatable)', collect, [])
    .option('--actor <name>', 'who records it (default: $ARREARS_ACTOR or cli)')
    .action(async (o: {
      account: string; category: string; received: string; party?: string; summary?: string; jurisdiction?: string;
      attempt: string[]; agent: string[]; agency: string[]; actor?: string;
    }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        // the packs named, else those in force for the account's borrower (`arrears gate jurisdiction`)
        const names = o.jurisdiction !== undefined ? o.jurisdiction.split(',').map((x) => x.trim()).filter((x) => x !== '') : await accountJurisdiction(s.db, o.account) ?? [];
        const packs = names.map(loadPack);
        const c = await openComplaint(s, {
          accountId: o.account, partyId: o.party ?? null, category: o.category, receivedOn: parseDate(o.received, '--received'),
          summary: o.summary ?? null, packs, attempts: attemptIds(o.attempt), agents: o.agent, agencies: o.agency,
        }, { actor: actor(o) });
        process.stdout.write(describeComplaint(c));
      });
    });
  complaint.command('update')
    .description('move a complaint on (open → investigating → responded → closed; closing needs --root-cause and --resolution), or add links and notes')
    .argument('<id>', 'complaint id')
    .addOption(new Option('--status <status>', 'the new status').choices(COMPLAINT_STATUSES))
    .option('--root-cause <text>', 'why it happened')
    .option('--resolution <text>', 'what was done about it')
    .option('--note <text>', 'a note for the history')
    .option('--attempt <id>', 'link a gate decision id (repeatable)', collect, [])
    .option('--agent <id>', 'link an agent (repeatable)', collect, [])
    .option('--agency <id>', 'link an agency (repeatable)', collect, [])
    .option('--actor <name>', 'who makes the change (default: $ARREARS_ACTOR or cli)')
    .action(async (id: string, o: {
      status?: ComplaintStatus; rootCause?: string; resolution?: string; note?: string; attempt: string[]; agent: string[]; agency: string[]; actor?: string;
    }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const c = await updateComplaint(s, complaintId(id), {
          ...(o.status !== undefined ? { status: o.status } : {}), ...(o.rootCause !== undefined ? { rootCause: o.rootCause } : {}),
          ...(o.resolution !== undefined ? { resolution: o.resolution } : {}), ...(o.note !== undefined ? { note: o.note } : {}),
          attempts: attemptIds(o.attempt), agents: o.agent, agencies: o.agency,
        }, { actor: actor(o) });
        process.stdout.write(describeComplaint(c));
      });
    });
  complaint.command('show')
    .description('a complaint with its links and history')
    .argument('<id>', 'complaint id')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (id: string, o: { format: 'table' | 'json' }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const c = await getComplaint(s.db, complaintId(id));
        const history = await complaintHistory(s.db, c.id);
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify({ ...c, history }, null, 2)}\n`);
          return;
        }
        process.stdout.write(describeComplaint(c));
        process.stdout.write(table(['at', 'actor', 'what', 'detail'], history.map((h) => [
          h.at, h.actor, h.from !== h.to && h.to !== null ? `${h.from ?? '-'} → ${h.to}` : h.kind, JSON.stringify(h.data),
        ])));
      });
    });
  complaint.command('list')
    .description('complaints by due date; --overdue: past their deadline and not responded to')
    .addOption(new Option('--status <status>', 'only this status').choices(COMPLAINT_STATUSES))
    .option('--account <id>', 'only this account')
    .option('--overdue', 'only overdue complaints')
    .option('--as-of <YYYY-MM-DD>', 'date for --overdue (default: today, UTC)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { status?: ComplaintStatus; account?: string; overdue?: boolean; asOf?: string; format: 'table' | 'json' }, cmd: Command) => {
      const asOf = o.asOf !== undefined ? parseDate(o.asOf, '--as-of') : new Date().toISOString().slice(0, 10);
      await withStore(cmd, async (s) => {
        const list = await listComplaints(s.db, {
          ...(o.status !== undefined ? { status: o.status } : {}), ...(o.account !== undefined ? { accountId: o.account } : {}),
          ...(o.overdue ? { overdueOn: asOf } : {}),
        });
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        if (list.length === 0) {
          process.stdout.write(o.overdue ? `no complaints overdue on ${asOf}\n` : 'no complaints\n');
          return;
        }
        process.stdout.write(table(['id', 'account', 'category', 'status', 'received', 'due', 'agents', 'agencies'], list.map((c) => [
          String(c.id), c.accountId, c.category, c.status, c.receivedOn, c.dueOn, c.links.agents.join(',') || '-', c.links.agencies.join(',') || '-',
        ])));
      });
    });
  complaint.command('rates')
    .description('complaints naming each agent (or agency) per 1,000 attempts they made, rounded half-up to 2 decimals')
    .addOption(new Option('--by <who>', 'agent or agency').choices(['agent', 'agency']).default('agent'))
    .option('--from <YYYY-MM-DD>', 'first day (complaints by received date, attempts by UTC date)')
    .option('--to <YYYY-MM-DD>', 'last day (inclusive)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { by: 'agent' | 'agency'; from?: string; to?: string; format: 'table' | 'json' }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const rows: RateRow[] = await complaintRates(s.db, o.by, {
          ...(o.from !== undefined ? { from: parseDate(o.from, '--from') } : {}), ...(o.to !== undefined ? { to: parseDate(o.to, '--to') } : {}),
        });
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write(`no ${o.by === 'agent' ? 'agents' : 'agencies'} with attempts or complaints\n`);
          return;
        }
        process.stdout.write(table([o.by, 'complaints', 'attempts', 'per 1,000'], rows.map((r) => [r.id, String(r.complaints), String(r.attempts), r.perThousand ?? 'n/a'])));
      });
    });
}
