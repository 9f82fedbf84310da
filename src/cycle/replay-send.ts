/**
 * Automated tasks inside a timeline replay: the SMS, e-mail and letter tasks the strategy planned for
 * a business date are executed on that date, each through the compliance gate (the store's
 * `decideAndRecord`, as a dialer would) and, when allowed, rendered from the timeline's `templates`
 * (ICU MessageFormat, src/contact/messages.ts) and sent through the recording channel; the result
 * (`sent`) is recorded with `recordContactResult` (gate outcome and contact attempt in one transaction).
 *
 * Conventions (docs/timelines.md, "Automated tasks"):
 * - a task goes to the borrower, or to the account's first party of the task's kind (file order);
 * - contact point: the person's first phone (sms), first e-mail (email), mailing else residential
 *   address (letter); without one the task is reported `not_sendable` and nothing is asked or recorded;
 * - time: the task's window start, else 10:00, local time of the person contacted;
 * - SMS and e-mail go through `recordingChannel` (ids `rec-000001`, …); letters are posted to an
 *   in-memory mailbag (ids `post-000001`, …) — printing letters is not a timeline's business;
 * - a task without a template, or naming one the timeline does not define, is an error naming both.
 */
import { ValidationError } from '../core/index.js';
import { renderMessage } from '../contact/index.js';
import { messageValues, taskContactPoint, type AccountDay } from '../channels/messages.js';
import type { MessageTemplate } from '../compliance/index.js';
import type { RecordingChannel } from '../channels/recording.js';
import type { Store } from '../store/db.js';
import { recordContactResult } from '../store/outcomes.js';
import type { Task } from '../strategy/index.js';
import { DEFAULT_ATTEMPT_TIME, type AutomatedChannel, type TraceSend } from '../timeline/index.js';
import { scriptedInstant, type TimelineGate } from './replay-gate.js';

export type { AccountDay };

/** A letter an automated task posted (the replay's mailbag). */
export interface PostedLetter {
  providerId: string;
  accountId: string;
  to: string;
  body: string;
  template: string;
  /** ISO instant it was posted */
  at: string;
}

export interface SendContext {
  store: Store;
  gate: TimelineGate;
  templates: Readonly<Record<string, MessageTemplate>>;
  /** the channels the timeline automates */
  channels: ReadonlySet<AutomatedChannel>;
  /** SMS and e-mail go here */
  recorder: RecordingChannel;
  /** letters go here */
  mailbag: PostedLetter[];
}

const isAutomated = (c: string | null, channels: ReadonlySet<string>): c is AutomatedChannel => c !== null && channels.has(c);

function describeTask(t: Task): string {
  return `task ${t.type}${t.party !== null && t.party !== 'borrower' ? ` to the ${t.party}` : ''} (stage ${t.stage}, account ${t.accountId}, ${t.date})`;
}

/** The template a task names, or a ValidationError naming the task and the template. */
function templateOf(t: Task, templates: Readonly<Record<string, MessageTemplate>>): MessageTemplate {
  if (t.template === null) {
    throw new ValidationError('strategy', `${describeTask(t)} names no template; an automated ${t.channel ?? t.type} needs one (template: in the strategy's action)`);
  }
  const found = Object.hasOwn(templates, t.template) ? templates[t.template] : undefined;
  if (!found) {
    throw new ValidationError('templates', `${describeTask(t)} names template "${t.template}", which is not in the timeline's templates (known: ${Object.keys(templates).join(', ') || 'none'})`);
  }
  return found;
}

/**
 * Executes an account's automated tasks of the day (those on an automated channel), in time order
 * (ties: plan order). Returns one TraceSend per task.
 */
export async function sendPlannedTasks(ctx: SendContext, tasks: readonly Task[], day: AccountDay): Promise<TraceSend[]> {
  const planned = tasks.map((t, i) => ({ t, i })).filter(({ t }) => isAutomated(t.channel, ctx.channels));
  const jobs = planned.map(({ t, i }) => {
    const channel = t.channel as AutomatedChannel;
    const template = templateOf(t, ctx.templates);
    const party = t.party ?? 'borrower';
    const contact = ctx.gate.taskContact(t.accountId, party);
    const time = t.window?.from ?? DEFAULT_ATTEMPT_TIME;
    const ms = contact ? scriptedInstant(day.date, time, null, contact.zone) : Number.POSITIVE_INFINITY;
    return { t, i, channel, template, party, contact, ms };
  });
  jobs.sort((x, y) => x.ms - y.ms || x.i - y.i);
  const out: TraceSend[] = [];
  for (const { t, i, channel, template, party, contact, ms } of jobs) {
    const base = { task: t.type, channel, party, template: template.id };
    if (!contact) {
      out.push({ time: null, ...base, person: null, to: null, status: 'not_sendable', rule: null, reason: `account ${t.accountId} has no ${party} on file`, text: null, providerId: null });
      continue;
    }
    const point = taskContactPoint(contact, channel);
    if ('reason' in point) {
      out.push({ time: null, ...base, person: contact.id, to: null, status: 'not_sendable', rule: null, reason: point.reason, text: null, providerId: null });
      continue;
    }
    let text: string;
    try {
      text = renderMessage(template, messageValues(day));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      throw new ValidationError('templates', `${describeTask(t)}: template "${template.id}": ${e.message}`);
    }
    const iso = new Date(ms).toISOString();
    const decision = await ctx.gate.askTask(t.accountId, party, contact, { channel, at: iso, to: point.to, template });
    if (!decision.allowed) {
      out.push({ time: iso, ...base, person: contact.id, to: point.to, status: 'blocked', rule: decision.rule, reason: decision.reason, text: null, providerId: null });
      continue;
    }
    const key = `${t.accountId}/${t.date}/task-${i}`;
    let providerId: string;
    if (channel === 'letter') {
      providerId = `post-${String(ctx.mailbag.length + 1).padStart(6, '0')}`;
      ctx.mailbag.push({ providerId, accountId: t.accountId, to: point.to, body: text, template: template.id, at: iso });
    } else {
      const r = await ctx.recorder.send({
        idempotencyKey: key, channel, to: point.to, body: text, accountId: t.accountId,
        ...(channel === 'email' ? { subject: `Your account ${t.accountId}` } : {}),
      });
      providerId = r.providerId;
    }
    await recordContactResult(ctx.store, { decisionId: decision.id, outcome: 'sent', note: `${template.id} ${providerId}` }, { actor: 'timeline', now: iso });
    out.push({ time: iso, ...base, person: contact.id, to: point.to, status: 'sent', rule: null, reason: null, text, providerId });
  }
  return out;
}
