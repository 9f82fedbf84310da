/**
 * `arrears user add` and `arrears queue build|next|wrap-up|skip|assign|status`: agents' work queues built from
 * the planned call tasks (docs/work-queues.md).
 */
import { Option, type Command } from 'commander';
import { parseDate, ValidationError } from '../core/index.js';
import { checkInstant, isoInstant } from '../compliance/index.js';
import { outcomesFor } from '../contact/index.js';
import { ROLES } from '../queues/index.js';
import { addUser, assignItem, listUsers, buildQueueForDate, nextAccount, queueStatus, skipItem, wrapUp } from '../store/queues.js';
import { lastClosedDate } from '../cycle/index.js';
import { accountPacks } from './packs.js';
import { promiseFlags, table, withStore } from './shared.js';

const list = (v: string | undefined): string[] => (v === undefined ? [] : v.split(',').map((x) => x.trim()).filter((x) => x !== ''));

function instant(v: string | undefined): string {
  return isoInstant(checkInstant(v ?? new Date().toISOString(), '--at', '2026-03-02T14:30:00-05:00'));
}


/** Unassigned tasks listed by `queue build` (the rest are counted). */
const UNASSIGNED_SHOWN = 20;

export function registerQueue(program: Command): void {
  const user = program.command('user').description('the people who work accounts (docs/work-queues.md)');
  user.command('list')
    .description('the users: role, agency, capacity per day and skills')
    .action(async (_o: unknown, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const users = await listUsers(s.db);
        process.stdout.write(table(['id', 'name', 'role', 'agency', 'capacity', 'languages', 'jurisdictions', 'buckets'], users.map((u) => [
          u.id, u.name, u.role, u.agencyId ?? '-', String(u.capacity), u.skills.languages.join(',') || 'any', u.skills.jurisdictions.join(',') || 'any', u.skills.buckets.join(',') || 'any',
        ])));
        process.stdout.write(`${users.length} user(s)\n`);
      });
    });

  user.command('add')
    .description('add a user with role, skills and daily capacity')
    .requiredOption('--id <id>', 'user id')
    .requiredOption('--name <name>', 'name')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).default('agent'))
    .option('--agency <id>', 'the agency (agency_agent only)')
    .option('--languages <list>', 'language tags, comma-separated (default: any)')
    .option('--jurisdictions <list>', 'rule-pack names, comma-separated (default: any)')
    .option('--buckets <list>', 'buckets, comma-separated (default: any)')
    .option('--capacity <n>', 'queue items per business date', '50')
    .action(async (o: { id: string; name: string; role: string; agency?: string; languages?: string; jurisdictions?: string; buckets?: string; capacity: string }, cmd: Command) => {
      if (!/^\d+$/.test(o.capacity)) throw new ValidationError('--capacity', `must be a whole number, got "${o.capacity}"`);
      await withStore(cmd, async (s) => {
        const u = await addUser(s, {
          id: o.id, name: o.name, role: o.role, agencyId: o.agency ?? null, capacity: Number(o.capacity),
          skills: { languages: list(o.languages), jurisdictions: list(o.jurisdictions), buckets: list(o.buckets) },
        }, process.env.ARREARS_ACTOR ?? 'cli');
        process.stdout.write(`user ${u.id} added (${u.role}, capacity ${u.capacity}/day)\n`);
      });
    });

  const queue = program.command('queue').description('agents\' work queues from the planned call tasks (docs/work-queues.md)');
  queue.command('build')
    .description('queue a business date\'s planned call tasks: ranked by priority, dealt round-robin to agents with the skills, up to capacity')
    .requiredOption('--date <YYYY-MM-DD>', 'business date of the tasks')
    .action(async (o: { date: string }, cmd: Command) => {
      const date = parseDate(o.date, '--date');
      await withStore(cmd, async (s) => {
        const closed = await lastClosedDate(s.db);
        if (closed === null || closed < date) {
          process.stderr.write(`note: ${date} is not closed yet (last closed: ${closed ?? 'none'}); its call tasks are planned when the cycle closes it (\`arrears cycle run --date ${date}\`)\n`);
        }
        const out = await buildQueueForDate(s, date);
        const unassigned = out.filter((a) => a.agentId === null);
        process.stdout.write(`${out.length} task(s) queued for ${date} (new, or left unassigned before): ${out.length - unassigned.length} assigned, ${unassigned.length} unassigned\n`);
        for (const a of unassigned.slice(0, UNASSIGNED_SHOWN)) process.stdout.write(`  task ${a.taskId} (${a.accountId}): ${a.reason ?? ''}\n`);
        if (unassigned.length > UNASSIGNED_SHOWN) process.stdout.write(`  … and ${unassigned.length - UNASSIGNED_SHOWN} more unassigned (\`arrears queue status --date ${date}\`)\n`);
      });
    });

  queue.command('next')
    .description('the agent\'s highest-priority account whose borrower may be called now (asks the gate; records nothing)')
    .requiredOption('--agent <id>', 'the agent')
    .option('--at <iso>', 'the instant (default: now)')
    .action(async (o: { agent: string; at?: string }, cmd: Command) => {
      const at = instant(o.at);
      await withStore(cmd, async (s) => {
        const n = await nextAccount(s, o.agent, at, accountPacks(s));
        for (const k of n.skipped) process.stdout.write(`skipped item ${k.item.id} (${k.item.accountId}): blocked by ${k.rule ?? '?'}; next at ${k.nextAllowedAt ?? 'never'}\n`);
        if (n.item && n.request) {
          const who = n.request.party.kind === 'borrower' ? `${n.partyName ?? n.request.party.id} (${n.request.party.id})` : `${n.partyName ?? n.request.party.id} (${n.request.party.id}, ${n.request.party.kind} of ${n.borrowerName ?? '?'}; ${n.request.purpose} only)`;
          process.stdout.write(`item ${n.item.id}: account ${n.item.accountId}, call ${who} at ${n.request.contactPoint.id}; priority ${n.item.priority}\n`);
          process.stdout.write(`wrap up with \`arrears queue wrap-up --item ${n.item.id} --outcome OUTCOME\`\n`);
        } else {
          process.stdout.write(`nothing callable now; next at ${n.nextAt ?? 'none known'}\n`);
        }
      });
    });

  queue.command('wrap-up')
    .description('record the call on an item (a gate decision and its outcome) and mark it done')
    .requiredOption('--item <n>', 'the queue item')
    .requiredOption('--outcome <outcome>', `what came of the call: ${outcomesFor('call').join(', ')}`)
    .option('--at <iso>', 'the instant of the call (default: now)')
    .option('--promise-amount <minor>', 'outcome promise: the amount promised, in minor units')
    .option('--promise-due <YYYY-MM-DD>', 'outcome promise: the date it is promised for')
    .option('--note <text>', 'a note kept with the attempt')
    .option('--caller <number>', 'the caller number shown (caller ID); the gate blocks one not registered to the agent\'s agency or the lender (`arrears caller-number`)')
    .action(async (o: { item: string; outcome: string; at?: string; promiseAmount?: string; promiseDue?: string; note?: string; caller?: string }, cmd: Command) => {
      if (!/^\d+$/.test(o.item)) throw new ValidationError('--item', `must be a queue item id, got "${o.item}"`);
      const at = instant(o.at);
      const promise = promiseFlags(o);
      await withStore(cmd, async (s) => {
        const w = await wrapUp(s, Number(o.item), o.outcome, { at, packsFor: accountPacks(s), promise, note: o.note ?? null, callerNumber: o.caller ?? null, ...(process.env.ARREARS_ACTOR ? { actor: process.env.ARREARS_ACTOR } : {}) });
        if (w.decision.allowed) {
          const act = w.result?.actKind ? `; act ${w.result.actKind} recorded` : '';
          const p = promise ? `; promise ${promise.amount} due ${promise.due}` : '';
          process.stdout.write(w.result?.duplicate
            ? `item ${w.item.id} was already done with this result (decision ${w.decision.id}); nothing changed\n`
            : `item ${w.item.id} done: decision ${w.decision.id}, outcome ${o.outcome}${p}${act}\n`);
        } else {
          process.stdout.write(`blocked by ${w.decision.rule ?? '?'} (decision ${w.decision.id}): ${w.decision.reason}; item ${w.item.id} stays open\n`);
          process.exitCode = 3;
        }
      });
    });

  queue.command('skip')
    .description('take an open item off the queue without a call, with the reason')
    .requiredOption('--item <n>', 'the queue item')
    .requiredOption('--reason <text>', 'why')
    .action(async (o: { item: string; reason: string }, cmd: Command) => {
      if (!/^\d+$/.test(o.item)) throw new ValidationError('--item', `must be a queue item id, got "${o.item}"`);
      await withStore(cmd, async (s) => {
        const it = await skipItem(s, Number(o.item), o.reason);
        process.stdout.write(`item ${it.id} skipped: ${it.reason ?? ''}\n`);
      });
    });

  queue.command('assign')
    .description('a supervisor hands an open item to another agent whose skills cover it (audited)')
    .argument('<item>', 'the queue item')
    .argument('<agent>', 'the agent who takes it')
    .requiredOption('--by <supervisor>', 'the supervisor re-assigning it')
    .action(async (itemArg: string, agent: string, o: { by: string }, cmd: Command) => {
      if (!/^\d+$/.test(itemArg)) throw new ValidationError('item', `must be a queue item id, got "${itemArg}"`);
      await withStore(cmd, async (s) => {
        const it = await assignItem(s, Number(itemArg), agent, o.by);
        process.stdout.write(`item ${it.id} (${it.accountId}) assigned to ${agent} by ${o.by}\n`);
      });
    });

  queue.command('status')
    .description('per agent: items assigned, done, skipped, open; promises taken and right-party contacts on wrapped-up items')
    .option('--date <YYYY-MM-DD>', 'one business date (default: all)')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'json']).default('table'))
    .action(async (o: { date?: string; format: 'table' | 'json' }, cmd: Command) => {
      const date = o.date === undefined ? undefined : parseDate(o.date, '--date');
      await withStore(cmd, async (s) => {
        const rows = await queueStatus(s.db, date);
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        process.stdout.write(table(['agent', 'assigned', 'done', 'skipped', 'open', 'promises', 'rpc'], rows.map((r) => [
          r.agentId ?? '(unassigned)', String(r.assigned), String(r.done), String(r.skipped), String(r.open), String(r.promises), String(r.rightPartyContacts),
        ])));
      });
    });
}
