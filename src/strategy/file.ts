/**
 * The strategy file: YAML text in, a validated `StrategyFile` (plain data) out, with every
 * structural problem reported as file:line:column. Expressions are kept as source text here;
 * evaluate.ts compiles them and check.ts reports their syntax and type errors.
 */
import { LineCounter, parseDocument } from 'yaml';
import { ValidationError } from '../core/index.js';
import { parseBuckets } from '../ledger/index.js';
import type { BucketDef } from '../ledger/index.js';
import type { Channel, PartyKind } from '../contact/index.js';
import { CHANNELS, PARTY_KINDS } from '../contact/index.js';
import { formatStrategyIssue, isRecord, pathToString, SourceMap } from './source.js';
import type { FieldPath, StrategyIssue } from './source.js';
import type { ParamValue } from './cel.js';

export const TASK_TYPES = ['call', 'sms', 'email', 'letter', 'visit', 'place_agency', 'legal_review', 'charge_off', 'offer'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** The channel a task type uses when the action names none (null: not a contact). */
export const TASK_CHANNEL: Readonly<Record<TaskType, Channel | null>> = {
  call: 'call',
  sms: 'sms',
  email: 'email',
  letter: 'letter',
  visit: 'visit',
  place_agency: null,
  legal_review: null,
  charge_off: null,
  offer: null,
};

/** Task types addressed to a party (the others are internal work: placement, review, write-off). */
export const CONTACT_TASKS: ReadonlySet<TaskType> = new Set(['call', 'sms', 'email', 'letter', 'visit', 'offer']);

export const VISIT_ADDRESSES = ['residential', 'id_card'] as const;
export type VisitAddress = (typeof VISIT_ADDRESSES)[number];

/** When an action produces tasks. See docs/strategy.md "Cadence". */
export type Cadence =
  | { kind: 'daily' }
  | { kind: 'everyDays'; days: number }
  | { kind: 'daysBeforeDue'; days: number }
  | { kind: 'once' };

export interface TimeWindow {
  /** `HH:MM`, local time at the party */
  from: string;
  to: string;
}

export interface ActionDef {
  /** position in its stage's `actions` list in the file */
  index: number;
  task: TaskType;
  party: PartyKind | null;
  channel: Channel | null;
  template: string | null;
  /** 1 (most urgent) … 9; default 5 */
  priority: number;
  window: TimeWindow | null;
  address: VisitAddress | null;
  cadence: Cadence;
  /** tasks per matching day: a whole number, or a CEL int expression */
  perDay: number | string;
  /** an optional CEL bool guard: the action applies only when it holds */
  when: string | null;
}

export interface StageDef {
  /** position in the file's `stages` list */
  index: number;
  name: string;
  description: string | null;
  when: string;
  actions: ActionDef[];
  /** a stage that deliberately plans nothing (e.g. paused) */
  quiet: boolean;
}

export interface StageOverride {
  when?: string;
  actions?: ActionDef[];
  description?: string | null;
  quiet?: boolean;
}

export interface ArmDef {
  name: string;
  /** percent of accounts, whole number; the arms of an experiment sum to 100 */
  share: number;
  overrides: { stages: Record<string, StageOverride>; params: Record<string, ParamValue> };
}

export interface VariantsDef {
  experiment: string;
  arms: ArmDef[];
}

export interface StrategyFile {
  file: string;
  name: string;
  version: number;
  description: string | null;
  params: Record<string, ParamValue>;
  buckets: BucketDef[] | null;
  stages: StageDef[];
  variants: VariantsDef | null;
}

export const STRATEGY_KEYS = ['name', 'version', 'description', 'params', 'buckets', 'stages', 'variants'] as const;
export const STAGE_KEYS = ['name', 'description', 'when', 'actions', 'quiet'] as const;
export const ACTION_KEYS = ['task', 'party', 'channel', 'template', 'priority', 'window', 'address', 'perDay', 'everyDays', 'daysBeforeDue', 'once', 'when'] as const;
export const VARIANT_KEYS = ['experiment', 'arms'] as const;
export const ARM_KEYS = ['name', 'share', 'overrides'] as const;
export const OVERRIDE_KEYS = ['stages', 'params'] as const;
export const STAGE_OVERRIDE_KEYS = ['when', 'actions', 'description', 'quiet'] as const;

/** The stage name an account has before any evaluation, and when no stage matches. */
export const NO_STAGE = 'none';
const NAME_RE = /^[a-z][a-z0-9_]*$/;
const WINDOW_RE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;

/** One or more problems in a strategy file; the message has one `file:line:col: field: rule` per line. */
export class StrategyError extends ValidationError {
  readonly issues: readonly StrategyIssue[];
  constructor(issues: readonly StrategyIssue[]) {
    const first: StrategyIssue = issues[0] ?? { file: '?', line: 0, column: 0, field: 'strategy', rule: 'is invalid', severity: 'error' };
    super(first.field, first.rule, `${first.file}:${first.line}:${first.column}`);
    this.name = 'StrategyError';
    this.issues = issues.length > 0 ? issues.slice() : [first];
    this.message = this.issues.map(formatStrategyIssue).join('\n');
  }
}

export interface ParsedStrategy {
  /**
   * What could be read: entries with problems are left out (so `issues` must be empty before
   * this is used for real). null when the YAML is broken or not a mapping.
   */
  strategy: StrategyFile | null;
  issues: StrategyIssue[];
  /** positions, for later checks (expressions) */
  source: SourceMap;
}

/** Parses the YAML and validates the structure. Never throws for bad input. */
export function parseStrategyFile(text: string, file: string): ParsedStrategy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core', prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const src = new SourceMap(file, text, null, lineCounter);
    for (const e of doc.errors) {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      src.issues.push({ file, line, column: col, field: 'YAML', rule: e.message.split('\n')[0] ?? e.message, severity: 'error' });
    }
    return { strategy: null, issues: src.issues, source: src };
  }
  const src = new SourceMap(file, text, doc, lineCounter);
  const root: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isRecord(root)) {
    src.report([], 'must be a mapping with name, version and stages');
    return { strategy: null, issues: src.issues, source: src };
  }
  src.rejectUnknownKeys(root, STRATEGY_KEYS, []);

  let name = '';
  if (typeof root.name !== 'string' || root.name.trim() === '') src.report(['name'], `is required (a non-empty string), got ${JSON.stringify(root.name)}`);
  else name = root.name;

  let version = 0;
  if (typeof root.version !== 'number' || !Number.isInteger(root.version) || root.version < 1) {
    src.report(['version'], `is required (a whole number ≥ 1), got ${JSON.stringify(root.version)}`);
  } else version = root.version;

  let description: string | null = null;
  if (root.description !== undefined && root.description !== null) {
    if (typeof root.description !== 'string') src.report(['description'], 'must be a string');
    else description = root.description;
  }

  const params = readParams(src, root.params, ['params']);

  let buckets: BucketDef[] | null = null;
  if (root.buckets !== undefined && root.buckets !== null) {
    try {
      buckets = parseBuckets(root.buckets, 'buckets');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const m = /^buckets\[(\d+)\](?:\.(\w+))?$/.exec(err.field);
      const path: FieldPath = m ? ['buckets', Number(m[1]), ...(m[2] ? [m[2]] : [])] : ['buckets'];
      src.report(path, err.rule);
    }
  }

  const stages = readStages(src, root.stages);
  const variants = readVariants(src, root.variants, stages);

  return { strategy: { file, name, version, description, params, buckets, stages, variants }, issues: src.issues, source: src };
}

/** Parses a strategy file or throws StrategyError with every structural problem. */
export function readStrategyFile(text: string, file: string): StrategyFile {
  const r = parseStrategyFile(text, file);
  const errors = r.issues.filter((i) => i.severity === 'error');
  if (!r.strategy || errors.length > 0) throw new StrategyError(errors);
  return r.strategy;
}

function readParams(src: SourceMap, raw: unknown, path: FieldPath): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  if (raw === undefined || raw === null) return out;
  if (!isRecord(raw)) {
    src.report(path, 'must be a mapping of name to a number, string or boolean');
    return out;
  }
  for (const [k, v] of Object.entries(raw)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) src.report([...path, k], 'parameter names must be identifiers (letters, digits, _)', { at: 'key' });
    else if (typeof v === 'number' && !Number.isFinite(v)) src.report([...path, k], 'must be a finite number');
    else if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) src.report([...path, k], 'is too large');
    else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else src.report([...path, k], `must be a number, string or boolean, got ${JSON.stringify(v)}`);
  }
  return out;
}

function readStages(src: SourceMap, raw: unknown): StageDef[] {
  const out: StageDef[] = [];
  if (!Array.isArray(raw) || raw.length === 0) {
    src.report(['stages'], 'is required: a non-empty list of stages, worst first');
    return out;
  }
  const seen = new Map<string, number>();
  raw.forEach((s: unknown, i) => {
    const path: FieldPath = ['stages', i];
    if (!isRecord(s)) {
      src.report(path, 'must be a mapping { name, when, actions }');
      return;
    }
    src.rejectUnknownKeys(s, STAGE_KEYS, path);
    let ok = true;
    let name = '';
    if (typeof s.name !== 'string' || !NAME_RE.test(s.name)) {
      src.report([...path, 'name'], `is required: lower-case letters, digits and _ starting with a letter, got ${JSON.stringify(s.name)}`);
      ok = false;
    } else if (s.name === NO_STAGE) {
      src.report([...path, 'name'], `"${NO_STAGE}" is reserved (the stage of an account no stage matches)`);
      ok = false;
    } else {
      name = s.name;
      const first = seen.get(name);
      if (first !== undefined) {
        src.report([...path, 'name'], `duplicates stages[${first}].name "${name}"`);
        ok = false;
      } else seen.set(name, i);
    }
    const when = readExpr(src, s.when, [...path, 'when'], true);
    if (when === null) ok = false;
    let description: string | null = null;
    if (s.description !== undefined && s.description !== null) {
      if (typeof s.description !== 'string') src.report([...path, 'description'], 'must be a string');
      else description = s.description;
    }
    let quiet = false;
    if (s.quiet !== undefined) {
      if (typeof s.quiet !== 'boolean') src.report([...path, 'quiet'], 'must be true or false');
      else quiet = s.quiet;
    }
    const actions = readActions(src, s.actions, [...path, 'actions']);
    if (actions === null) ok = false;
    if (ok && actions) out.push({ index: i, name, description, when: when as string, actions, quiet });
  });
  return out;
}

function readExpr(src: SourceMap, raw: unknown, path: FieldPath, required: boolean): string | null {
  if (raw === undefined || raw === null) {
    if (required) src.report(path, 'is required: a CEL condition such as `dpd >= 30`');
    return null;
  }
  if (typeof raw === 'boolean') return String(raw);
  if (typeof raw !== 'string' || raw.trim() === '') {
    src.report(path, `must be a CEL expression (a string), got ${JSON.stringify(raw)}`);
    return null;
  }
  return raw;
}

/** Returns null when the list or any entry is malformed (every problem is reported). */
function readActions(src: SourceMap, raw: unknown, path: FieldPath): ActionDef[] | null {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    src.report(path, 'must be a list of actions');
    return null;
  }
  const out: ActionDef[] = [];
  let bad = false;
  raw.forEach((a: unknown, i) => {
    const action = readAction(src, a, [...path, i]);
    if (action) out.push(action);
    else bad = true;
  });
  return bad ? null : out;
}

function readAction(src: SourceMap, a: unknown, path: FieldPath): ActionDef | null {
  const at = (k: string): FieldPath => [...path, k];
  if (!isRecord(a)) {
    src.report(path, 'must be a mapping { task, party, … }');
    return null;
  }
  src.rejectUnknownKeys(a, ACTION_KEYS, path);
  const before = src.issues.length;
  let task: TaskType = 'call';
  if (typeof a.task !== 'string' || !(TASK_TYPES as readonly string[]).includes(a.task)) {
    src.report(at('task'), `is required: one of ${TASK_TYPES.join(', ')}; got ${JSON.stringify(a.task)}`);
  } else task = a.task as TaskType;
  const contact = CONTACT_TASKS.has(task);

  let party: PartyKind | null = contact ? 'borrower' : null;
  if (a.party !== undefined) {
    if (!contact) src.report(at('party'), `does not apply to ${task} tasks`);
    else if (typeof a.party !== 'string' || !(PARTY_KINDS as readonly string[]).includes(a.party)) {
      src.report(at('party'), `must be one of ${PARTY_KINDS.join(', ')}; got ${JSON.stringify(a.party)}`);
    } else party = a.party as PartyKind;
  }

  let channel: Channel | null = TASK_CHANNEL[task];
  if (a.channel !== undefined) {
    if (typeof a.channel !== 'string' || !(CHANNELS as readonly string[]).includes(a.channel)) {
      src.report(at('channel'), `must be one of ${CHANNELS.join(', ')}; got ${JSON.stringify(a.channel)}`);
    } else if (task !== 'offer' && a.channel !== TASK_CHANNEL[task]) {
      src.report(at('channel'), `a ${task} task ${TASK_CHANNEL[task] ? `uses channel ${TASK_CHANNEL[task]}` : 'has no channel'}; only offer tasks choose one`);
    } else channel = a.channel as Channel;
  }

  let template: string | null = null;
  if (a.template !== undefined) {
    if (typeof a.template !== 'string' || a.template === '') src.report(at('template'), 'must be a non-empty string');
    else template = a.template;
  }

  let priority = 5;
  if (a.priority !== undefined) {
    if (typeof a.priority !== 'number' || !Number.isInteger(a.priority) || a.priority < 1 || a.priority > 9) {
      src.report(at('priority'), `must be a whole number from 1 (most urgent) to 9, got ${JSON.stringify(a.priority)}`);
    } else priority = a.priority;
  }

  let window: TimeWindow | null = null;
  if (a.window !== undefined) {
    const m = typeof a.window === 'string' ? WINDOW_RE.exec(a.window) : null;
    if (!m || (m[3] === '24' && m[4] !== '00')) {
      src.report(at('window'), `must be a local time range "HH:MM-HH:MM" such as "09:00-20:00", got ${JSON.stringify(a.window)}`);
    } else {
      const from = `${m[1]}:${m[2]}`;
      const to = `${m[3]}:${m[4]}`;
      if (from >= to) src.report(at('window'), `must end after it starts, got ${JSON.stringify(a.window)}`);
      else window = { from, to };
    }
  }

  let address: VisitAddress | null = null;
  if (a.address !== undefined) {
    if (task !== 'visit') src.report(at('address'), 'applies to visit tasks only');
    else if (typeof a.address !== 'string' || !(VISIT_ADDRESSES as readonly string[]).includes(a.address)) {
      src.report(at('address'), `must be one of ${VISIT_ADDRESSES.join(', ')}; got ${JSON.stringify(a.address)}`);
    } else address = a.address as VisitAddress;
  } else if (task === 'visit') address = 'residential';

  const cadenceKeys = (['everyDays', 'daysBeforeDue', 'once'] as const).filter((k) => a[k] !== undefined);
  let cadence: Cadence = { kind: 'daily' };
  if (cadenceKeys.length > 1) {
    src.report(at(cadenceKeys[1] as string), `cannot be combined with ${cadenceKeys[0]}: an action has one cadence`, { at: 'key' });
  } else if (a.everyDays !== undefined) {
    if (!isWhole(a.everyDays, 1)) src.report(at('everyDays'), `must be a whole number ≥ 1, got ${JSON.stringify(a.everyDays)}`);
    else cadence = { kind: 'everyDays', days: a.everyDays };
  } else if (a.daysBeforeDue !== undefined) {
    if (!isWhole(a.daysBeforeDue, 0)) src.report(at('daysBeforeDue'), `must be a whole number ≥ 0, got ${JSON.stringify(a.daysBeforeDue)}`);
    else cadence = { kind: 'daysBeforeDue', days: a.daysBeforeDue };
  } else if (a.once !== undefined) {
    if (a.once !== true) src.report(at('once'), 'must be true (omit it otherwise)');
    else cadence = { kind: 'once' };
  }

  let perDay: number | string = 1;
  if (a.perDay !== undefined) {
    if (cadence.kind === 'once') src.report(at('perDay'), 'cannot be combined with once', { at: 'key' });
    else if (typeof a.perDay === 'number') {
      if (!isWhole(a.perDay, 0) || a.perDay > 24) src.report(at('perDay'), `must be a whole number from 0 to 24, or a CEL int expression; got ${a.perDay}`);
      else perDay = a.perDay;
    } else if (typeof a.perDay === 'string' && a.perDay.trim() !== '') perDay = a.perDay;
    else src.report(at('perDay'), `must be a whole number or a CEL int expression, got ${JSON.stringify(a.perDay)}`);
  }

  const when = readExpr(src, a.when, at('when'), false);
  if (src.issues.length > before) return null;
  return { index: Number(path[path.length - 1]), task, party, channel, template, priority, window, address, cadence, perDay, when };
}

function isWhole(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

function readVariants(src: SourceMap, raw: unknown, stages: readonly StageDef[]): VariantsDef | null {
  if (raw === undefined || raw === null) return null;
  const path: FieldPath = ['variants'];
  if (!isRecord(raw)) {
    src.report(path, 'must be a mapping { experiment, arms }');
    return null;
  }
  src.rejectUnknownKeys(raw, VARIANT_KEYS, path);
  let experiment = '';
  if (typeof raw.experiment !== 'string' || raw.experiment.trim() === '') {
    src.report([...path, 'experiment'], `is required (the experiment id that seeds the hash), got ${JSON.stringify(raw.experiment)}`);
  } else experiment = raw.experiment;
  if (!Array.isArray(raw.arms) || raw.arms.length === 0) {
    src.report([...path, 'arms'], 'is required: a non-empty list of { name, share, overrides }');
    return null;
  }
  const stageNames = new Set(stages.map((s) => s.name));
  const arms: ArmDef[] = [];
  const seen = new Set<string>();
  let total = 0;
  raw.arms.forEach((arm: unknown, i) => {
    const ap: FieldPath = [...path, 'arms', i];
    if (!isRecord(arm)) {
      src.report(ap, 'must be a mapping { name, share, overrides }');
      return;
    }
    src.rejectUnknownKeys(arm, ARM_KEYS, ap);
    let name = '';
    if (typeof arm.name !== 'string' || arm.name.trim() === '') src.report([...ap, 'name'], 'is required (a non-empty string)');
    else if (seen.has(arm.name)) src.report([...ap, 'name'], `duplicates arm "${arm.name}"`);
    else {
      name = arm.name;
      seen.add(name);
    }
    let share = 0;
    if (!isWhole(arm.share, 0) || arm.share > 100) src.report([...ap, 'share'], `is required: a whole percentage 0..100, got ${JSON.stringify(arm.share)}`);
    else share = arm.share;
    total += share;
    const overrides: ArmDef['overrides'] = { stages: {}, params: {} };
    const ov = arm.overrides;
    if (ov !== undefined && ov !== null) {
      const op: FieldPath = [...ap, 'overrides'];
      if (!isRecord(ov)) src.report(op, 'must be a mapping { stages, params }');
      else {
        src.rejectUnknownKeys(ov, OVERRIDE_KEYS, op);
        overrides.params = readParams(src, ov.params, [...op, 'params']);
        if (ov.stages !== undefined && ov.stages !== null) {
          if (!isRecord(ov.stages)) src.report([...op, 'stages'], 'must be a mapping of stage name to { when, actions, description, quiet }');
          else {
            for (const [sn, so] of Object.entries(ov.stages)) {
              const sp: FieldPath = [...op, 'stages', sn];
              if (!stageNames.has(sn)) {
                src.report(sp, `refers to unknown stage "${sn}" (known: ${[...stageNames].join(', ')})`, { at: 'key' });
                continue;
              }
              if (!isRecord(so)) {
                src.report(sp, 'must be a mapping { when, actions, description, quiet }');
                continue;
              }
              src.rejectUnknownKeys(so, STAGE_OVERRIDE_KEYS, sp);
              const o: StageOverride = {};
              if (so.when !== undefined) {
                const w = readExpr(src, so.when, [...sp, 'when'], true);
                if (w !== null) o.when = w;
              }
              if (so.actions !== undefined) {
                const acts = readActions(src, so.actions, [...sp, 'actions']);
                if (acts) o.actions = acts;
              }
              if (so.description !== undefined) o.description = typeof so.description === 'string' ? so.description : null;
              if (so.quiet !== undefined) {
                if (typeof so.quiet !== 'boolean') src.report([...sp, 'quiet'], 'must be true or false');
                else o.quiet = so.quiet;
              }
              overrides.stages[sn] = o;
            }
          }
        }
      }
    }
    arms.push({ name, share, overrides });
  });
  if (total !== 100) src.report([...path, 'arms'], `shares must sum to 100, got ${total}`);
  return { experiment, arms };
}

export { pathToString };
