/**
 * Diffing two strategy versions over the same account-days: which accounts would be in another
 * stage, and how task volumes would change per business date and channel. Pure: the account-days
 * (each evaluated with the old and the new version) in, a summary out. Where the account-days come
 * from (a timeline replayed twice, or a database's last closed date) is src/cli/strategy-diff.ts.
 */
import type { BusinessDate } from '../core/index.js';

/** A planned task as far as volumes are concerned. */
export interface DiffTask {
  type: string;
  channel: string | null;
}

/** One version's decision for an account-day. */
export interface DiffSide {
  stage: string;
  tasks: readonly DiffTask[];
}

/** One account-day, evaluated with both versions. */
export interface DiffRow {
  accountId: string;
  date: BusinessDate;
  old: DiffSide;
  new: DiffSide;
}

/** Account-days that were in `from` under the old version and would be in `to` under the new one. */
export interface StageChangeCell {
  from: string;
  to: string;
  accountDays: number;
  /** distinct accounts with at least one such day */
  accounts: number;
  /** up to `examples` account ids (first seen first) */
  examples: string[];
}

/** Tasks of one kind planned for one date under each version. */
export interface VolumeRow {
  date: BusinessDate;
  /** the task's channel; for tasks without one (charge_off, legal_review, place_agency) its type */
  kind: string;
  old: number;
  new: number;
  delta: number;
}

export interface KindTotal {
  kind: string;
  old: number;
  new: number;
  delta: number;
}

export interface StrategyDiff {
  /** `name@version` of each side, when the caller knows them */
  old: string | null;
  new: string | null;
  /** where the account-days came from (a timeline file, a database and date), when known */
  source: string | null;
  /** account-days compared */
  accountDays: number;
  /** distinct accounts compared */
  accounts: number;
  /** first and last date compared (null when there were no rows) */
  from: BusinessDate | null;
  until: BusinessDate | null;
  /** account-days whose stage differs between the versions */
  changedAccountDays: number;
  /** accounts with at least one such day */
  changedAccounts: number;
  /** old stage → new stage, for the differing account-days; most account-days first */
  stageChanges: StageChangeCell[];
  /** per (date, kind) where either version plans a task; by date, then kind */
  volumes: VolumeRow[];
  /** per kind over all dates; by kind */
  totals: KindTotal[];
  /** account-days whose tasks differ (in kind or count), stage changed or not */
  changedTaskAccountDays: number;
}

export interface DiffOptions {
  /** example account ids kept per stage-change cell (default 5) */
  examples?: number;
  old?: string | null;
  new?: string | null;
  source?: string | null;
}

/** The volume key of a task: its channel, or its type for a task without a channel. */
export function taskKind(t: DiffTask): string {
  return t.channel ?? t.type;
}

function countKinds(tasks: readonly DiffTask[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tasks) {
    const k = taskKind(t);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function sameCounts(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, n] of a) if (b.get(k) !== n) return false;
  return true;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function diffEvaluations(rows: readonly DiffRow[], opts: DiffOptions = {}): StrategyDiff {
  const maxExamples = opts.examples ?? 5;
  const accounts = new Set<string>();
  const changedAccounts = new Set<string>();
  const cells = new Map<string, StageChangeCell & { seen: Set<string> }>();
  const volumes = new Map<string, VolumeRow>();
  let changedAccountDays = 0;
  let changedTaskAccountDays = 0;
  let from: BusinessDate | null = null;
  let until: BusinessDate | null = null;
  for (const r of rows) {
    accounts.add(r.accountId);
    if (from === null || r.date < from) from = r.date;
    if (until === null || r.date > until) until = r.date;
    if (r.old.stage !== r.new.stage) {
      changedAccountDays++;
      changedAccounts.add(r.accountId);
      const key = `${r.old.stage}\u0000${r.new.stage}`;
      let cell = cells.get(key);
      if (!cell) {
        cell = { from: r.old.stage, to: r.new.stage, accountDays: 0, accounts: 0, examples: [], seen: new Set() };
        cells.set(key, cell);
      }
      cell.accountDays++;
      if (!cell.seen.has(r.accountId)) {
        cell.seen.add(r.accountId);
        cell.accounts++;
        if (cell.examples.length < maxExamples) cell.examples.push(r.accountId);
      }
    }
    const oldKinds = countKinds(r.old.tasks);
    const newKinds = countKinds(r.new.tasks);
    if (!sameCounts(oldKinds, newKinds)) changedTaskAccountDays++;
    for (const [side, kinds] of [['old', oldKinds], ['new', newKinds]] as const) {
      for (const [kind, n] of kinds) {
        const key = `${r.date}\u0000${kind}`;
        let v = volumes.get(key);
        if (!v) {
          v = { date: r.date, kind, old: 0, new: 0, delta: 0 };
          volumes.set(key, v);
        }
        v[side] += n;
      }
    }
  }
  const volumeRows = [...volumes.values()].map((v) => ({ ...v, delta: v.new - v.old }))
    .sort((a, b) => cmp(a.date, b.date) || cmp(a.kind, b.kind));
  const totals = new Map<string, KindTotal>();
  for (const v of volumeRows) {
    const t = totals.get(v.kind) ?? { kind: v.kind, old: 0, new: 0, delta: 0 };
    t.old += v.old;
    t.new += v.new;
    t.delta = t.new - t.old;
    totals.set(v.kind, t);
  }
  return {
    old: opts.old ?? null,
    new: opts.new ?? null,
    source: opts.source ?? null,
    accountDays: rows.length,
    accounts: accounts.size,
    from,
    until,
    changedAccountDays,
    changedAccounts: changedAccounts.size,
    stageChanges: [...cells.values()]
      .map(({ seen: _seen, ...c }) => c)
      .sort((a, b) => b.accountDays - a.accountDays || cmp(a.from, b.from) || cmp(a.to, b.to)),
    volumes: volumeRows,
    totals: [...totals.values()].sort((a, b) => cmp(a.kind, b.kind)),
    changedTaskAccountDays,
  };
}

function table(head: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const signed = (n: number): string => (n > 0 ? `+${n}` : String(n));

export interface FormatOptions {
  /** also list (date, kind) rows whose volume did not change (default false) */
  allDays?: boolean;
}

/** A readable report: the summary, the stage-change matrix, task totals and per-day volume changes. */
export function formatDiff(d: StrategyDiff, opts: FormatOptions = {}): string {
  const out: string[] = [];
  const versions = d.old !== null || d.new !== null ? `${d.old ?? 'old'} → ${d.new ?? 'new'}` : 'old → new';
  const span = d.from === null ? 'no account-days' : d.from === d.until ? d.from : `${d.from} … ${d.until}`;
  out.push(`strategy diff ${versions} (${span})`);
  if (d.source !== null) out.push(`source: ${d.source}`);
  out.push(`${d.accountDays} account-day(s) of ${d.accounts} account(s) re-evaluated`);
  out.push(`stage changes: ${d.changedAccounts} account(s), ${d.changedAccountDays} account-day(s)`);
  out.push(`task changes: ${d.changedTaskAccountDays} account-day(s) plan other tasks`);
  if (d.stageChanges.length > 0) {
    out.push('', 'stage changes (old → new):');
    out.push(...table(['from', 'to', 'account-days', 'accounts', 'examples'],
      d.stageChanges.map((c) => [c.from, c.to, String(c.accountDays), String(c.accounts), c.examples.join(', ') + (c.accounts > c.examples.length ? ', …' : '')]),
      new Set([2, 3])));
  }
  if (d.totals.length > 0) {
    out.push('', 'tasks by channel (all dates):');
    out.push(...table(['channel', 'old', 'new', 'delta'], d.totals.map((t) => [t.kind, String(t.old), String(t.new), signed(t.delta)]), new Set([1, 2, 3])));
  }
  const shown = opts.allDays ? d.volumes : d.volumes.filter((v) => v.delta !== 0);
  if (shown.length > 0) {
    out.push('', opts.allDays ? 'tasks per day and channel:' : 'task volume changes per day and channel:');
    out.push(...table(['date', 'channel', 'old', 'new', 'delta'], shown.map((v) => [v.date, v.kind, String(v.old), String(v.new), signed(v.delta)]), new Set([2, 3, 4])));
  } else if (d.volumes.length > 0) {
    out.push('', 'task volumes: no change on any day');
  }
  return `${out.join('\n')}\n`;
}

/** The diff as one JSON document. */
export function formatDiffJson(d: StrategyDiff): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
