/**
 * Message-template checks: who a template may be sent to, and what it must never say.
 *
 * Every template declares its audience (`borrower` or `third_party`) and its language (`en`,
 * `zh-CN`). `checkTemplate` returns the problems it finds (an empty list means the template may be
 * used); a malformed declaration is a ValidationError instead, because it is a programming or data
 * error rather than a compliance finding.
 *
 * Rules:
 * - `threatening-wording` (any audience): a phrase from the threat lists (wordlists/en.txt,
 *   wordlists/zh-CN.txt). FDCPA 1692d/1692e, Regulation F 1006.14/1006.18; CBA 2026 guideline.
 * - `third-party-disclosure` (third party only): a word naming the debt or the collection purpose
 *   (wordlists/disclosure.*.txt), in the text or in a placeholder's name (`{{loan_id}}`).
 *   FDCPA 1692b(2), 1692c(b); Regulation F 1006.10; GB/T 45251-2025 contact persons; CONC 7.9.4R.
 * - `amount-to-third-party` (third party only): a sum of money (a number with a currency symbol,
 *   code or word: `$120`, `¥500`, `500元`, `三千元`, `120 dollars`) or a placeholder that stands
 *   for one (`{{amount_due}}`, `${balance}`).
 *
 * Matching (see wordlists/README.md): the text is NFKC-normalised (full-width ｄｅｂｔ / ５００ become
 * debt / 500) and zero-width characters are removed. English phrases match case-insensitively on
 * whole words ("sue you" is not found in "issue you"); Chinese phrases match as substrings, with
 * spaces between the characters tolerated (坐 牢). Every language's lists are applied whatever the
 * template's declared language. Overlapping matches of the same rule are reported once, as the
 * longest ("We will sue you today" → `sue you today`, not also `We will sue`).
 *
 * The lists are read from disk once, on first use; `compileWordList` / `checkTemplate(t, lists)`
 * let callers (and tests) supply their own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../core/index.js';

export const TEMPLATE_AUDIENCES = ['borrower', 'third_party'] as const;
export const TEMPLATE_LANGUAGES = ['en', 'zh-CN'] as const;
export type TemplateAudience = (typeof TEMPLATE_AUDIENCES)[number];
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export interface MessageTemplate {
  id: string;
  audience: TemplateAudience;
  language: TemplateLanguage;
  body: string;
}

export type TemplateRule = 'third-party-disclosure' | 'threatening-wording' | 'amount-to-third-party';

export interface TemplateIssue {
  templateId: string;
  rule: TemplateRule;
  /** The text as found in the (normalised) body, e.g. `Arrested`, `$120`, `{{amount_due}}`. */
  phrase: string;
  /** The list entry or pattern that matched (`arrest*`, `currency amount`), and its list. */
  matchedBy: string;
  /** Offset of `phrase` in the normalised body. */
  at: number;
  /** A sentence a collector understands. */
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Word lists

export interface WordListEntry {
  readonly phrase: string;
  readonly re: RegExp;
}

export interface WordList {
  /** Where it came from (`en.txt`), for reasons and debugging. */
  readonly source: string;
  readonly entries: readonly WordListEntry[];
}

export interface WordLists {
  readonly threats: readonly WordList[];
  readonly disclosure: readonly WordList[];
}

const HAN = /\p{Script=Han}/u;
/** What may not touch an English match on either side: Latin letters, digits, underscore. */
const WORD_CHAR = '[\\p{Script=Latin}\\p{N}_]';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Compiles one phrase into a global regex by the matching rules above. */
export function compilePhrase(phrase: string): RegExp {
  const p = normalize(phrase).trim();
  if (p === '' || p === '*') throw new ValidationError('phrase', `must not be empty, got ${JSON.stringify(phrase)}`);
  if (HAN.test(p)) {
    const chars = [...p.replace(/\s+/g, '')].map(escapeRe);
    return new RegExp(chars.join('\\s*'), 'giu');
  }
  const wildcard = p.endsWith('*');
  const words = (wildcard ? p.slice(0, -1) : p).trim().split(/[\s-]+/).map(escapeRe);
  const body = words.join('[\\s-]+') + (wildcard ? '\\p{L}*' : '');
  return new RegExp(`(?<!${WORD_CHAR})${body}(?!${WORD_CHAR})`, 'giu');
}

/** Parses a word-list file: one phrase a line, `#` comment lines, blank lines ignored. */
export function compileWordList(text: string, source: string): WordList {
  const entries: WordListEntry[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const key = normalize(line).toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    try {
      entries.push({ phrase: line, re: compilePhrase(line) });
    } catch (e) {
      if (e instanceof ValidationError) throw new ValidationError('phrase', e.rule, `${source}:${i + 1}`);
      throw e;
    }
  });
  return { source, entries };
}

/** The shipped lists: src/compliance/wordlists (also found from the compiled dist/src/compliance). */
export function wordListDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'wordlists'), resolve(here, '../../../src/compliance/wordlists')];
  const found = candidates.find((d) => existsSync(join(d, 'en.txt')));
  if (!found) throw new Error(`compliance word lists not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Reads the threat and disclosure lists of every template language from `dir`. */
export function loadWordLists(dir: string = wordListDirectory()): WordLists {
  const read = (file: string) => compileWordList(readFileSync(join(dir, file), 'utf8'), file);
  return {
    threats: TEMPLATE_LANGUAGES.map((l) => read(`${l}.txt`)),
    disclosure: TEMPLATE_LANGUAGES.map((l) => read(`disclosure.${l}.txt`)),
  };
}

let shipped: WordLists | undefined;

/** The shipped lists, read once. */
export function defaultWordLists(): WordLists {
  shipped ??= loadWordLists();
  return shipped;
}

// ---------------------------------------------------------------------------------------------
// Amounts and placeholders

const CHINESE_NUMERAL = '[零〇一二两三四五六七八九十百千万亿]';
/** Patterns for a sum of money; each names what it catches. */
const AMOUNT_PATTERNS: readonly { name: string; re: RegExp }[] = [
  // $120, £ 5, ¥500, €3 (NFKC turns ￥ into ¥ and ＄ into $)
  { name: 'currency symbol and number', re: /[$£€¥]\s?\d(?:[\d,.]*\d)?/giu },
  // USD 120, RMB500, CNY 1,000, HK$ is caught above
  { name: 'currency code and number', re: new RegExp(`(?<!${WORD_CHAR})(?:usd|cny|rmb|gbp|eur|hkd)\\s?\\d(?:[\\d,.]*\\d)?`, 'giu') },
  // 120 dollars, 500元, 3万, 1,200.50 USD, 100$
  {
    name: 'number and currency',
    re: new RegExp(`\\d(?:[\\d,.]*\\d)?\\s?(?:(?:dollars?|bucks|pounds?|quid|euros?|cents?|pence|usd|cny|rmb|gbp|eur|hkd)(?!${WORD_CHAR})|万元|万|元|圆|块|[$£€¥])`, 'giu'),
  },
  // 三千元, 五百块钱, 两万元 (not 一块, "together")
  { name: 'Chinese numeral amount', re: new RegExp(`${CHINESE_NUMERAL}+(?:元|圆|块钱)`, 'gu') },
];

/** Placeholder names (split into words) that stand for money. */
const MONEY_WORDS = new Set([
  'amount', 'amt', 'balance', 'bal', 'due', 'owed', 'owing', 'arrears', 'principal', 'interest', 'fee', 'fees',
  'penalty', 'total', 'sum', 'outstanding', 'minimum', 'payoff', 'money', 'price', 'cost', 'charge', 'charges',
]);

/** Words in a placeholder's name that only say whose value it is (`{{borrower_name}}` renders a name). */
const PERSON_WORDS = new Set(['borrower', 'borrowers', 'debtor', 'debtors', 'customer', 'consumer', 'client', 'party', 'recipient']);

/** `{{ name }}`, `{{name | fmt}}`, `${name}`, `{name}`, `%{name}`. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)[^}]*\}\}|[$%]?\{([A-Za-z_][\w.]*)\}/g;

/** `amount_due` / `amountDue` / `loan.balance` → `amount due`. */
function placeholderWords(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[_.\s]+/).filter(Boolean).join(' ').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// The check

function normalize(text: string): string {
  return text.normalize('NFKC').replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, '').replace(/[\u2018\u2019\u02BC]/g, "'");
}

function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** Validates a declaration; throws a ValidationError naming the field. */
export function parseTemplate(input: unknown): MessageTemplate {
  if (typeof input !== 'object' || input === null) throw new ValidationError('template', 'must be an object with id, audience, language and body');
  const t = input as Record<string, unknown>;
  if (typeof t.id !== 'string' || t.id.trim() === '') throw new ValidationError('id', 'must be a non-empty string', 'template');
  const where = `template ${t.id}`;
  if (!isOneOf(TEMPLATE_AUDIENCES, t.audience)) {
    throw new ValidationError('audience', `must be one of ${TEMPLATE_AUDIENCES.join(', ')}, got ${JSON.stringify(t.audience)}`, where);
  }
  if (!isOneOf(TEMPLATE_LANGUAGES, t.language)) {
    throw new ValidationError('language', `must be one of ${TEMPLATE_LANGUAGES.join(', ')}, got ${JSON.stringify(t.language)}`, where);
  }
  if (typeof t.body !== 'string' || t.body.trim() === '') throw new ValidationError('body', 'must be a non-empty string', where);
  return { id: t.id, audience: t.audience, language: t.language, body: t.body };
}

const REASONS: Readonly<Record<TemplateRule, (phrase: string) => string>> = {
  'threatening-wording': (p) =>
    `"${p}" is threatening wording: messages must not threaten arrest, violence, exposure, visits, telling others, or action that cannot or will not be taken.`,
  'third-party-disclosure': (p) =>
    `"${p}" reveals the debt or that we are collecting it, and this template goes to a third party, who may only be asked for location information or to pass on a request to call back.`,
  'amount-to-third-party': (p) =>
    `"${p}" states an amount of money, and this template goes to a third party, who must not be told what is owed.`,
};

interface Hit {
  rule: TemplateRule;
  phrase: string;
  matchedBy: string;
  at: number;
  end: number;
}

function scan(text: string, re: RegExp, rule: TemplateRule, matchedBy: string, out: Hit[], offset = 0): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0] === '') {
      re.lastIndex += 1;
      continue;
    }
    out.push({ rule, phrase: m[0], matchedBy, at: offset + m.index, end: offset + m.index + m[0].length });
  }
}

/**
 * The problems with a template (empty when it may be used). Throws a ValidationError when the
 * declaration itself is malformed (missing id, unknown audience or language, empty body).
 */
export function checkTemplate(
  template: { id: string; audience: string; language: string; body: string },
  lists: WordLists = defaultWordLists(),
): TemplateIssue[] {
  const t = parseTemplate(template);
  const body = normalize(t.body);
  const hits: Hit[] = [];

  for (const list of lists.threats) {
    for (const e of list.entries) scan(body, e.re, 'threatening-wording', `${e.phrase} (${list.source})`, hits);
  }

  if (t.audience === 'third_party') {
    for (const list of lists.disclosure) {
      for (const e of list.entries) scan(body, e.re, 'third-party-disclosure', `${e.phrase} (${list.source})`, hits);
    }
    for (const p of AMOUNT_PATTERNS) scan(body, p.re, 'amount-to-third-party', p.name, hits);
    PLACEHOLDER.lastIndex = 0;
    for (let m = PLACEHOLDER.exec(body); m !== null; m = PLACEHOLDER.exec(body)) {
      const name = m[1] ?? m[2] ?? '';
      const all = placeholderWords(name).split(' ');
      if (all.some((w) => MONEY_WORDS.has(w))) {
        hits.push({ rule: 'amount-to-third-party', phrase: m[0], matchedBy: `placeholder for money (${name})`, at: m.index, end: m.index + m[0].length });
        continue;
      }
      const words = all.filter((w) => !PERSON_WORDS.has(w)).join(' ');
      for (const list of lists.disclosure) {
        const e = list.entries.find((x) => {
          x.re.lastIndex = 0;
          return x.re.test(words);
        });
        if (e) {
          hits.push({ rule: 'third-party-disclosure', phrase: m[0], matchedBy: `placeholder ${name}: ${e.phrase} (${list.source})`, at: m.index, end: m.index + m[0].length });
          break;
        }
      }
    }
  }

  // Of overlapping hits of the same rule keep the longest (the first found on a tie), then one
  // issue per distinct (rule, phrase), first occurrence, in text order.
  const kept = hits.filter((h, i) =>
    !hits.some((o, j) => j !== i && o.rule === h.rule && o.at < h.end && h.at < o.end && (o.end - o.at > h.end - h.at || (o.end - o.at === h.end - h.at && j < i))));
  kept.sort((a, b) => a.at - b.at || a.rule.localeCompare(b.rule));
  const seen = new Set<string>();
  const issues: TemplateIssue[] = [];
  for (const h of kept) {
    const key = `${h.rule}\u0000${h.phrase.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ templateId: t.id, rule: h.rule, phrase: h.phrase, matchedBy: h.matchedBy, at: h.at, reason: REASONS[h.rule](h.phrase) });
  }
  return issues;
}
