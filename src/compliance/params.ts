/**
 * Reading rule-pack YAML with positions: every problem becomes `file:line:col: field: rule`
 * (core/yaml-paths.ts finds the node). `Params` reads one rule's `params` mapping: each accessor
 * validates one key and remembers it, and `done()` reports the keys nobody asked for as unknown.
 */
import type { Document, LineCounter } from 'yaml';
import { findNode, isRecord, pathToString, ValidationError, type FieldPath } from '../core/index.js';

export interface PackIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** e.g. `rules[2].params.max` */
  readonly field: string;
  readonly rule: string;
}

export function formatPackIssue(i: PackIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.field}: ${i.rule}`;
}

/** One or more problems in a rule pack; the message has one `file:line:col: field: rule` per line. */
export class RulePackError extends ValidationError {
  readonly issues: readonly PackIssue[];
  constructor(issues: readonly PackIssue[]) {
    const first: PackIssue = issues[0] ?? { file: '?', line: 0, column: 0, field: 'pack', rule: 'is invalid' };
    super(first.field, first.rule, `${first.file}:${first.line}:${first.column}`);
    this.name = 'RulePackError';
    this.issues = issues.length > 0 ? issues.slice() : [first];
    this.message = this.issues.map(formatPackIssue).join('\n');
  }
}

export class PackSource {
  readonly issues: PackIssue[] = [];
  constructor(
    readonly file: string,
    private readonly doc: Document | null,
    private readonly lineCounter: LineCounter,
  ) {}

  report(path: FieldPath, rule: string, at: 'value' | 'key' = 'value'): void {
    const { node, key } = findNode(this.doc, path);
    const target = at === 'key' && key ? key : node;
    const { line, col } = this.lineCounter.linePos(target?.range?.[0] ?? 0);
    this.issues.push({ file: this.file, line, column: col, field: pathToString(path, 'pack'), rule });
  }

  rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: FieldPath): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.report([...path, k], `is not a known field (known: ${allowed.join(', ')})`, 'key');
    }
  }
}

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Typed access to a `params` mapping (or a nested mapping inside it). */
export class Params {
  private readonly used = new Set<string>();
  constructor(
    readonly src: PackSource,
    readonly raw: Record<string, unknown>,
    readonly path: FieldPath,
  ) {}

  private at(key: string): FieldPath {
    return [...this.path, key];
  }

  has(key: string): boolean {
    this.used.add(key);
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** A whole number in [min, max]; `fallback` when absent (undefined: required). */
  int(key: string, min: number, max: number, fallback?: number): number {
    this.used.add(key);
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.src.report(this.path, `${key} is required: a whole number from ${min} to ${max}`);
      return fallback ?? min;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.src.report(this.at(key), `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return fallback ?? min;
    }
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    this.used.add(key);
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.src.report(this.at(key), `must be true or false, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback?: T): T {
    this.used.add(key);
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.src.report(this.path, `${key} is required: one of ${values.join(', ')}`);
      return fallback ?? (values[0] as T);
    }
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.src.report(this.at(key), `must be one of ${values.join(', ')}; got ${JSON.stringify(v)}`);
      return fallback ?? (values[0] as T);
    }
    return v as T;
  }

  /** A list of values from `values`; `fallback` when absent (undefined: required). */
  listOf<T extends string>(key: string, values: readonly T[], fallback?: T[]): T[] {
    this.used.add(key);
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.src.report(this.path, `${key} is required: a list of ${values.join(', ')}`);
      return fallback ?? [];
    }
    if (!Array.isArray(v)) {
      this.src.report(this.at(key), `must be a list of ${values.join(', ')}`);
      return fallback ?? [];
    }
    const out: T[] = [];
    v.forEach((x: unknown, i) => {
      if (typeof x !== 'string' || !(values as readonly string[]).includes(x)) {
        this.src.report([...this.at(key), i], `must be one of ${values.join(', ')}; got ${JSON.stringify(x)}`);
      } else if (!out.includes(x as T)) out.push(x as T);
    });
    return out;
  }

  /** `HH:MM` (00:00…24:00). */
  time(key: string): string {
    this.used.add(key);
    const v = this.raw[key];
    if (typeof v !== 'string' || !TIME_RE.test(v)) {
      this.src.report(v === undefined ? this.path : this.at(key), `${key} must be a local time "HH:MM" such as "08:00", got ${JSON.stringify(v)}`);
      return '00:00';
    }
    return v;
  }

  /** A list of mappings, each read by `read`. */
  records<T>(key: string, read: (p: Params) => T): T[] {
    this.used.add(key);
    const v = this.raw[key];
    if (!Array.isArray(v) || v.length === 0) {
      this.src.report(v === undefined ? this.path : this.at(key), `${key} is required: a non-empty list of mappings`);
      return [];
    }
    const out: T[] = [];
    v.forEach((x: unknown, i) => {
      const p: FieldPath = [...this.at(key), i];
      if (!isRecord(x)) {
        this.src.report(p, 'must be a mapping');
        return;
      }
      const sub = new Params(this.src, x, p);
      out.push(read(sub));
      sub.done();
    });
    return out;
  }

  /** Reports every key no accessor asked for. */
  done(): void {
    const known = [...this.used];
    for (const k of Object.keys(this.raw)) {
      if (!this.used.has(k)) this.src.report(this.at(k), `is not a known parameter here (known: ${known.join(', ')})`, 'key');
    }
  }
}
