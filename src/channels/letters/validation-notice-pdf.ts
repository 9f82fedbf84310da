/**
 * The US validation notice (Regulation F, 12 CFR 1006.34) as a one-page PDF, laid out after the
 * CFPB model form B-1 (12 CFR 1006 Appendix B): the debt collector and consumer blocks, the
 * itemisation, "How can you dispute the debt?" with the validation period end date, "What else can
 * you do?", and the tear-off response form. What the notice *says* is decided by
 * `validationNotice` in src/compliance; this edge module only draws it.
 *
 * - pdfkit with the standard Helvetica fonts (not embedded: nothing random, nothing large). Text is
 *   checked against the fonts' WinAnsi repertoire first: a name in another script is refused with
 *   the field named, rather than printed as wrong glyphs.
 * - Deterministic: CreationDate and ModDate are the notice's sending date at 00:00 UTC, Producer
 *   and Creator are fixed, and pdfkit derives the file /ID from those, so the same notice and
 *   letterhead give a byte-identical file (its SHA-256 is what the store records).
 * - Money is formatted from integer minor units with the currency's digits (`formatMinorGrouped`);
 *   USD gets a `$`, any other currency its ISO code.
 * - The model form's "You paid or were credited this amount toward the debt" is one line: the
 *   notice's payments and credits lines are added for it (1006.34(c)(2)(viii)).
 */
import PDFDocument from 'pdfkit';
import { formatMinorGrouped, toYmd, ValidationError, type BusinessDate, type Minor } from '../../core/index.js';
import type { ValidationNotice } from '../../compliance/index.js';

export interface DebtCollector {
  name: string;
  /** mailing address lines (1006.34(c)(1)) */
  address: readonly string[];
  phone?: string;
  /** e.g. "Monday–Friday 8 a.m.–8 p.m. ET" */
  hours?: string;
  /** where disputes and original-creditor requests are accepted electronically, if anywhere */
  electronic?: string;
}

export interface ValidationNoticeLetter {
  notice: ValidationNotice;
  collector: DebtCollector;
  /** the reference number printed on the letter and the tear-off (default: the masked account number) */
  reference?: string;
  /** print the model form's optional Spanish-language offer and its tear-off checkbox */
  spanish?: boolean;
}

export interface RenderOptions {
  /** Flate-compress content streams (default true); false leaves them readable, for debugging. */
  compress?: boolean;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2026-12-30` → `December 30, 2026`, the model form's style. */
export function longDate(date: BusinessDate): string {
  const { y, m, d } = toYmd(date);
  return `${MONTHS[m - 1] ?? '?'} ${d}, ${y}`;
}

/** Minor units as money for the letter: `$2,234.56`, `EUR 12.00`; negative amounts get a leading minus. */
export function money(amount: Minor, currency: string): string {
  const abs = formatMinorGrouped(Math.abs(amount), currency);
  const s = currency === 'USD' ? `$${abs}` : `${currency} ${abs}`;
  return amount < 0 ? `-${s}` : s;
}

// Windows-1252 beyond Latin-1: what the standard fonts can show besides U+0020–U+007E and U+00A0–U+00FF.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

function printable(value: string, field: string): string {
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch)) continue;
    throw new ValidationError(field, `contains "${ch}" (U+${c.toString(16).toUpperCase().padStart(4, '0')}), which the letter's standard PDF fonts cannot print; give a Latin-script form`);
  }
  return value;
}

function required(value: string | undefined, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'is required (a non-empty string)');
  return printable(value.trim(), field);
}

function checkLetter(letter: ValidationNoticeLetter): void {
  const { notice: n, collector: c } = letter;
  required(c.name, 'collector.name');
  if (!Array.isArray(c.address) || c.address.length === 0) throw new ValidationError('collector.address', 'must be a non-empty list of mailing address lines');
  c.address.forEach((l, i) => required(l, `collector.address[${i}]`));
  if (c.phone !== undefined) required(c.phone, 'collector.phone');
  if (c.hours !== undefined) required(c.hours, 'collector.hours');
  if (c.electronic !== undefined) required(c.electronic, 'collector.electronic');
  if (letter.reference !== undefined) required(letter.reference, 'reference');
  printable(n.creditor, 'creditor');
  printable(n.consumer.name, 'consumer.name');
  n.consumer.address.forEach((l, i) => printable(l, `consumer.address[${i}]`));
  printable(n.accountNumberMasked, 'accountNumber');
}

// Layout (US Letter, points).
const PAGE_W = 612;
const MARGIN = 48;
const CONTENT_W = PAGE_W - 2 * MARGIN;
const GUTTER = 24;
const COL_W = (CONTENT_W - GUTTER) / 2;
const LEFT = MARGIN;
const RIGHT = MARGIN + COL_W + GUTTER;
const BODY = 9;
const SMALL = 8;
const HEAD = 11;
const TEAR_Y = 552;

const REGULAR = 'Helvetica';
const BOLD = 'Helvetica-Bold';

/** `****…****5678` → `****5678`: the masked account number as letters print it ("account ending in 5678"). */
function shortMask(masked: string): string {
  return masked.replace(/^\*{5,}/, '****');
}

/** Ends a name with one full stop: `Example Bank, N.A.` stays, `Acme LLC` → `Acme LLC.`. */
function sentence(s: string): string {
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** Renders the notice; resolves with the PDF bytes. */
export function renderValidationNoticePdf(letter: ValidationNoticeLetter, opts: RenderOptions = {}): Promise<Buffer> {
  checkLetter(letter);
  const { notice: n, collector: c } = letter;
  const collector = c.name.trim();
  const account = shortMask(n.accountNumberMasked);
  const reference = letter.reference?.trim() ?? account;
  const stamp = new Date(`${n.sentOn}T00:00:00Z`);
  const doc = new PDFDocument({
    size: 'LETTER',
    // a small bottom margin: the tear-off runs close to the foot of the page, and pdfkit would
    // otherwise start a second page for its last lines
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: 20 },
    compress: opts.compress ?? true,
    autoFirstPage: true,
    info: {
      Title: `Validation notice ${reference}`,
      Author: collector,
      Subject: 'Debt validation notice (12 CFR 1006.34)',
      Producer: 'Arrears',
      Creator: 'Arrears',
      CreationDate: stamp,
      ModDate: stamp,
    },
  });
  let pages = 1;
  doc.on('pageAdded', () => {
    pages += 1;
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (b: Buffer) => chunks.push(b));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const text = (s: string, x: number, y: number, o: { font?: string; size?: number; width?: number; align?: 'left' | 'right' | 'center' } = {}): number => {
    doc.font(o.font ?? REGULAR).fontSize(o.size ?? BODY);
    doc.text(s, x, y, { width: o.width ?? COL_W, align: o.align ?? 'left', lineGap: 1 });
    return doc.y;
  };
  const box = (x: number, y: number): void => {
    doc.lineWidth(0.8).rect(x, y + 0.5, 7, 7).stroke();
  };
  const bullet = (s: string, x: number, y: number, w: number): number => {
    doc.rect(x, y + 2.5, 3.5, 3.5).fill('black');
    return text(s, x + 10, y, { width: w - 10 });
  };

  // --- letterhead: the debt collector (left), the reference (right) --------------------------
  let y = text(collector, LEFT, MARGIN, { font: BOLD, size: HEAD });
  for (const line of c.address) y = text(line, LEFT, y);
  if (c.phone) y = text(c.phone, LEFT, y);
  if (c.hours) y = text(c.hours, LEFT, y);
  text(`Reference: ${reference}`, RIGHT, MARGIN, { font: BOLD, align: 'right' });
  text(`Date: ${longDate(n.sentOn)}`, RIGHT, MARGIN + 14, { align: 'right' });

  // --- the consumer (window-envelope position) -----------------------------------------------
  y = Math.max(y + 18, 140);
  y = text(n.consumer.name, LEFT + 24, y);
  for (const line of n.consumer.address) y = text(line, LEFT + 24, y);

  // --- opening ---------------------------------------------------------------------------------
  y += 18;
  y = text(`${collector} is a debt collector. We are trying to collect a debt that you owe to ${sentence(n.creditor)} We will use any information you give us to help collect the debt.`,
    LEFT, y, { width: CONTENT_W, size: 10 });
  y += 12;
  const top = y;

  // --- left column: our information shows -------------------------------------------------------
  const amountW = 72;
  const labelW = COL_W - amountW - 4;
  const row = (label: string, amount: string, ry: number, o: { bold?: boolean; indent?: number } = {}): number => {
    const font = o.bold ? BOLD : REGULAR;
    const end = text(label, LEFT + (o.indent ?? 0), ry, { font, width: labelW - (o.indent ?? 0) });
    text(amount, LEFT + COL_W - amountW, ry, { font, width: amountW, align: 'right' });
    return end + 2;
  };
  const line = (key: string): Minor => n.itemization.find((l) => l.key === key)?.amount ?? 0;
  let ly = text('Our information shows:', LEFT, top, { font: BOLD, size: HEAD }) + 4;
  ly = text(`You had an account with ${n.creditor} with account number ${account}.`, LEFT, ly) + 6;
  ly = row(`As of ${longDate(n.itemizationDate)}, you owed:`, money(line('amountAtItemization'), n.currency), ly);
  ly = text(`Between ${longDate(n.itemizationDate)} and today:`, LEFT, ly) + 2;
  const signed = (amount: Minor, sign: '+' | '–'): string => `${sign} ${money(Math.abs(amount), n.currency)}`;
  ly = row('You were charged this amount in interest:', signed(line('interest'), '+'), ly, { indent: 10 });
  ly = row('You were charged this amount in fees:', signed(line('fees'), '+'), ly, { indent: 10 });
  ly = row('You paid or were credited this amount toward the debt:', signed(line('payments') + line('credits'), '–'), ly, { indent: 10 });
  doc.lineWidth(0.8).moveTo(LEFT, ly + 1).lineTo(LEFT + COL_W, ly + 1).stroke();
  ly = row('Total amount of the debt now:', money(n.currentAmount, n.currency), ly + 5, { bold: true });

  // --- right column: how can you dispute the debt? ---------------------------------------------------
  const by = longDate(n.validationPeriodEnds);
  let ry = text('How can you dispute the debt?', RIGHT, top, { font: BOLD, size: HEAD }) + 4;
  ry = bullet(`Call or write to us by ${by}, to dispute all or part of the debt. If you do not, we will assume that our information is correct.`, RIGHT, ry, COL_W) + 3;
  ry = bullet(`If you write to us by ${by}, we must stop collection on any amount you dispute until we send you information that shows you owe the debt. You may use the form below or write to us without the form. You may also include supporting documents.${c.electronic ? ` We accept disputes electronically at ${c.electronic}.` : ''}`, RIGHT, ry, COL_W) + 8;
  ry = text('What else can you do?', RIGHT, ry, { font: BOLD, size: HEAD }) + 4;
  ry = bullet(`Write to ask for the name and address of the original creditor, if different from the current creditor. If you write by ${by}, we must stop collection until we send you that information. You may use the form below or write to us without the form.${c.electronic ? ` We accept such requests electronically at ${c.electronic}.` : ''}`, RIGHT, ry, COL_W) + 3;
  ry = bullet('Go to www.cfpb.gov/debt-collection to learn more about your rights under federal law. For instance, you have the right to stop or limit how we contact you.', RIGHT, ry, COL_W) + 3;
  ry = bullet(`Contact us about your payment options.${c.phone ? ` Call ${c.phone}.` : ''}`, RIGHT, ry, COL_W) + 3;
  if (letter.spanish) ry = bullet('Póngase en contacto con nosotros para solicitar una copia de este formulario en español.', RIGHT, ry, COL_W) + 3;
  const bodyEnd = Math.max(ly, ry);
  if (bodyEnd > TEAR_Y - 12) {
    throw new ValidationError('letter', `the notice does not fit above the tear-off line (${Math.ceil(bodyEnd)} > ${TEAR_Y - 12} pt); shorten the names or address lines`);
  }

  // --- tear-off: mail this form to / how do you want to respond? ------------------------------------
  doc.lineWidth(0.8).dash(4, { space: 3 }).moveTo(MARGIN, TEAR_Y).lineTo(PAGE_W - MARGIN, TEAR_Y).stroke().undash();
  text('Detach and return this part', MARGIN, TEAR_Y + 3, { width: CONTENT_W, size: SMALL, align: 'center' });
  let ty = text('Mail this form to:', LEFT, TEAR_Y + 20, { font: BOLD, size: 10 }) + 2;
  ty = text(collector, LEFT + 10, ty);
  for (const l of c.address) ty = text(l, LEFT + 10, ty);
  ty += 14;
  ty = text(n.consumer.name, LEFT + 10, ty);
  for (const l of n.consumer.address) ty = text(l, LEFT + 10, ty);
  text(`Reference: ${reference}`, LEFT + 10, ty + 4);

  const [heading, ...prompts] = n.disputePrompts;
  let qy = text(heading ?? 'How do you want to respond?', RIGHT, TEAR_Y + 20, { font: BOLD, size: 10 }) + 2;
  qy = text('Check all that apply:', RIGHT, qy, { size: SMALL }) + 3;
  for (const p of prompts) {
    if (p.endsWith(':')) {
      qy = text(p, RIGHT, qy, { font: BOLD }) + 2;
    } else {
      box(RIGHT + 4, qy);
      qy = text(p, RIGHT + 16, qy, { width: COL_W - 16 }) + 3;
    }
  }
  qy += 4;
  box(RIGHT, qy);
  const enclosed = 'I enclosed this amount:';
  text(enclosed, RIGHT + 12, qy, { font: BOLD, width: COL_W - 12 });
  const unit = n.currency === 'USD' ? '$' : n.currency;
  const ux = RIGHT + 12 + doc.font(BOLD).fontSize(BODY).widthOfString(enclosed) + 6;
  text(unit, ux, qy, { width: 40 });
  doc.lineWidth(0.5).rect(ux + doc.font(REGULAR).fontSize(BODY).widthOfString(unit) + 3, qy - 2, 90, 13).stroke();
  qy += 14;
  qy = text(`Make your check payable to ${sentence(collector)} Include the reference number ${reference}.`, RIGHT + 12, qy + 4, { width: COL_W - 12, size: SMALL }) + 4;
  if (letter.spanish) {
    box(RIGHT, qy);
    text('Quiero este formulario en español.', RIGHT + 12, qy, { width: COL_W - 12 });
  }

  if (pages > 1) {
    doc.end();
    throw new ValidationError('letter', 'the tear-off does not fit on the page; shorten the address blocks (at most about five lines each)');
  }
  doc.end();
  return done;
}
