/**
 * The strategy's SMS and e-mail messages, assembled (docs/messages.md): message templates
 * (templates/messages/*.yaml, ICU MessageFormat in en and zh-CN, each declaring its audience), the
 * values a template may use, the recipient's language and contact point, and a task's text. Pure
 * apart from reading the template files. Used by the daily send (src/store/messages.ts) and by
 * timeline replays (src/cycle/replay-send.ts), so both render a task the same way.
 */
import { isRecord, ValidationError, type BusinessDate, type Minor } from '../core/index.js';
import { TEMPLATE_AUDIENCES, TEMPLATE_LANGUAGES, type MessageTemplate, type Purpose, type TemplateAudience, type TemplateLanguage } from '../compliance/index.js';
import { checkMessageSyntax, renderMessage, type Address, type MessageValue, type PartyKind } from '../contact/index.js';
import { loadTemplateFolder, shippedTemplateDirectory, templateLanguage } from './template-files.js';

/** What a message template may use about the account on the date (in the account's currency). */
export interface AccountDay {
  accountId: string;
  date: BusinessDate;
  currency: string;
  /** the name the message greets: the recipient's */
  borrowerName: string;
  dpd: number;
  overdue: Minor;
  total: Minor;
}

/** The values a message template may name. */
export const MESSAGE_VALUES = ['name', 'account', 'amount', 'balance', 'dpd', 'date'] as const;

/** The template values: `{name}`, `{account}`, `{amount}` (overdue), `{balance}` (total owed), `{dpd}`, `{date}`. */
export function messageValues(d: AccountDay): Record<string, MessageValue> {
  return {
    name: d.borrowerName,
    account: d.accountId,
    amount: { money: d.overdue, currency: d.currency },
    balance: { money: d.total, currency: d.currency },
    dpd: d.dpd,
    date: { date: d.date },
  };
}

/** The channels a message task is sent on (the others are letters, calls and visits). */
export type MessageChannel = 'sms' | 'email';
export const MESSAGE_CHANNELS: readonly MessageChannel[] = ['sms', 'email'];

/** Where a person can be reached, as far as a planned task needs. */
export interface Reachable {
  id: string;
  phones: readonly string[];
  emails: readonly string[];
  addresses: readonly Address[];
}

/**
 * The contact point a task uses: the first phone (sms; callers pass active numbers, mobiles first),
 * the first e-mail (email), the mailing else residential address (letter); or why there is none.
 */
export function taskContactPoint(c: Reachable, channel: MessageChannel | 'letter'): { to: string } | { reason: string } {
  if (channel === 'sms') return c.phones[0] !== undefined ? { to: c.phones[0] } : { reason: `${c.id} has no phone number for SMS` };
  if (channel === 'email') return c.emails[0] !== undefined ? { to: c.emails[0] } : { reason: `${c.id} has no e-mail address` };
  const a = c.addresses.find((x) => x.kind === 'mailing') ?? c.addresses.find((x) => x.kind === 'residential');
  return a ? { to: a.line } : { reason: `${c.id} has no mailing or residential address` };
}

/** Parties who do not owe the debt: messages to them only ask them to pass on a request to get in touch. */
const THIRD_PARTIES: ReadonlySet<PartyKind> = new Set<PartyKind>(['reference', 'employer']);

/** The gate's purpose for a message to a party: `collect` to those who owe the debt, `message` to references and the employer. */
export function messagePurpose(kind: PartyKind): Purpose {
  return THIRD_PARTIES.has(kind) ? 'message' : 'collect';
}

// ---------------------------------------------------------------------------------------------
// Template files

/** A message template: a body (and an e-mail subject) per language. */
export interface MessageTemplateFile {
  id: string;
  audience: TemplateAudience;
  texts: Partial<Record<TemplateLanguage, { subject: string | null; body: string }>>;
}

const TEMPLATE_KEYS = ['id', 'audience', ...TEMPLATE_LANGUAGES] as const;

/** Sample values: a template naming anything else is refused when it is loaded, not when a message is sent. */
const SAMPLE: AccountDay = { accountId: 'L-1', date: '2026-01-01', currency: 'USD', borrowerName: 'A', dpd: 1, overdue: 100, total: 100 };

function checkText(id: string, lang: TemplateLanguage, part: 'subject' | 'body', text: string, where: string): void {
  try {
    checkMessageSyntax({ id: `${id}.${lang}.${part}`, language: lang, body: text });
    renderMessage({ id: `${id}.${lang}.${part}`, language: lang, body: text }, messageValues(SAMPLE));
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(where, `${e.rule} (values: ${MESSAGE_VALUES.join(', ')})`);
  }
}

/** Validates a template (from YAML); errors name the file and the field. ICU syntax and the values named are checked per language. */
export function parseMessageTemplate(raw: unknown, source: string): MessageTemplateFile {
  const where = (f: string): string => `${source}: ${f}`;
  if (!isRecord(raw)) throw new ValidationError(source, 'must be a mapping { id, audience, en: { subject?, body }, zh-CN: … }');
  for (const k of Object.keys(raw)) {
    if (!(TEMPLATE_KEYS as readonly string[]).includes(k)) throw new ValidationError(where(k), `is not a known field (known: ${TEMPLATE_KEYS.join(', ')})`);
  }
  if (typeof raw.id !== 'string' || !/^[a-z0-9_]+$/.test(raw.id)) throw new ValidationError(where('id'), 'must be a name of lower-case letters, digits and _');
  const id = raw.id;
  if (typeof raw.audience !== 'string' || !(TEMPLATE_AUDIENCES as readonly string[]).includes(raw.audience)) {
    throw new ValidationError(where('audience'), `is required: one of ${TEMPLATE_AUDIENCES.join(', ')} (the gate's template rule checks it)`);
  }
  const texts: MessageTemplateFile['texts'] = {};
  for (const lang of TEMPLATE_LANGUAGES) {
    const t = raw[lang];
    if (t === undefined) continue;
    if (!isRecord(t) || typeof t.body !== 'string' || t.body.trim() === '') throw new ValidationError(where(lang), 'must be a mapping { subject?, body } with a non-empty ICU MessageFormat body');
    for (const k of Object.keys(t)) if (k !== 'subject' && k !== 'body') throw new ValidationError(where(`${lang}.${k}`), 'is not a known field (known: subject, body)');
    if (t.subject !== undefined && (typeof t.subject !== 'string' || t.subject.trim() === '' || /[\r\n]/.test(t.subject))) {
      throw new ValidationError(where(`${lang}.subject`), 'must be one non-empty line');
    }
    const subject = typeof t.subject === 'string' ? t.subject : null;
    checkText(id, lang, 'body', t.body, where(`${lang}.body`));
    if (subject !== null) checkText(id, lang, 'subject', subject, where(`${lang}.subject`));
    texts[lang] = { subject, body: t.body };
  }
  if (texts.en === undefined) throw new ValidationError(where('en'), 'is required: English is the fallback language');
  const withSubject = Object.values(texts).filter((x) => x.subject !== null).length;
  if (withSubject !== 0 && withSubject !== Object.keys(texts).length) {
    throw new ValidationError(where('subject'), 'give a subject in every language or in none (a template without subjects is for SMS only)');
  }
  return { id, audience: raw.audience as TemplateAudience, texts };
}


/** Every `*.yaml` template in `dir` (default: the shipped templates/messages), by id (the file name must be the id). */
export function loadMessageTemplates(dir: string = shippedTemplateDirectory('messages')): Map<string, MessageTemplateFile> {
  return loadTemplateFolder(dir, parseMessageTemplate);
}

/** The recipient's first language the template has, else en (templateLanguage). */
export function messageLanguage(t: Pick<MessageTemplateFile, 'texts'>, languages: readonly string[]): TemplateLanguage {
  return templateLanguage(t, languages);
}

/** A task's message, ready for the outbox, and what the gate's template rule checks. */
export interface TaskMessage {
  language: TemplateLanguage;
  /** e-mail only */
  subject: string | null;
  body: string;
  /** the template as written in the message's language (subject and body): the packs' `template` rules check it */
  gate: MessageTemplate;
}

/**
 * Renders a template for a channel in a language (en when it lacks that one). An e-mail needs a
 * subject: a template without one is refused for e-mail (a ValidationError naming it).
 */
export function renderTaskMessage(t: MessageTemplateFile, channel: MessageChannel, language: TemplateLanguage, day: AccountDay): TaskMessage {
  const lang: TemplateLanguage = t.texts[language] ? language : 'en';
  const text = t.texts[lang];
  if (!text) throw new ValidationError('template', `template ${t.id} has no ${lang} text`);
  if (channel === 'email' && text.subject === null) throw new ValidationError('template', `template ${t.id} has no subject, so it cannot be used for e-mail (add subject: to every language)`);
  const values = messageValues(day);
  const body = renderMessage({ id: t.id, language: lang, body: text.body }, values).trim();
  const subject = channel === 'email' && text.subject !== null ? renderMessage({ id: `${t.id}.subject`, language: lang, body: text.subject }, values) : null;
  const written = channel === 'email' && text.subject !== null ? `${text.subject}\n\n${text.body}` : text.body;
  return { language: lang, subject, body, gate: { id: t.id, audience: t.audience, language: lang, body: written } };
}
