/**
 * Reads a timeline file (YAML) into a validated `Timeline`. Pure: text in, data out.
 *
 * Every problem in the file is collected and thrown together as one TimelineError whose message
 * has one `file:line:column: field: rule` per line.
 */
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { assertMinor, compareDates, isCurrency, parseDate, ValidationError } from '../core/index.js';
import type { BusinessDate } from '../core/index.js';
import { CHANNELS, isE164, isEmail, isValidTimeZone, parseBorrower, PARTY_KINDS } from '../contact/index.js';
import type { Channel, PartyKind } from '../contact/index.js';
import { parseTemplate, type InconvenientMedium, type InconvenientTime, type MessageTemplate } from '../compliance/index.js';
import type { Borrower } from '../contact/index.js';
import { parseBuckets, parseProduct } from '../ledger/index.js';
import type { BucketDef, Product } from '../ledger/index.js';
import { TimelineError } from './errors.js';
import type { TimelineIssue } from './errors.js';
import { COMMON_EVENT_KEYS, EVENT_KINDS, eventKind, MAX_TIMELINE_EVENTS } from './events.js';
import type { EventParseContext } from './events.js';
import { isRecord, SourceReader } from './source.js';
import type { FieldPath } from './source.js';
import { AUTOMATED_CHANNELS } from './types.js';
import type { AutomatedChannel, ConsumerPreferences, Timeline, TimelineAccount, TimelineEvent, TimelineParty } from './types.js';

export type { Timeline, TimelineAccount, TimelineEvent, PaymentEvent, PauseEvent, AttemptEvent, AttemptGateFields, FlagEvent, CheckEvent, TimelineEventKind } from './types.js';

/**
 * Top-level keys. `supported` keys are read; `reserved` keys are recognised but rejected with a
 * clear message until their feature lands (then flip them to `supported` and read them below).
 */
export const TIMELINE_KEYS = {
  start: 'supported',
  until: 'supported',
  products: 'supported',
  accounts: 'supported',
  events: 'supported',
  buckets: 'supported',
  strategy: 'supported',
  jurisdiction: 'supported',
  templates: 'supported',
  automate: 'supported',
} as const satisfies Record<string, 'supported' | 'reserved'>;

export const ACCOUNT_KEYS = ['id', 'product', 'principal', 'currency', 'disbursed', 'borrower', 'parties', 'references', 'employer', 'consumer'] as const;
export const CONSUMER_KEYS = ['inconvenientTimes', 'inconvenientMedia', 'consentedContactPoints', 'timeBarredSince'] as const;
export const PARTY_KEYS = ['id', 'kind', 'timezone', 'phones', 'emails', 'vulnerable', 'attorney'] as const;
export const BUCKET_KEYS = ['name', 'min', 'max'] as const;

const SUPPORTED_KEYS: readonly string[] = Object.entries(TIMELINE_KEYS)
  .filter(([, v]) => v === 'supported')
  .map(([k]) => k);

interface DeclaredAccount {
  index: number;
  disbursed: BusinessDate | null;
  /** ids of the account's references */
  references: Set<string>;
}

/** Parses and validates a timeline. Throws TimelineError listing every problem found. */
export function parseTimeline(text: string, file: string): Timeline {
  const lineCounter = new LineCounter();
  // The core schema keeps 2026-01-01 and 30/360 as strings, even under a `%YAML 1.1` directive.
  const doc = parseDocument(text, { lineCounter, schema: 'core', prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: TimelineIssue[] = doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return { file, line, column: col, field: 'YAML', rule: e.message };
    });
    throw new TimelineError(issues);
  }
  const root: unknown = doc.toJS({ maxAliasCount: 1000 });
  const src = new SourceReader(file, doc, lineCounter);

  if (!isRecord(root)) {
    src.report([], `must be a mapping with ${SUPPORTED_KEYS.join(', ')}`);
    throw new TimelineError(src.issues);
  }

  for (const k of Object.keys(root)) {
    const status = (TIMELINE_KEYS as Record<string, string>)[k];
    if (status === 'reserved') src.report([k], 'is reserved for a later version and not supported yet', { at: 'key' });
    else if (status === undefined) src.report([k], `is not a known field (known: ${SUPPORTED_KEYS.join(', ')})`);
  }

  const start = requiredDate(src, root.start, ['start']);
  let until = requiredDate(src, root.until, ['until']);
  if (start && until && until < start) {
    src.report(['until'], `must be on or after start (${start}), got ${until}`);
    until = undefined;
  }

  const { products, declared: productIds } = readProducts(src, root.products);
  const buckets = readBuckets(src, root.buckets);
  const strategy = readStrategy(src, root.strategy);
  const jurisdiction = readJurisdiction(src, root.jurisdiction);
  const templates = readTemplates(src, root.templates);
  const automate = readAutomate(src, root.automate, strategy ?? null, jurisdiction ?? null);
  const { accounts, declared: accountIds } = readAccounts(src, root.accounts, productIds);
  const events = readEvents(src, root.events, accountIds, start ?? null, until ?? null);
  for (const e of events) {
    if (e.kind === 'attempt' && e.gate.template !== null && !Object.hasOwn(templates, e.gate.template)) {
      src.report(['events', e.index], `attempt names template "${e.gate.template}", which is not in templates (known: ${Object.keys(templates).join(', ') || 'none'})`);
    }
  }
  if (root.jurisdiction === undefined || root.jurisdiction === null) {
    const reported = new Set<number>();
    for (const e of events) {
      if (e.kind === 'attempt' && e.gate.expect !== null && !reported.has(e.index)) {
        reported.add(e.index);
        src.report(['events', e.index], 'expect needs a jurisdiction: without rule packs no attempt goes through the gate');
      }
      if (e.kind === 'flag' && !reported.has(e.index)) {
        reported.add(e.index);
        src.report(['events', e.index, 'flag'], 'needs a jurisdiction: compliance acts only matter to the gate');
      }
      if (e.kind === 'attempt' && (e.gate.agent !== null || e.gate.agency !== null) && !reported.has(e.index)) {
        reported.add(e.index);
        src.report(['events', e.index], 'agent and agency need a jurisdiction: they are recorded with the gate decision');
      }
    }
  }
  if (automate !== undefined && automate.length === 0) {
    for (const e of events) {
      if (e.kind === 'check' && (e.expect.sent !== undefined || e.expect.blocked !== undefined || e.expect.notSendable !== undefined)) {
        src.report(['events', e.index, 'check'], 'sent, blocked and notSendable need automated tasks (a strategy and a jurisdiction, and automate not false)');
      }
    }
  }

  if (src.issues.length > 0 || start === undefined || until === undefined) {
    const issues = src.issues.slice().sort((a, b) => a.line - b.line || a.column - b.column);
    throw new TimelineError(issues);
  }
  events.sort((a, b) => compareDates(a.date, b.date) || a.index - b.index);
  return { file, start, until, products, accounts, events, buckets, strategy: strategy ?? null, jurisdiction: jurisdiction ?? null, templates, automate: automate ?? [] };
}

/**
 * `automate:` — true, false, or a list of sms, email, letter. Absent: every automated channel when the
 * timeline has a strategy (which plans the tasks) and a jurisdiction (the gate they go through), else none.
 */
function readAutomate(src: SourceReader, raw: unknown, strategy: string | null, jurisdiction: string[] | null): AutomatedChannel[] | undefined {
  const able = strategy !== null && jurisdiction !== null;
  if (raw === undefined || raw === null) return able ? [...AUTOMATED_CHANNELS] : [];
  if (raw === false) return [];
  let list: AutomatedChannel[] | undefined;
  if (raw === true) list = [...AUTOMATED_CHANNELS];
  else if (Array.isArray(raw) && raw.length > 0) {
    const out: AutomatedChannel[] = [];
    raw.forEach((c: unknown, i) => {
      if (typeof c !== 'string' || !(AUTOMATED_CHANNELS as readonly string[]).includes(c)) {
        src.report(['automate', i], `must be one of ${AUTOMATED_CHANNELS.join(', ')}, got ${JSON.stringify(c)}`);
      } else if (out.includes(c as AutomatedChannel)) src.report(['automate', i], `lists ${c} twice`);
      else out.push(c as AutomatedChannel);
    });
    if (out.length !== raw.length) return undefined;
    list = out;
  } else {
    src.report(['automate'], `must be true, false, or a non-empty list of ${AUTOMATED_CHANNELS.join(', ')}, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  if (!able) {
    src.report(['automate'], `needs a strategy (which plans the tasks) and a jurisdiction (the gate they go through); this timeline has ${strategy === null ? 'no strategy' : 'no jurisdiction'}`);
    return undefined;
  }
  return list;
}

/** A strategy name: letters, digits, `_`, `-` and `.`, starting with a letter or digit. */
const STRATEGY_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * True when `strategy` (as written in a timeline) is a path rather than a name: it contains a
 * `/` or a backslash, or ends in `.yaml` or `.yml`.
 */
export function isStrategyPath(strategy: string): boolean {
  return /[/\\]/.test(strategy) || /\.ya?ml$/i.test(strategy);
}

/**
 * The file a timeline's `strategy` refers to, as an absolute path: a name `N` is
 * `<cwd>/strategies/N.yaml` (cwd = the project root); a path is relative to the directory of the
 * timeline file (itself relative to `cwd` when `timeline.file` is relative). Null when the
 * timeline has no strategy. Pure: it does not check that the file exists.
 */
export function resolveStrategyPath(timeline: Pick<Timeline, 'file' | 'strategy'>, cwd: string): string | null {
  const s = timeline.strategy;
  if (s === null) return null;
  if (isStrategyPath(s)) return resolve(cwd, dirname(timeline.file), s);
  return resolve(cwd, 'strategies', `${s}.yaml`);
}

/** A rule-pack name: lower-case letters, digits and -, as in rule-packs/<name>.yaml. */
const PACK_NAME_RE = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The rule-pack files of a timeline's `jurisdiction`, as absolute paths in the order written: a
 * name `N` is `<cwd>/rule-packs/N.yaml`; a path is relative to the timeline file's directory.
 * Null when the timeline has no jurisdiction. Pure: it does not check that the files exist.
 */
export function resolvePackPaths(timeline: Pick<Timeline, 'file' | 'jurisdiction'>, cwd: string): string[] | null {
  if (timeline.jurisdiction === null) return null;
  return timeline.jurisdiction.map((j) => (isStrategyPath(j) ? resolve(cwd, dirname(timeline.file), j) : resolve(cwd, 'rule-packs', `${j}.yaml`)));
}

function readJurisdiction(src: SourceReader, raw: unknown): string[] | null | undefined {
  if (raw === undefined || raw === null) return null;
  const expected = 'a rule-pack name (e.g. us-regf, for rule-packs/us-regf.yaml), a path to a pack .yaml relative to this timeline, or a list of them';
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) {
    src.report(['jurisdiction'], `must be ${expected}; got an empty list`);
    return undefined;
  }
  const out: string[] = [];
  list.forEach((j, i) => {
    const path: FieldPath = Array.isArray(raw) ? ['jurisdiction', i] : ['jurisdiction'];
    if (typeof j !== 'string' || j.trim() === '') src.report(path, `must be ${expected}, got ${JSON.stringify(j)}`);
    else if (isStrategyPath(j) ? !/\.ya?ml$/i.test(j) : !PACK_NAME_RE.test(j)) {
      src.report(path, `must be ${expected}; a name has only lower-case letters, digits and -, a path ends in .yaml, got ${JSON.stringify(j)}`);
    } else if (out.includes(j)) src.report(path, `lists ${JSON.stringify(j)} twice`);
    else out.push(j);
  });
  return out.length === list.length ? out : undefined;
}

const TEMPLATE_KEYS = ['audience', 'language', 'body'] as const;

function readTemplates(src: SourceReader, raw: unknown): Record<string, MessageTemplate> {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) {
    src.report(['templates'], 'must be a mapping of template id to { audience, language, body }');
    return {};
  }
  const out: [string, MessageTemplate][] = [];
  for (const [id, t] of Object.entries(raw)) {
    const path: FieldPath = ['templates', id];
    if (!isRecord(t)) {
      src.report(path, 'must be a mapping { audience: borrower | third_party, language: en | zh-CN, body }');
      continue;
    }
    src.rejectUnknownKeys(t, TEMPLATE_KEYS, path);
    try {
      out.push([id, parseTemplate({ ...t, id })]);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      src.report((TEMPLATE_KEYS as readonly string[]).includes(err.field) ? [...path, err.field] : path, err.rule);
    }
  }
  return Object.fromEntries(out);
}

function readStrategy(src: SourceReader, raw: unknown): string | null | undefined {
  if (raw === undefined || raw === null) return null;
  const expected = 'a strategy name (e.g. default, for strategies/default.yaml) or a path to a .yaml file relative to this timeline';
  if (typeof raw !== 'string' || raw.trim() === '') {
    src.report(['strategy'], `must be ${expected}, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  if (raw !== raw.trim()) {
    src.report(['strategy'], `must not start or end with spaces, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  if (isStrategyPath(raw)) {
    if (!/\.ya?ml$/i.test(raw)) {
      src.report(['strategy'], `a path must end in .yaml or .yml, got ${JSON.stringify(raw)}`);
      return undefined;
    }
  } else if (!STRATEGY_NAME_RE.test(raw)) {
    src.report(['strategy'], `must be ${expected}; a name has only letters, digits, _, - and ., got ${JSON.stringify(raw)}`);
    return undefined;
  }
  return raw;
}

function requiredDate(src: SourceReader, v: unknown, path: FieldPath): BusinessDate | undefined {
  if (v === undefined || v === null) {
    src.report(path, 'is required (YYYY-MM-DD)');
    return undefined;
  }
  return src.check(path, (f) => parseDate(v, f));
}

function readProducts(src: SourceReader, raw: unknown): { products: Record<string, Product>; declared: Set<string> } {
  const declared = new Set<string>();
  const entries: [string, Product][] = [];
  if (raw === undefined || raw === null) {
    src.report(['products'], 'is required (a mapping of product id to product)');
  } else if (!isRecord(raw) || Object.keys(raw).length === 0) {
    src.report(['products'], 'must be a non-empty mapping of product id to product');
  } else {
    for (const [id, spec] of Object.entries(raw)) {
      declared.add(id);
      const p = src.check(['products', id], (f) => parseProduct(id, spec, `${f}.`));
      if (p) entries.push([id, p]);
    }
  }
  // fromEntries defines own properties, so even an id like "__proto__" is stored as data
  return { products: Object.fromEntries(entries), declared };
}

function readBuckets(src: SourceReader, raw: unknown): BucketDef[] | null {
  if (raw === undefined || raw === null) return null;
  if (Array.isArray(raw)) {
    raw.forEach((b: unknown, i) => {
      if (isRecord(b)) src.rejectUnknownKeys(b, BUCKET_KEYS, ['buckets', i]);
    });
  }
  return src.check(['buckets'], (f) => parseBuckets(raw, f)) ?? null;
}

function readAccounts(
  src: SourceReader,
  raw: unknown,
  productIds: ReadonlySet<string>,
): { accounts: TimelineAccount[]; declared: Map<string, DeclaredAccount> } {
  const accounts: TimelineAccount[] = [];
  const declared = new Map<string, DeclaredAccount>();
  if (raw === undefined || raw === null) {
    src.report(['accounts'], 'is required (a list of accounts)');
    return { accounts, declared };
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    src.report(['accounts'], 'must be a non-empty list of accounts');
    return { accounts, declared };
  }
  raw.forEach((a: unknown, i) => {
    const path = ['accounts', i] as const;
    const at = (k: string): FieldPath => [...path, k];
    if (!isRecord(a)) {
      src.report(path, `must be a mapping { ${ACCOUNT_KEYS.join(', ')} }`);
      return;
    }
    src.rejectUnknownKeys(a, ACCOUNT_KEYS, path);

    let id: string | undefined;
    if (typeof a.id !== 'string' || a.id.trim() === '') {
      src.report(at('id'), `is required (a non-empty string), got ${JSON.stringify(a.id)}`);
    } else {
      const first = declared.get(a.id);
      if (first) src.report(at('id'), `duplicates accounts[${first.index}].id "${a.id}"`);
      else id = a.id;
    }

    let productId: string | undefined;
    if (typeof a.product !== 'string' || a.product === '') {
      src.report(at('product'), `is required (a product id from products), got ${JSON.stringify(a.product)}`);
    } else if (!productIds.has(a.product)) {
      src.report(at('product'), `refers to unknown product "${a.product}" (known: ${[...productIds].join(', ') || 'none'})`);
    } else {
      productId = a.product;
    }

    let principal: number | undefined;
    if (a.principal === undefined) {
      src.report(at('principal'), 'is required (minor units, e.g. cents)');
    } else {
      principal = src.check(at('principal'), (f) => assertMinor(a.principal, f));
      if (principal === 0) {
        src.report(at('principal'), 'must be greater than 0');
        principal = undefined;
      }
    }

    let currency: string | undefined;
    if (a.currency === undefined) src.report(at('currency'), 'is required (an ISO 4217 code such as USD)');
    else if (!isCurrency(a.currency)) src.report(at('currency'), `${JSON.stringify(a.currency)} is not a supported ISO 4217 code`);
    else currency = a.currency;

    const disbursed = requiredDate(src, a.disbursed, at('disbursed'));

    let borrower: Borrower | undefined;
    if (a.borrower === undefined || a.borrower === null) {
      src.report(at('borrower'), 'is required (a mapping { id, name, timezone, phones, … })');
    } else {
      borrower = src.check(at('borrower'), (f) => parseBorrower(a.borrower, `${f}.`));
    }

    const listed = readParties(src, a.parties, at('parties'), borrower);
    const shorthand = readShorthandParties(src, a.references, a.employer, path);
    let parties = listed && shorthand ? [...listed, ...shorthand] : undefined;
    if (parties) {
      const ids = new Set<string>();
      for (const p of parties) {
        if (ids.has(p.id)) {
          src.report(path, `lists the person "${p.id}" twice (parties, references and employer share one set of ids)`);
          parties = undefined;
          break;
        }
        ids.add(p.id);
      }
    }
    const consumer = readConsumer(src, a.consumer, at('consumer'));

    if (id !== undefined) {
      declared.set(id, { index: i, disbursed: disbursed ?? null, references: new Set((parties ?? []).filter((p) => p.kind === 'reference').map((p) => p.id)) });
    }
    if (id && productId && principal !== undefined && currency && disbursed && borrower && parties && consumer) {
      accounts.push({
        account: { id, borrowerId: borrower.id, productId, currency, principal, disbursed },
        borrower,
        parties,
        consumer,
      });
    }
  });
  return { accounts, declared };
}

const HHMM_RE = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

function readConsumer(src: SourceReader, raw: unknown, path: FieldPath): ConsumerPreferences | undefined {
  const none: ConsumerPreferences = { inconvenientTimes: [], inconvenientMedia: [], consentedContactPoints: [], timeBarredSince: null };
  if (raw === undefined || raw === null) return none;
  if (!isRecord(raw)) {
    src.report(path, `must be a mapping { ${CONSUMER_KEYS.join(', ')} }`);
    return undefined;
  }
  const before = src.issues.length;
  src.rejectUnknownKeys(raw, CONSUMER_KEYS, path);
  const list = (k: string): unknown[] => {
    const v = raw[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      src.report([...path, k], 'must be a list');
      return [];
    }
    return v;
  };
  const channelsOf = (v: unknown, p: FieldPath): Channel[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || v.some((c) => typeof c !== 'string' || !(CHANNELS as readonly string[]).includes(c))) {
      src.report(p, `must be a non-empty list of ${CHANNELS.join(', ')}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v as Channel[];
  };
  const inconvenientTimes: InconvenientTime[] = [];
  list('inconvenientTimes').forEach((t, i) => {
    const p: FieldPath = [...path, 'inconvenientTimes', i];
    if (!isRecord(t)) {
      src.report(p, 'must be a mapping { from: "HH:MM", to: "HH:MM", channels?, weekdays? }');
      return;
    }
    src.rejectUnknownKeys(t, ['from', 'to', 'channels', 'weekdays'], p);
    for (const k of ['from', 'to'] as const) {
      if (typeof t[k] !== 'string' || !HHMM_RE.test(t[k])) src.report([...p, k], `must be a local time "HH:MM" (00:00 to 24:00), got ${JSON.stringify(t[k])}`);
    }
    const channels = channelsOf(t.channels, [...p, 'channels']);
    let weekdays: number[] | undefined;
    if (t.weekdays !== undefined) {
      if (!Array.isArray(t.weekdays) || t.weekdays.length === 0 || t.weekdays.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 7)) {
        src.report([...p, 'weekdays'], `must be a non-empty list of ISO weekdays 1 (Monday) to 7 (Sunday), got ${JSON.stringify(t.weekdays)}`);
      } else weekdays = t.weekdays as number[];
    }
    if (typeof t.from === 'string' && typeof t.to === 'string') {
      inconvenientTimes.push({ from: t.from, to: t.to, ...(channels ? { channels } : {}), ...(weekdays ? { weekdays } : {}) });
    }
  });
  const inconvenientMedia: InconvenientMedium[] = [];
  list('inconvenientMedia').forEach((m, i) => {
    const p: FieldPath = [...path, 'inconvenientMedia', i];
    if (!isRecord(m) || (m.channel === undefined && m.contactPoint === undefined)) {
      src.report(p, 'must be a mapping with channel, contactPoint or both');
      return;
    }
    src.rejectUnknownKeys(m, ['channel', 'contactPoint'], p);
    if (m.channel !== undefined && (typeof m.channel !== 'string' || !(CHANNELS as readonly string[]).includes(m.channel))) {
      src.report([...p, 'channel'], `must be one of ${CHANNELS.join(', ')}, got ${JSON.stringify(m.channel)}`);
      return;
    }
    if (m.contactPoint !== undefined && (typeof m.contactPoint !== 'string' || m.contactPoint.trim() === '')) {
      src.report([...p, 'contactPoint'], `must be a number or address, got ${JSON.stringify(m.contactPoint)}`);
      return;
    }
    inconvenientMedia.push({ ...(m.channel !== undefined ? { channel: m.channel as Channel } : {}), ...(typeof m.contactPoint === 'string' ? { contactPoint: m.contactPoint } : {}) });
  });
  const consentedContactPoints: string[] = [];
  list('consentedContactPoints').forEach((c, i) => {
    if (typeof c !== 'string' || c.trim() === '') src.report([...path, 'consentedContactPoints', i], `must be a number or address, got ${JSON.stringify(c)}`);
    else consentedContactPoints.push(c);
  });
  let timeBarredSince: BusinessDate | null = null;
  if (raw.timeBarredSince !== undefined && raw.timeBarredSince !== null) {
    timeBarredSince = src.check([...path, 'timeBarredSince'], (f) => parseDate(raw.timeBarredSince, f)) ?? null;
  }
  if (src.issues.length > before) return undefined;
  return { inconvenientTimes, inconvenientMedia, consentedContactPoints, timeBarredSince };
}

const REFERENCE_KEYS = ['id', 'name', 'relation', 'phones', 'timezone'] as const;
const EMPLOYER_KEYS = ['id', 'name', 'phones', 'timezone', 'forbidsCalls'] as const;
const RELATIONS_IN_FILE = ['spouse', 'parent', 'sibling', 'child', 'relative', 'friend', 'colleague', 'other'] as const;

/** `references: [{ id, name, relation, phones }]` and `employer: { name, phones, forbidsCalls }`, as parties. */
function readShorthandParties(src: SourceReader, refs: unknown, employer: unknown, path: FieldPath): TimelineParty[] | undefined {
  const before = src.issues.length;
  const out: TimelineParty[] = [];
  const phonesOf = (v: unknown, p: FieldPath): string[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      src.report(p, 'must be a list of E.164 numbers');
      return [];
    }
    return v.filter((x: unknown, j): x is string => {
      if (typeof x === 'string' && isE164(x)) return true;
      src.report([...p, j], `must be an E.164 number such as +12125550100, got ${JSON.stringify(x)}`);
      return false;
    });
  };
  const zoneOf = (v: unknown, p: FieldPath): string | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !isValidTimeZone(v)) {
      src.report(p, `must be an IANA time zone, got ${JSON.stringify(v)}`);
      return null;
    }
    return v;
  };
  if (refs !== undefined && refs !== null) {
    if (!Array.isArray(refs)) src.report([...path, 'references'], 'must be a list of { id, name, relation, phones }');
    else {
      refs.forEach((r: unknown, i) => {
        const p: FieldPath = [...path, 'references', i];
        if (!isRecord(r)) {
          src.report(p, 'must be a mapping { id, name, relation, phones }');
          return;
        }
        src.rejectUnknownKeys(r, REFERENCE_KEYS, p);
        if (typeof r.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(r.id) || (PARTY_KINDS as readonly string[]).includes(r.id)) {
          src.report([...p, 'id'], `is required: letters, digits, _ . - (not a party kind), got ${JSON.stringify(r.id)}`);
          return;
        }
        if (typeof r.name !== 'string' || r.name.trim() === '') src.report([...p, 'name'], 'is required (a non-empty string)');
        let relation: string | null = null;
        if (r.relation !== undefined) {
          if (typeof r.relation !== 'string' || !(RELATIONS_IN_FILE as readonly string[]).includes(r.relation)) {
            src.report([...p, 'relation'], `must be one of ${RELATIONS_IN_FILE.join(', ')}, got ${JSON.stringify(r.relation)}`);
          } else relation = r.relation;
        }
        out.push({
          id: r.id, kind: 'reference', timezone: zoneOf(r.timezone, [...p, 'timezone']), phones: phonesOf(r.phones, [...p, 'phones']), emails: [],
          vulnerable: false, attorney: false, relation,
        });
      });
    }
  }
  if (employer !== undefined && employer !== null) {
    const p: FieldPath = [...path, 'employer'];
    if (!isRecord(employer)) src.report(p, 'must be a mapping { name, phones, forbidsCalls }');
    else {
      src.rejectUnknownKeys(employer, EMPLOYER_KEYS, p);
      if (typeof employer.name !== 'string' || employer.name.trim() === '') src.report([...p, 'name'], 'is required (a non-empty string)');
      if (employer.forbidsCalls !== undefined && typeof employer.forbidsCalls !== 'boolean') src.report([...p, 'forbidsCalls'], 'must be true or false');
      const id = typeof employer.id === 'string' && employer.id.trim() !== '' ? employer.id : 'employer';
      out.push({
        id, kind: 'employer', timezone: zoneOf(employer.timezone, [...p, 'timezone']), phones: phonesOf(employer.phones, [...p, 'phones']), emails: [],
        vulnerable: false, attorney: false, forbidsCalls: employer.forbidsCalls === true,
      });
    }
  }
  return src.issues.length > before ? undefined : out;
}

function readParties(src: SourceReader, raw: unknown, path: FieldPath, borrower: Borrower | undefined): TimelineParty[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    src.report(path, `must be a list of { ${PARTY_KEYS.join(', ')} }`);
    return undefined;
  }
  const before = src.issues.length;
  const seen = new Map<string, number>();
  const out: TimelineParty[] = [];
  raw.forEach((p: unknown, i) => {
    const pp: FieldPath = [...path, i];
    const at = (k: string): FieldPath => [...pp, k];
    if (!isRecord(p)) {
      src.report(pp, `must be a mapping { ${PARTY_KEYS.join(', ')} }`);
      return;
    }
    src.rejectUnknownKeys(p, PARTY_KEYS, pp);
    if (typeof p.id !== 'string' || p.id.trim() === '') {
      src.report(at('id'), `is required (a non-empty string), got ${JSON.stringify(p.id)}`);
      return;
    }
    const first = seen.get(p.id);
    if (first !== undefined) src.report(at('id'), `duplicates parties[${first}].id "${p.id}"`);
    seen.set(p.id, i);
    const isBorrower = borrower !== undefined && p.id === borrower.id;
    let kind: PartyKind = 'borrower';
    if (typeof p.kind !== 'string' || !(PARTY_KINDS as readonly string[]).includes(p.kind)) {
      src.report(at('kind'), `is required: one of ${PARTY_KINDS.join(', ')}, got ${JSON.stringify(p.kind)}`);
    } else kind = p.kind as PartyKind;
    if (isBorrower && kind !== 'borrower') src.report(at('kind'), `must be borrower for the borrower's own id "${p.id}", got ${kind}`);
    if (!isBorrower && kind === 'borrower') src.report(at('kind'), `borrower is the account's borrower (id "${borrower?.id ?? '?'}"); use co_borrower for another person`);
    let timezone: string | null = null;
    if (p.timezone !== undefined && p.timezone !== null) {
      if (typeof p.timezone !== 'string' || !isValidTimeZone(p.timezone)) src.report(at('timezone'), `must be an IANA time zone such as Europe/London, got ${JSON.stringify(p.timezone)}`);
      else timezone = p.timezone;
    }
    const list = (k: 'phones' | 'emails', ok: (s: string) => boolean, rule: string): string[] => {
      const v = p[k];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) {
        src.report(at(k), 'must be a list');
        return [];
      }
      return v.filter((x: unknown, j): x is string => {
        if (typeof x === 'string' && ok(x)) return true;
        src.report([...at(k), j], `${rule}, got ${JSON.stringify(x)}`);
        return false;
      });
    };
    const phones = list('phones', isE164, 'must be an E.164 number such as +12125550100');
    const emails = list('emails', isEmail, 'must be an e-mail address');
    if (isBorrower && (phones.length > 0 || emails.length > 0 || timezone !== null)) {
      src.report(pp, 'the borrower\'s numbers, e-mails and time zone belong in borrower; this entry may only add flags');
    }
    const flag = (k: 'vulnerable' | 'attorney'): boolean => {
      const v = p[k];
      if (v === undefined || v === null) return false;
      if (typeof v !== 'boolean') {
        src.report(at(k), `must be true or false, got ${JSON.stringify(v)}`);
        return false;
      }
      return v;
    };
    out.push({ id: p.id, kind, timezone, phones, emails, vulnerable: flag('vulnerable'), attorney: flag('attorney') });
  });
  return src.issues.length > before ? undefined : out;
}

function readEvents(
  src: SourceReader,
  raw: unknown,
  accountIds: ReadonlyMap<string, DeclaredAccount>,
  start: BusinessDate | null,
  until: BusinessDate | null,
): TimelineEvent[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    src.report(['events'], 'must be a list of events');
    return [];
  }
  const kindNames = EVENT_KINDS.map((k) => k.kind);
  const out: TimelineEvent[] = [];
  let capReported = false;
  raw.forEach((e: unknown, i) => {
    const path = ['events', i] as const;
    const at = (k: string): FieldPath => [...path, k];
    if (!isRecord(e)) {
      src.report(path, `must be a mapping { date, account, <${kindNames.join(' | ')}>: … }`);
      return;
    }
    const present = Object.keys(e).filter((k) => eventKind(k) !== undefined);
    const kind = present.length === 1 ? eventKind(present[0] as string) : undefined;
    if (!kind) {
      src.report(path, `must have exactly one of ${kindNames.join(', ')}; found ${present.length === 0 ? 'none' : present.join(', ')}`);
    }
    const allowed: readonly string[] = kind
      ? [...COMMON_EVENT_KEYS, kind.kind, ...kind.keys]
      : [...COMMON_EVENT_KEYS, ...kindNames, ...new Set(EVENT_KINDS.flatMap((k) => k.keys))];
    src.rejectUnknownKeys(e, allowed, path);

    let date = requiredDate(src, e.date, at('date')) ?? null;
    if (date !== null && start !== null && until !== null && (date < start || date > until)) {
      src.report(at('date'), `must be within the timeline (${start} to ${until}), got ${date}`);
      date = null;
    }

    let accountId: string | null = null;
    if (typeof e.account !== 'string' || e.account === '') {
      src.report(at('account'), `is required (an account id from accounts), got ${JSON.stringify(e.account)}`);
    } else {
      const acc = accountIds.get(e.account);
      if (!acc) {
        src.report(at('account'), `refers to unknown account "${e.account}" (known: ${[...accountIds.keys()].join(', ') || 'none'})`);
      } else {
        accountId = e.account;
        if (date !== null && acc.disbursed !== null && date < acc.disbursed) {
          src.report(at('date'), `is before account ${accountId} was disbursed (${acc.disbursed}), got ${date}`);
          date = null;
        }
      }
    }

    if (!kind) return;
    const ctx: EventParseContext = {
      index: i,
      line: src.line(path),
      date,
      accountId,
      referenceIds: accountId === null ? new Set<string>() : accountIds.get(accountId)?.references ?? new Set<string>(),
      timelineUntil: until,
      remaining: Math.max(0, MAX_TIMELINE_EVENTS - out.length),
      raw: e,
      path,
      report: (p, rule) => src.report(p, rule),
      check: (p, fn) => src.check(p, fn),
      rejectUnknownKeys: (obj, allowedKeys, p) => src.rejectUnknownKeys(obj, allowedKeys, p),
    };
    const ev = kind.parse(ctx);
    if (ev === undefined) return;
    const list: readonly TimelineEvent[] = isEventList(ev) ? ev : [ev];
    if (out.length + list.length > MAX_TIMELINE_EVENTS) {
      if (!capReported) src.report(path, `is past the limit of ${MAX_TIMELINE_EVENTS} events a file may have (after expanding attempts)`);
      capReported = true;
      return;
    }
    for (const x of list) out.push(x);
  });
  return out;
}

function isEventList(v: TimelineEvent | readonly TimelineEvent[]): v is readonly TimelineEvent[] {
  return Array.isArray(v);
}
