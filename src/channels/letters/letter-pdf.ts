/**
 * Collection letters as PDF: the lender's letterhead, the date and reference, the recipient's name
 * and postal address (window-envelope position), a subject line, the body paragraphs and a footer
 * on every page ("Page 1 of 2"). What a letter *says* is decided before it gets here (the template
 * rendered in the recipient's language, amounts and dates formatted): this edge module only draws.
 * See docs/letters.md.
 *
 * - One letter (`renderLetterPdf`) or a print batch (`renderLetterBatchPdf`: every letter starts
 *   on a new page; the pages each letter takes are reported). A letter takes the same number of
 *   pages alone and in a batch: the layout is the same.
 * - Fonts: the standard Helvetica fonts (not embedded) when every character of the letter is in
 *   their WinAnsi repertoire. Anything else (a zh-CN letter, a name in Chinese script) needs a
 *   TrueType/OpenType font that covers it, given as `cjkFont` (the CLI takes it from
 *   ARREARS_LETTER_CJK_FONT; a collection .ttc names its face after `#`). Without one such a letter
 *   is refused with a ValidationError naming the setting — never printed as wrong glyphs.
 * - Deterministic: CreationDate and ModDate are the given business date at 00:00 UTC, Producer and
 *   Creator fixed, the file /ID derived from those by pdfkit, the embedded font subset named from
 *   the font's order in the document: the same letters give byte-identical files.
 */
import PDFDocument from 'pdfkit';
import { existsSync } from 'node:fs';
import { parseDate, ValidationError, type BusinessDate } from '../../core/index.js';

export interface LetterHead {
  name: string;
  /** postal address lines */
  address: readonly string[];
  phone?: string;
}

/** A letter ready to draw: every string already in the letter's language. */
export interface LetterContent {
  /** BCP 47 tag of the letter's language (en, zh-CN) */
  language: string;
  head: LetterHead;
  /** the letter's date as printed (`March 16, 2026`, `2026年3月16日`) */
  dateText: string;
  /** `Reference: L-1001` in the letter's language */
  referenceText: string;
  recipient: { name: string; address: readonly string[] };
  subject: string;
  /** paragraphs separated by blank lines; single line breaks are kept */
  body: string;
  /** small print under the body on every page (lender, address, phone) */
  footer: string;
  /** `Page {page} of {pages}` in the letter's language ({page} and {pages} are filled in) */
  pageText: string;
}

export type PageSize = 'A4' | 'LETTER';

export interface LetterRenderOptions {
  /** the business date the letters are dated and printed on: the PDF's CreationDate */
  date: BusinessDate;
  /** path of a TTF/OTF font (or `file.ttc#PostScriptName`) for characters beyond WinAnsi (CJK) */
  cjkFont?: string | null;
  pageSize?: PageSize;
  /** Flate-compress content streams (default true) */
  compress?: boolean;
  /** the document title (default: the first letter's reference, or `Letters DATE`) */
  title?: string;
}

export interface RenderedLetter {
  bytes: Buffer;
  pages: number;
}

export interface RenderedBatch {
  bytes: Buffer;
  /** pages of each letter, in order */
  pages: number[];
}

/** The setting the CLI reads the CJK font path from (named in errors). */
export const CJK_FONT_SETTING = 'ARREARS_LETTER_CJK_FONT';

// Windows-1252 beyond Latin-1: what the standard fonts can show besides U+0020–U+007E and U+00A0–U+00FF.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** True when the standard PDF fonts can print every character of `s` (line breaks allowed). */
export function standardFontsCover(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch)) continue;
    return false;
  }
  return true;
}

function strings(l: LetterContent): string[] {
  return [l.head.name, ...l.head.address, l.head.phone ?? '', l.dateText, l.referenceText, l.recipient.name, ...l.recipient.address, l.subject, l.body, l.footer, l.pageText];
}

/** The first character the standard fonts cannot print, with where it is, or null. */
function firstUncovered(l: LetterContent): string | null {
  for (const s of strings(l)) {
    for (const ch of s) {
      if (!standardFontsCover(ch)) return `"${ch}" (U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`;
    }
  }
  return null;
}

function checkLetter(l: LetterContent, i: number): void {
  const where = `letters[${i}]`;
  const need = (v: unknown, field: string): void => {
    if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(`${where}.${field}`, 'is required (a non-empty string)');
  };
  need(l.head.name, 'head.name');
  if (l.head.address.length === 0) throw new ValidationError(`${where}.head.address`, 'must have at least one line (the lender\'s postal address)');
  need(l.recipient.name, 'recipient.name');
  if (l.recipient.address.length === 0) throw new ValidationError(`${where}.recipient.address`, 'must have at least one line (a letter needs a postal address)');
  need(l.subject, 'subject');
  need(l.body, 'body');
}

/** Resolves the font setting: `file.ttf`, `file.otf`, `file.ttc#PostScriptName`. */
function fontSource(setting: string): { path: string; face: string | undefined } {
  const hash = setting.lastIndexOf('#');
  const path = hash > 0 ? setting.slice(0, hash) : setting;
  const face = hash > 0 ? setting.slice(hash + 1) : undefined;
  if (!existsSync(path)) throw new ValidationError(CJK_FONT_SETTING, `font file ${path} does not exist`);
  if (/\.(ttc|otc)$/i.test(path) && !face) {
    throw new ValidationError(CJK_FONT_SETTING, `${path} is a font collection: name the face after #, e.g. ${path}#WenQuanYiMicroHei`);
  }
  return { path, face };
}

// Layout (points).
const MARGIN = 56;
const HEAD = 13;
const BODY = 10.5;
const SMALL = 8;
const FOOTER_H = 34;

const REGULAR = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const CJK = 'LetterCJK';

interface Fonts {
  regular: string;
  bold: string;
}

function pageDims(size: PageSize): { w: number; h: number } {
  return size === 'A4' ? { w: 595.28, h: 841.89 } : { w: 612, h: 792 };
}

function fillPage(template: string, page: number, pages: number): string {
  return template.replace('{page}', String(page)).replace('{pages}', String(pages));
}

/**
 * Draws the letters into a fresh document and returns its bytes and each letter's page count.
 * Pages are buffered per letter (for the "page x of y" footers) and flushed after it, so a batch of
 * thousands of letters does not hold every page in memory.
 */
function render(letters: readonly LetterContent[], opts: LetterRenderOptions): Promise<RenderedBatch> {
  const date = parseDate(opts.date, 'date');
  if (letters.length === 0) throw new ValidationError('letters', 'must contain at least one letter');
  letters.forEach(checkLetter);
  const needsCjk = letters.map((l) => firstUncovered(l));
  const firstNeed = needsCjk.findIndex((x) => x !== null);
  let font: { path: string; face: string | undefined } | null = null;
  if (firstNeed >= 0) {
    if (!opts.cjkFont) {
      const l = letters[firstNeed] as LetterContent;
      throw new ValidationError(CJK_FONT_SETTING, `letter ${firstNeed + 1} (${l.language}, ${l.referenceText}) contains ${needsCjk[firstNeed] ?? '?'}, which the standard PDF fonts cannot print; set ${CJK_FONT_SETTING} to a TrueType/OpenType font that covers it (e.g. /usr/share/fonts/truetype/wqy/wqy-microhei.ttc#WenQuanYiMicroHei from Debian's fonts-wqy-microhei)`);
    }
    font = fontSource(opts.cjkFont);
  }
  const size = opts.pageSize ?? 'LETTER';
  const { w: PAGE_W, h: PAGE_H } = pageDims(size);
  const CONTENT_W = PAGE_W - 2 * MARGIN;
  const stamp = new Date(`${date}T00:00:00Z`);
  const doc = new PDFDocument({
    size,
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_H },
    compress: opts.compress ?? true,
    autoFirstPage: false,
    bufferPages: true,
    info: {
      Title: opts.title ?? (letters.length === 1 ? (letters[0] as LetterContent).referenceText : `Letters ${date}`),
      Producer: 'Arrears',
      Creator: 'Arrears',
      CreationDate: stamp,
      ModDate: stamp,
    },
  });
  if (font) {
    try {
      if (font.face) doc.registerFont(CJK, font.path, font.face);
      else doc.registerFont(CJK, font.path);
      doc.font(CJK);
    } catch (e) {
      throw new ValidationError(CJK_FONT_SETTING, `cannot load font ${opts.cjkFont ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (b: Buffer) => chunks.push(b));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const pages: number[] = [];
  letters.forEach((l, i) => {
    const fonts: Fonts = needsCjk[i] !== null ? { regular: CJK, bold: CJK } : { regular: REGULAR, bold: BOLD };
    const text = (s: string, x: number, y: number | undefined, o: { font?: string; size?: number; width?: number; align?: 'left' | 'right' | 'center'; gap?: number } = {}): number => {
      doc.font(o.font ?? fonts.regular).fontSize(o.size ?? BODY);
      if (y === undefined) doc.text(s, x, undefined, { width: o.width ?? CONTENT_W, align: o.align ?? 'left', lineGap: 2, paragraphGap: o.gap ?? 0 });
      else doc.text(s, x, y, { width: o.width ?? CONTENT_W, align: o.align ?? 'left', lineGap: 2, paragraphGap: o.gap ?? 0 });
      return doc.y;
    };
    doc.addPage();
    const first = doc.bufferedPageRange().start + doc.bufferedPageRange().count - 1;

    // --- letterhead (left), date and reference (right) ---------------------------------------
    const half = CONTENT_W / 2;
    let y = text(l.head.name, MARGIN, MARGIN, { font: fonts.bold, size: HEAD, width: half });
    for (const line of l.head.address) y = text(line, MARGIN, y, { size: 9, width: half });
    if (l.head.phone) y = text(l.head.phone, MARGIN, y, { size: 9, width: half });
    let ry = text(l.dateText, MARGIN + half, MARGIN, { width: half, align: 'right' });
    ry = text(l.referenceText, MARGIN + half, ry, { width: half, align: 'right', font: fonts.bold });

    // --- recipient (window-envelope position) -------------------------------------------------
    y = Math.max(y, ry) + 24;
    y = Math.max(y, 150);
    y = text(l.recipient.name, MARGIN, y, { width: half + 40 });
    for (const line of l.recipient.address) y = text(line, MARGIN, y, { width: half + 40 });

    // --- subject and body ------------------------------------------------------------------------
    y = Math.max(y + 30, 260);
    text(l.subject, MARGIN, y, { font: fonts.bold, size: 11.5 });
    doc.moveDown(0.8);
    const paragraphs = l.body.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map((p) => p.replace(/[ \t]+\n/g, '\n').trim()).filter((p) => p !== '');
    for (const p of paragraphs) text(p, MARGIN, undefined, { gap: 8 });

    // --- footers on this letter's pages ---------------------------------------------------------
    const range = doc.bufferedPageRange();
    const count = range.start + range.count - first;
    pages.push(count);
    for (let p = 0; p < count; p++) {
      doc.switchToPage(first + p);
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0; // drawing in the margin must not start a new page
      const fy = PAGE_H - MARGIN - FOOTER_H + 12;
      doc.lineWidth(0.5).moveTo(MARGIN, fy - 6).lineTo(PAGE_W - MARGIN, fy - 6).stroke();
      text(l.footer, MARGIN, fy, { size: SMALL, width: CONTENT_W - 90 });
      text(fillPage(l.pageText, p + 1, count), PAGE_W - MARGIN - 90, fy, { size: SMALL, width: 90, align: 'right' });
      doc.page.margins.bottom = bottom;
    }
    doc.flushPages();
  });
  doc.end();
  return done.then((bytes) => ({ bytes, pages }));
}

/** One letter as its own PDF. */
export async function renderLetterPdf(letter: LetterContent, opts: LetterRenderOptions): Promise<RenderedLetter> {
  const r = await render([letter], opts);
  return { bytes: r.bytes, pages: r.pages[0] ?? 0 };
}

/** A print batch: the letters in order in one PDF, each starting on a new page. */
export function renderLetterBatchPdf(letters: readonly LetterContent[], opts: LetterRenderOptions): Promise<RenderedBatch> {
  return render(letters, { ...opts, title: opts.title ?? `Letters ${opts.date}` });
}
