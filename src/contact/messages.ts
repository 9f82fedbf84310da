/**
 * Message templates in ICU MessageFormat (FormatJS intl-messageformat), in the template's
 * language (en, zh-CN): plurals and selects from the format; amounts and dates are formatted here,
 * by locale and currency, before they reach the message — amounts exactly from integer minor units
 * (the decimal string goes to Intl.NumberFormat, never a float), dates as business dates.
 * Pure: a template and values in, text out. The audience and wording checks are the compliance
 * gate's (src/compliance/templates.ts); this module only renders.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { currencyDigits, formatMinor, parseDate, ValidationError, type BusinessDate, type Minor } from '../core/index.js';

export interface RenderableTemplate {
  id: string;
  /** `en` or `zh-CN` */
  language: string;
  /** ICU MessageFormat, e.g. `Hi {name}, {amount} is due on {due}.` */
  body: string;
}

export type MessageValue = string | number | { money: Minor; currency: string } | { date: BusinessDate };

const compiled = new Map<string, IntlMessageFormat>();

function compile(t: RenderableTemplate): IntlMessageFormat {
  const key = `${t.language}\u0000${t.body}`;
  let m = compiled.get(key);
  if (!m) {
    try {
      m = new IntlMessageFormat(t.body, t.language);
    } catch (e) {
      throw new ValidationError('body', `is not valid ICU MessageFormat (${e instanceof Error ? e.message : String(e)})`, `template ${t.id}`);
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(key, m);
  }
  return m;
}

/** Checks a template's syntax; throws a ValidationError naming the template. */
export function checkMessageSyntax(t: RenderableTemplate): void {
  compile(t);
}

/** An amount in the template's language, exact: 17770 USD → `$177.70` (en), `US$177.70` (zh-CN). */
export function formatMoney(amount: Minor, currency: string, language: string): string {
  const digits = currencyDigits(currency);
  return new Intl.NumberFormat(language, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits })
    // a decimal string is formatted exactly (Intl.NumberFormat v3); no float in between
    .format(formatMinor(amount, currency) as unknown as number);
}

/** A business date in the template's language: 2026-03-16 → `March 16, 2026` (en), `2026年3月16日` (zh-CN). */
export function formatBusinessDate(date: BusinessDate, language: string): string {
  parseDate(date, 'date');
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}

/** Renders a template; every argument the template names must be given (a missing one is an error naming it). */
export function renderMessage(t: RenderableTemplate, values: Readonly<Record<string, MessageValue>>): string {
  const m = compile(t);
  const plain: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' || typeof v === 'number') plain[k] = v;
    else if ('money' in v) plain[k] = formatMoney(v.money, v.currency, t.language);
    else plain[k] = formatBusinessDate(v.date, t.language);
  }
  try {
    const out = m.format(plain);
    if (typeof out !== 'string') throw new Error('rich-text parts are not supported');
    return out;
  } catch (e) {
    throw new ValidationError('values', `cannot render template ${t.id}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
