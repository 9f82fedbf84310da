/**
 * Collection letters, assembled: letter templates (templates/letters/*.yaml, ICU MessageFormat in
 * en and zh-CN), the choice of language and postal address, the letter's text from the template
 * and the account's facts, and the print batch's manifest (CSV and JSON). Pure apart from reading
 * the template files; the store (src/store/letters.ts) asks the gate and records, the renderer
 * (letter-pdf.ts) draws. See docs/letters.md.
 */
import { addDays, isRecord, ValidationError, type BusinessDate, type Minor } from '../../core/index.js';
import { PURPOSES, TEMPLATE_AUDIENCES, TEMPLATE_LANGUAGES, type MessageTemplate, type Purpose, type TemplateAudience, type TemplateLanguage } from '../../compliance/index.js';
import { checkMessageSyntax, formatBusinessDate, renderMessage, type Address, type MessageValue } from '../../contact/index.js';
import type { LetterContent, LetterHead } from './letter-pdf.js';
import { loadTemplateFolder, shippedTemplateDirectory, templateLanguage } from '../template-files.js';

/** A letter template: one subject and body per language. */
export interface LetterTemplate {
  id: string;
  audience: TemplateAudience;
  /** the gate's purpose for letters from this template */
  purpose: Purpose;
  /** `payBy` = the letter's date + this many days */
  payWithinDays: number;
  texts: Partial<Record<TemplateLanguage, { subject: string; body: string }>>;
}

/** The values a template may use (docs/letters.md). */
export const LETTER_VALUES = ['name', 'account', 'total', 'overdue', 'dpd', 'dueDate', 'payBy', 'date', 'lender', 'phone'] as const;

const TEMPLATE_KEYS = ['id', 'audience', 'purpose', 'payWithinDays', ...TEMPLATE_LANGUAGES] as const;

/** Validates a template (from YAML); errors name the file and field. ICU syntax is checked per language. */
export function parseLetterTemplate(raw: unknown, source: string): LetterTemplate {
  const where = (f: string): string => `${source}: ${f}`;
  if (!isRecord(raw)) throw new ValidationError(source, 'must be a mapping { id, audience, purpose, en: { subject, body }, zh-CN: … }');
  for (const k of Object.keys(raw)) {
    if (!(TEMPLATE_KEYS as readonly string[]).includes(k)) throw new ValidationError(where(k), `is not a known field (known: ${TEMPLATE_KEYS.join(', ')})`);
  }
  if (typeof raw.id !== 'string' || !/^[a-z0-9_]+$/.test(raw.id)) throw new ValidationError(where('id'), 'must be a name of lower-case letters, digits and _');
  const audience = raw.audience ?? 'borrower';
  if (typeof audience !== 'string' || !(TEMPLATE_AUDIENCES as readonly string[]).includes(audience)) {
    throw new ValidationError(where('audience'), `must be one of ${TEMPLATE_AUDIENCES.join(', ')}`);
  }
  const purpose = raw.purpose ?? (audience === 'third_party' ? 'location' : 'collect');
  if (typeof purpose !== 'string' || !(PURPOSES as readonly string[]).includes(purpose)) throw new ValidationError(where('purpose'), `must be one of ${PURPOSES.join(', ')}`);
  const days = raw.payWithinDays ?? 14;
  if (typeof days !== 'number' || !Number.isSafeInteger(days) || days < 0 || days > 365) throw new ValidationError(where('payWithinDays'), 'must be a whole number of days from 0 to 365');
  const texts: LetterTemplate['texts'] = {};
  for (const lang of TEMPLATE_LANGUAGES) {
    const t = raw[lang];
    if (t === undefined) continue;
    if (!isRecord(t) || typeof t.subject !== 'string' || t.subject.trim() === '' || typeof t.body !== 'string' || t.body.trim() === '') {
      throw new ValidationError(where(lang), 'must be a mapping { subject, body } of non-empty ICU MessageFormat strings');
    }
    for (const part of ['subject', 'body'] as const) {
      try {
        checkMessageSyntax({ id: `${raw.id}.${lang}.${part}`, language: lang, body: t[part] as string });
      } catch (e) {
        throw new ValidationError(where(`${lang}.${part}`), e instanceof ValidationError ? e.rule : String(e));
      }
    }
    texts[lang] = { subject: t.subject, body: t.body };
  }
  if (texts.en === undefined) throw new ValidationError(where('en'), 'is required: English is the fallback language');
  return { id: raw.id, audience: audience as TemplateAudience, purpose: purpose as Purpose, payWithinDays: days, texts };
}


/** Every `*.yaml` template in `dir` (default: the shipped templates/letters), by id (the file name must be the id). */
export function loadLetterTemplates(dir: string = shippedTemplateDirectory('letters')): Map<string, LetterTemplate> {
  return loadTemplateFolder(dir, parseLetterTemplate);
}

/** The recipient's first language the template has, else en (templateLanguage). */
export function pickLanguage(t: LetterTemplate, languages: readonly string[]): TemplateLanguage {
  return templateLanguage(t, languages);
}

/** The postal address a letter goes to: the mailing address, else the residential one; null when neither is known. */
export function postalAddress(addresses: readonly Address[]): Address | null {
  return addresses.find((a) => a.kind === 'mailing') ?? addresses.find((a) => a.kind === 'residential') ?? null;
}

/** An address as printed lines: split at line breaks and after the first comma of each line (`12 Main St, Springfield, IL` → two lines). */
export function addressLines(a: Address): string[] {
  return a.line.split(/\r?\n/).flatMap((l) => {
    const i = l.indexOf(',');
    return i < 0 ? [l] : [l.slice(0, i), l.slice(i + 1)];
  }).map((p) => p.trim()).filter((p) => p !== '');
}

/** What a letter is built from. */
export interface LetterFacts {
  date: BusinessDate;
  accountId: string;
  currency: string;
  /** what is owed in all, minor units */
  total: Minor;
  /** what is overdue, minor units */
  overdue: Minor;
  dpd: number;
  /** the oldest unpaid instalment's due date; null when none is past due */
  dueDate: BusinessDate | null;
  recipientName: string;
  address: readonly string[];
  language: TemplateLanguage;
  head: LetterHead;
}

const LABELS: Record<TemplateLanguage, { reference: string; page: string }> = {
  en: { reference: 'Reference: {ref}', page: 'Page {page} of {pages}' },
  'zh-CN': { reference: '参考编号：{ref}', page: '第 {page} 页，共 {pages} 页' },
};

export interface AssembledLetter {
  content: LetterContent;
  /** what the gate's template rule checks: subject and body as written, in the letter's language */
  message: MessageTemplate;
}

/** The letter's text from the template and the facts (pure). */
export function assembleLetter(t: LetterTemplate, f: LetterFacts): AssembledLetter {
  const text = t.texts[f.language] ?? t.texts.en;
  const language: TemplateLanguage = t.texts[f.language] ? f.language : 'en';
  if (!text) throw new ValidationError('template', `${t.id} has no text in ${f.language} or en`);
  for (const [field, v] of [['total', f.total], ['overdue', f.overdue]] as const) {
    if (!Number.isSafeInteger(v)) throw new ValidationError(field, `must be a safe integer of minor units, got ${v}`);
  }
  const values: Record<string, MessageValue> = {
    name: f.recipientName, account: f.accountId, total: { money: f.total, currency: f.currency }, overdue: { money: f.overdue, currency: f.currency },
    dpd: f.dpd, dueDate: { date: f.dueDate ?? f.date }, payBy: { date: addDays(f.date, t.payWithinDays) }, date: { date: f.date },
    lender: f.head.name, phone: f.head.phone ?? '',
  };
  const render = (part: 'subject' | 'body'): string => renderMessage({ id: `${t.id}.${language}.${part}`, language, body: text[part] }, values);
  const labels = LABELS[language];
  const content: LetterContent = {
    language,
    head: f.head,
    dateText: formatBusinessDate(f.date, language),
    referenceText: labels.reference.replace('{ref}', f.accountId),
    recipient: { name: f.recipientName, address: [...f.address] },
    subject: render('subject'),
    body: render('body'),
    footer: [f.head.name, ...f.head.address, ...(f.head.phone ? [f.head.phone] : [])].join(' · '),
    pageText: labels.page,
  };
  return { content, message: { id: t.id, audience: t.audience, language, body: `${text.subject}\n\n${text.body}` } };
}

// ---------------------------------------------------------------------------------------------
// Manifest

/** A printed letter in the batch's manifest. */
export interface ManifestLetter {
  /** 1-based position in the batch PDF */
  seq: number;
  /** first page of the letter in the batch PDF */
  firstPage: number;
  taskId: number;
  account: string;
  party: string;
  partyKind: string;
  recipient: string;
  address: string[];
  template: string;
  language: string;
  pages: number;
  /** SHA-256 of the letter's own PDF */
  sha256: string;
}

/** A letter not printed: the gate blocked it, or there was no postal address to send it to. */
export interface NotPrintedLetter {
  taskId: number;
  account: string;
  party: string;
  partyKind: string;
  template: string;
  status: 'blocked' | 'unaddressable';
  rule: string | null;
  reason: string;
}

export interface BatchManifest {
  date: BusinessDate;
  /** 1: the date's batch; 2, 3, …: supplementary batches for tasks added after it */
  batch: number;
  file: string;
  sha256: string | null;
  pages: number;
  letters: ManifestLetter[];
  notPrinted: NotPrintedLetter[];
}

/** The file name stem of a date's batch: `letters-2026-03-16`, supplementary `letters-2026-03-16-2`. */
export function batchStem(date: BusinessDate, batch: number): string {
  return batch === 1 ? `letters-${date}` : `letters-${date}-${batch}`;
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The printed letters as CSV: seq, account, party, recipient, address_1…address_n, template, language, pages, first_page, sha256. */
export function manifestCsv(letters: readonly ManifestLetter[]): string {
  const n = Math.max(1, ...letters.map((l) => l.address.length));
  const head = ['seq', 'task', 'account', 'party', 'party_kind', 'recipient', ...Array.from({ length: n }, (_, i) => `address_${i + 1}`), 'template', 'language', 'pages', 'first_page', 'sha256'];
  const rows = letters.map((l) => [
    l.seq, l.taskId, l.account, l.party, l.partyKind, l.recipient, ...Array.from({ length: n }, (_, i) => l.address[i] ?? ''), l.template, l.language, l.pages, l.firstPage, l.sha256,
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The whole manifest as JSON (stable key order, no timestamps: the same batch gives the same bytes). */
export function manifestJson(m: BatchManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
