/**
 * The day's messages (docs/messages.md): a business date's planned SMS and e-mail tasks, each
 * through the compliance gate and, when allowed, written to the outbox for the dispatcher.
 *
 * `sendDayMessages(store, opts)`:
 * 1. The date's tasks with channel `sms` or `email` and status `planned`, in task order. A task
 *    whose outbox key (`task-ID:CHANNEL`) is already in the outbox (written by the demo's reminders,
 *    or by hand) is marked `done` without asking the gate. Every remaining task's template is looked
 *    up (and, for e-mail, its subject) BEFORE the gate is asked: a missing one refuses the run untouched.
 * 2. Per task: the recipient (the borrower, else the account's first party of the task's kind), the
 *    contact point (sms: the first active mobile, else the first active phone; email: the first
 *    e-mail), the language (the recipient's first language the template has, else en) and the text.
 *    No person or contact point: the task is marked `no_contact_point` (audit `message.no_contact_point`
 *    with the reason); the gate is not asked.
 * 3. `decideAndRecord` (channel sms/email; purpose collect for those who owe the debt, message for
 *    references and the employer; the template as written goes with the request; at the task's
 *    window start, else 10:00, in the recipient's zone). In the decision's own transaction, under
 *    the debt's and party's locks: allowed — the contact result `sent` (gate outcome, contact
 *    attempt, audit), the outbox row (key `task-ID:CHANNEL`, due at the decision's instant) and the
 *    task `done`; blocked — the task `blocked` and an audit entry `message.blocked` with the rule
 *    and reason. A task another run handled meanwhile rolls the decision back and counts as done.
 */
import { parseDate, ValidationError, type BusinessDate, type Minor } from '../core/index.js';
import { attemptRequest, instantAt } from '../compliance/index.js';
import type { Address, PartyKind } from '../contact/index.js';
import { zonesOf } from '../channels/phone-zones.js';
import {
  messageLanguage, messagePurpose, renderTaskMessage, taskContactPoint, type MessageChannel, type MessageTemplateFile,
} from '../channels/messages.js';
import { appendAudit, atomically, changeOptions } from './audit.js';
import { rowToBorrower } from './codec.js';
import type { Store } from './db.js';
import { decideAndRecord, type PacksFor } from './gate.js';
import { checkContactResult, recordContactResultIn } from './outcomes.js';
import { enqueueIn } from './outbox.js';
import { listParties } from './parties.js';
import { chunks, type Db } from './repo.js';

/** What a message task ends as (tasks.status). */
export type MessageTaskStatus = 'done' | 'blocked' | 'no_contact_point';

/** The minute of the day a task without a window is asked about (local, the recipient's zone). */
export const MESSAGE_DEFAULT_MINUTE = 10 * 60;

export interface SendMessagesOptions {
  date: BusinessDate;
  templates: ReadonlyMap<string, MessageTemplateFile>;
  packsFor: PacksFor;
  /** only this channel (default both) */
  channel?: MessageChannel;
  /** at most this many planned tasks (in task order) */
  limit?: number;
  actor?: string;
  /** ISO instant recorded as the audit entries' and outbox rows' creation (default now) */
  now?: string;
  /** called after each task handled */
  onProgress?: (done: number, total: number) => void;
}

/** One task handled by this run. */
export interface MessageOutcome {
  taskId: number;
  accountId: string;
  channel: MessageChannel;
  template: string;
  partyKind: PartyKind;
  /** the person's id; null when the account has no such party */
  partyId: string | null;
  status: MessageTaskStatus | 'queued_before';
  to: string | null;
  language: string | null;
  /** the outbox key (sent, queued_before) */
  key: string | null;
  decisionId: number | null;
  rule: string | null;
  reason: string | null;
}

export interface SendMessagesResult {
  date: BusinessDate;
  /** planned tasks handled by this run */
  handled: number;
  sent: number;
  blocked: number;
  noContactPoint: number;
  /** tasks of the date (on the channels) that were no longer planned: done, blocked or no contact point earlier — plus those found in the outbox already */
  alreadyDone: number;
  /** planned tasks left for a later run (--limit) */
  remaining: number;
  /** blocked tasks by rule */
  blockedBy: Record<string, number>;
  outcomes: MessageOutcome[];
}

/** The outbox key of a task's message: stable, so a re-run or a resend is recognised. */
export function messageKey(taskId: number, channel: MessageChannel): string {
  return `task-${taskId}:${channel}`;
}

interface Person {
  id: string;
  name: string;
  languages: string[];
  timezone: string;
  phones: string[];
  emails: string[];
  addresses: Address[];
}

/** A task another run handled while this one asked the gate: the decision is rolled back. */
class HandledElsewhere extends Error {}

function accountChunk(db: Db, ids: readonly string[]) {
  return db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .innerJoin('account_state', 'account_state.account_id', 'accounts.id')
    .select(['accounts.id as account_id', 'accounts.currency', 'borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data',
      'account_state.dpd', 'account_state.credit', 'account_state.total', 'account_state.overdue'])
    .where('accounts.id', 'in', ids).execute();
}

type AccountRow = Awaited<ReturnType<typeof accountChunk>>[number];

const minuteOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The task's window start (`09:00-20:00` → 540), else 10:00. */
function taskMinute(window: string | null): number {
  const m = window === null ? null : /^(\d{2}:\d{2})-\d{2}:\d{2}$/.exec(window);
  return m?.[1] !== undefined ? minuteOf(m[1]) : MESSAGE_DEFAULT_MINUTE;
}

function borrowerPerson(row: AccountRow): Person {
  const b = rowToBorrower(row);
  const extra = JSON.parse(row.data) as { languages?: unknown };
  const languages = Array.isArray(extra.languages) ? extra.languages.filter((x): x is string => typeof x === 'string') : [];
  return { id: b.id, name: b.name, languages, timezone: b.timezone, phones: [...b.phones], emails: [...b.emails], addresses: [...b.addresses] };
}

/** Marks a task that was not sent, with its audit entry, if it is still planned. */
async function markNotSent(db: Db, dialect: 'sqlite' | 'postgres', taskId: number, status: 'blocked' | 'no_contact_point', accountId: string,
  data: Record<string, unknown>, actor: string, now: string): Promise<boolean> {
  const r = await db.updateTable('tasks').set({ status }).where('id', '=', taskId).where('status', '=', 'planned').executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await appendAudit(db, dialect, [{ at: now, actor, kind: status === 'blocked' ? 'message.blocked' : 'message.no_contact_point', entity: `account:${accountId}`, data: JSON.stringify({ task: taskId, ...data }) }]);
  return true;
}

/** Sends (enqueues) the date's planned SMS and e-mail tasks; see the module comment. */
export async function sendDayMessages(store: Store, opts: SendMessagesOptions): Promise<SendMessagesResult> {
  const date = parseDate(opts.date, 'date');
  const { actor, now } = changeOptions({ actor: opts.actor ?? 'messages', ...(opts.now ? { now: opts.now } : {}) });
  if (opts.limit !== undefined && (!Number.isSafeInteger(opts.limit) || opts.limit < 1)) throw new ValidationError('limit', 'must be a whole number of at least 1');
  const channels: MessageChannel[] = opts.channel ? [opts.channel] : ['sms', 'email'];
  const db = store.db;
  const dialect = store.dialect;

  const all = await db.selectFrom('tasks').select(['id', 'account_id', 'channel', 'party', 'template', 'window', 'status'])
    .where('business_date', '=', date).where('channel', 'in', channels).orderBy('id').execute();
  const planned = all.filter((t) => t.status === 'planned');
  const result: SendMessagesResult = {
    date, handled: 0, sent: 0, blocked: 0, noContactPoint: 0, alreadyDone: all.length - planned.length, remaining: 0, blockedBy: {}, outcomes: [],
  };
  const picked = opts.limit !== undefined ? planned.slice(0, opts.limit) : planned;
  result.remaining = planned.length - picked.length;
  const tasks = picked.map((t) => ({ ...t, id: Number(t.id), channel: t.channel as MessageChannel, kind: (t.party ?? 'borrower') as PartyKind }));

  // the templates first: a missing one refuses the run before anything is asked or written
  for (const t of tasks) {
    if (t.template === null) throw new ValidationError('tasks.template', `${t.channel} task ${t.id} (account ${t.account_id}) names no template`);
    const tpl = opts.templates.get(t.template);
    if (!tpl) throw new ValidationError('tasks.template', `${t.channel} task ${t.id} (account ${t.account_id}) uses template "${t.template}", which is not in the message templates (known: ${[...opts.templates.keys()].join(', ')})`);
    if (t.channel === 'email' && Object.values(tpl.texts).some((x) => x.subject === null)) {
      throw new ValidationError('tasks.template', `email task ${t.id} (account ${t.account_id}) uses template "${t.template}", which has no subject (add subject: to every language)`);
    }
  }

  // already in the outbox (the demo's reminders, an earlier run that was not recorded as done): done, nothing asked
  const queued = new Set<string>();
  for (const c of chunks(tasks.map((t) => messageKey(t.id, t.channel)))) {
    for (const r of await db.selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'in', c).execute()) queued.add(r.idempotency_key);
  }
  const rows = new Map<string, AccountRow>();
  for (const c of chunks([...new Set(tasks.map((t) => t.account_id))])) for (const r of await accountChunk(db, c)) rows.set(r.account_id, r);
  const parties = new Map<string, Awaited<ReturnType<typeof listParties>>>();

  let done = 0;
  for (const t of tasks) {
    const template = opts.templates.get(t.template as string) as MessageTemplateFile;
    const base: MessageOutcome = {
      taskId: t.id, accountId: t.account_id, channel: t.channel, template: template.id, partyKind: t.kind, partyId: null,
      status: 'done', to: null, language: null, key: null, decisionId: null, rule: null, reason: null,
    };
    const handleTask = async (): Promise<MessageOutcome> => {
      const key = messageKey(t.id, t.channel);
      if (queued.has(key)) {
        await db.updateTable('tasks').set({ status: 'done' }).where('id', '=', t.id).where('status', '=', 'planned').execute();
        return { ...base, status: 'queued_before', key };
      }
      const row = rows.get(t.account_id);
      if (!row) throw new ValidationError('tasks.account_id', `${t.channel} task ${t.id}: unknown account ${t.account_id} (or it has no state: run the cycle first)`);
      const borrower = borrowerPerson(row);
      let who: Person | null = borrower;
      if (t.kind !== 'borrower') {
        let list = parties.get(t.account_id);
        if (!list) parties.set(t.account_id, (list = await listParties(db, t.account_id)));
        const p = list.find((x) => x.kind === t.kind);
        const active = p?.phones.filter((x) => x.retiredAt === null) ?? [];
        who = p ? {
          id: p.id, name: p.name, languages: p.languages, timezone: p.timezone ?? borrower.timezone,
          phones: [...active.filter((x) => x.type === 'mobile'), ...active.filter((x) => x.type !== 'mobile')].map((x) => x.number),
          emails: p.emails, addresses: p.addresses,
        } : null;
      }
      const noContact = async (partyId: string | null, reason: string): Promise<MessageOutcome> => {
        const marked = await atomically(db, (tx) => markNotSent(tx, dialect, t.id, 'no_contact_point', t.account_id, { channel: t.channel, template: template.id, party: partyId, partyKind: t.kind, reason }, actor, now));
        return marked ? { ...base, partyId, status: 'no_contact_point', reason } : { ...base, partyId, status: 'queued_before', reason: 'handled by another run' };
      };
      if (who === null) return noContact(null, `account ${t.account_id} has no ${t.kind} on file`);
      const point = taskContactPoint(who, t.channel);
      if ('reason' in point) return noContact(who.id, point.reason);

      const language = messageLanguage(template, who.languages);
      const total: Minor = Math.max(0, Number(row.total) - Number(row.credit));
      const message = renderTaskMessage(template, t.channel, language, {
        accountId: t.account_id, date, currency: row.currency, borrowerName: who.name, dpd: Number(row.dpd), overdue: Number(row.overdue), total,
      });
      const at = new Date(instantAt(date, taskMinute(t.window), who.timezone)).toISOString();
      const person = who;
      const req = attemptRequest(
        { id: person.id, kind: t.kind, zones: await zonesOf([person.timezone], person.phones), flags: {}, phones: person.phones, emails: person.emails, addresses: person.addresses },
        { accountId: t.account_id, channel: t.channel, at, to: point.to, purpose: messagePurpose(t.kind), template: message.gate },
      );
      const common = { ...base, partyId: person.id, to: point.to, language: message.language };
      try {
        const d = await decideAndRecord(store, req, { ...await opts.packsFor(t.account_id, at), holds: [], optOuts: [], workplaceForbidden: false, refusedContact: false }, {},
          async (tx, dia, decision) => {
            if (!decision.allowed) {
              const marked = await markNotSent(tx, dia, t.id, 'blocked', t.account_id, {
                channel: t.channel, template: template.id, party: person.id, partyKind: t.kind, to: point.to, decision: decision.id, rule: decision.rule, reason: decision.reason,
              }, actor, now);
              if (!marked) throw new HandledElsewhere();
              return;
            }
            const task = await tx.updateTable('tasks').set({ status: 'done' }).where('id', '=', t.id).where('status', '=', 'planned').executeTakeFirst();
            if (Number(task.numUpdatedRows) !== 1) throw new HandledElsewhere();
            // the gate outcome `sent`, the contact attempt and its audit entry, the outbox row and the task: one transaction
            await recordContactResultIn(tx, dia, checkContactResult({ decisionId: decision.id, outcome: 'sent', note: `${template.id} (${message.language}) ${key}` }), { actor, now });
            const q = await enqueueIn(tx, [{
              idempotencyKey: key, channel: t.channel, to: point.to, body: message.body, accountId: t.account_id, taskId: t.id,
              ...(message.subject !== null ? { subject: message.subject } : {}),
            }], { now: new Date(now), notBefore: new Date(at) });
            if (q.enqueued.length !== 1) throw new HandledElsewhere();
          });
        return d.allowed
          ? { ...common, status: 'done', key, decisionId: d.id }
          : { ...common, status: 'blocked', decisionId: d.id, rule: d.rule, reason: d.reason };
      } catch (e) {
        if (e instanceof HandledElsewhere) return { ...common, status: 'queued_before', reason: 'handled by another run' };
        throw e;
      }
    };
    const out = await handleTask();
    result.outcomes.push(out);
    if (out.status === 'done') result.sent++;
    else if (out.status === 'blocked') {
      result.blocked++;
      result.blockedBy[out.rule ?? '?'] = (result.blockedBy[out.rule ?? '?'] ?? 0) + 1;
    } else if (out.status === 'no_contact_point') result.noContactPoint++;
    else result.alreadyDone++;
    if (out.status !== 'queued_before') result.handled++;
    opts.onProgress?.(++done, tasks.length);
  }
  return result;
}

/** The date's message tasks (sms, email) by status: what `messages send` left. */
export async function messageTaskCounts(db: Db, date: BusinessDate): Promise<Record<string, number>> {
  const rows = await db.selectFrom('tasks').select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('business_date', '=', parseDate(date, 'date')).where('channel', 'in', ['sms', 'email']).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
