/**
 * Rule packs: YAML text in, a validated `RulePack` (plain data) out, with every problem reported
 * as file:line:column — unknown keys, unknown rule kinds, bad params, unknown `{placeholders}`
 * in reasons, duplicate rule ids. Reading files is the caller's business (the CLI, tests).
 */
import { LineCounter, parseDocument } from 'yaml';
import { isRecord, type FieldPath } from '../core/index.js';
import { Params, PackSource, RulePackError, type PackIssue } from './params.js';
import { RULE_KIND_NAMES, RULE_KINDS } from './rules.js';
import { calendarNames } from './calendar.js';
import type { Rule, RuleKind, RulePack, RuleSpec } from './types.js';

export const PACK_KEYS = ['pack', 'title', 'description', 'calendar', 'complaints', 'rules'] as const;
export const RULE_KEYS = ['id', 'kind', 'source', 'reason', 'params'] as const;
/** The packs shipped in rule-packs/. */
export const SHIPPED_PACKS = ['us-regf', 'us-ma', 'cn', 'uk-conc'] as const;

const ID_RE = /^[a-z0-9][a-z0-9-]*$/;

/** The optional top-level `complaints:` key: days to respond to a complaint, and the rule that says so. */
export interface ComplaintsPolicy {
  responseDays: number;
  source: string;
}

/** A pack as read from YAML: the rules plus the optional complaints policy. */
export type LoadedPack = RulePack & {
  complaints?: ComplaintsPolicy;
  /** the optional top-level `calendar:` key: whose holidays `excluded-days` and business-day counts use (calendar.ts names) */
  calendar?: string;
};

export interface ParsedPack {
  /** null when the YAML is broken or not a mapping; otherwise the rules that could be read */
  pack: LoadedPack | null;
  issues: PackIssue[];
}

/** Parses and validates a rule pack. Never throws for bad input. */
export function parseRulePack(text: string, file: string): ParsedPack {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core', prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e): PackIssue => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return { file, line, column: col, field: 'YAML', rule: e.message.split('\n')[0] ?? e.message };
    });
    return { pack: null, issues };
  }
  const src = new PackSource(file, doc, lineCounter);
  const root: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isRecord(root)) {
    src.report([], 'must be a mapping with pack, title and rules');
    return { pack: null, issues: src.issues };
  }
  src.rejectUnknownKeys(root, PACK_KEYS, []);
  let id = '';
  if (typeof root.pack !== 'string' || !ID_RE.test(root.pack)) {
    src.report(['pack'], `is required: the pack id, lower-case letters, digits and -, got ${JSON.stringify(root.pack)}`);
  } else id = root.pack;
  let title = '';
  if (typeof root.title !== 'string' || root.title.trim() === '') src.report(['title'], 'is required (a non-empty string)');
  else title = root.title;
  let description: string | null = null;
  if (root.description !== undefined && root.description !== null) {
    if (typeof root.description !== 'string') src.report(['description'], 'must be a string');
    else description = root.description;
  }
  const complaints = readComplaints(src, root.complaints);
  let calendar: string | null = null;
  if (root.calendar !== undefined && root.calendar !== null) {
    if (typeof root.calendar !== 'string' || !calendarNames().includes(root.calendar)) {
      src.report(['calendar'], `must be one of the registered calendars ${calendarNames().join(', ')}; got ${JSON.stringify(root.calendar)}`);
    } else calendar = root.calendar;
  }
  const rules: Rule[] = [];
  if (!Array.isArray(root.rules) || root.rules.length === 0) {
    src.report(['rules'], 'is required: a non-empty list of rules { id, kind, source, reason, params }');
  } else {
    const seen = new Map<string, number>();
    root.rules.forEach((r: unknown, i) => {
      const rule = readRule(src, r, ['rules', i], id, seen, i);
      if (rule) rules.push(rule);
    });
  }
  return { pack: { id, title, description, file, rules, ...(complaints ? { complaints } : {}), ...(calendar ? { calendar } : {}) }, issues: src.issues };
}

function readComplaints(src: PackSource, raw: unknown): ComplaintsPolicy | null {
  if (raw === undefined || raw === null) return null;
  if (!isRecord(raw)) {
    src.report(['complaints'], 'must be a mapping { responseDays, source }');
    return null;
  }
  src.rejectUnknownKeys(raw, ['responseDays', 'source'], ['complaints']);
  const days = raw.responseDays;
  const ok = typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= 366;
  if (!ok) src.report(['complaints', ...(days === undefined ? [] : ['responseDays'])], `responseDays is required: a whole number of days from 1 to 366, got ${JSON.stringify(days)}`);
  const source = raw.source;
  if (typeof source !== 'string' || source.trim() === '') src.report(['complaints', ...(source === undefined ? [] : ['source'])], 'source is required: the rule that sets the response time');
  return ok && typeof source === 'string' && source.trim() !== '' ? { responseDays: days, source } : null;
}

/** Parses a rule pack or throws RulePackError listing every problem. */
export function loadRulePack(text: string, file: string): LoadedPack {
  const r = parseRulePack(text, file);
  if (!r.pack || r.issues.length > 0) throw new RulePackError(r.issues);
  return r.pack;
}

function readRule(src: PackSource, r: unknown, path: FieldPath, packId: string, seen: Map<string, number>, index: number): Rule | null {
  const at = (k: string): FieldPath => [...path, k];
  if (!isRecord(r)) {
    src.report(path, 'must be a mapping { id, kind, source, reason, params }');
    return null;
  }
  const before = src.issues.length;
  src.rejectUnknownKeys(r, RULE_KEYS, path);
  let id = '';
  if (typeof r.id !== 'string' || !ID_RE.test(r.id)) {
    src.report(at('id'), `is required: lower-case letters, digits and -, got ${JSON.stringify(r.id)}`);
  } else {
    const first = seen.get(r.id);
    if (first !== undefined) src.report(at('id'), `duplicates rules[${first}].id "${r.id}"`);
    else seen.set(r.id, index);
    id = r.id;
  }
  let kind: RuleKind | null = null;
  if (typeof r.kind !== 'string' || !(RULE_KIND_NAMES as readonly string[]).includes(r.kind)) {
    src.report(at('kind'), `is required: one of ${RULE_KIND_NAMES.join(', ')}; got ${JSON.stringify(r.kind)}`);
  } else kind = r.kind as RuleKind;
  let source = '';
  if (typeof r.source !== 'string' || r.source.trim() === '') src.report(at('source'), 'is required: the regulation and section (e.g. "12 CFR 1006.14(b)(2)(i)(A)")');
  else source = r.source;
  let reason = '';
  if (typeof r.reason !== 'string' || r.reason.trim() === '') src.report(at('reason'), 'is required: a sentence a collector understands');
  else reason = r.reason;
  let params: Rule['params'] | null = null;
  if (kind !== null) {
    const def = RULE_KINDS[kind];
    if (reason !== '') {
      for (const m of reason.matchAll(/\{(\w+)\}/g)) {
        const name = m[1] as string;
        if (name !== 'why' && !def.vars.includes(name)) {
          src.report(at('reason'), `unknown placeholder {${name}} for ${kind} (known: ${['why', ...def.vars].map((v) => `{${v}}`).join(', ')})`);
        }
      }
    }
    const raw = r.params ?? {};
    if (!isRecord(raw)) src.report(at('params'), 'must be a mapping');
    else {
      const p = new Params(src, raw, at('params'));
      params = def.parse(p);
      p.done();
    }
  }
  if (src.issues.length > before || kind === null || params === null) return null;
  return { id: `${packId}/${id}`, kind, params, source, reason } as RuleSpec & { id: string; source: string; reason: string };
}
