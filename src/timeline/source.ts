/**
 * Maps field paths (`['accounts', 0, 'principal']`) to places in the YAML source, and collects
 * issues. Domain parsers (parseProduct, parseBorrower, …) throw a ValidationError naming a dotted
 * field; `check` turns that back into a path and a line and column.
 */
import type { Document, LineCounter } from 'yaml';
import { findNode, isRecord, pathToString as corePathToString, ValidationError, type FieldPath } from '../core/index.js';
import type { TimelineIssue } from './errors.js';

export type { FieldPath };

/** `['accounts', 0, 'borrower', 'id']` → `accounts[0].borrower.id`; the empty path is `timeline`. */
export function pathToString(path: FieldPath): string {
  return corePathToString(path, 'timeline');
}

/** Parses a field suffix such as `.penalty.dailyRate` or `[2].max` into path segments. */
export function parseFieldSuffix(suffix: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < suffix.length && (m = re.exec(suffix)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(Number(m[2]));
  }
  return out;
}

const UNKNOWN_FIELD = 'is not a known field';

interface Pos {
  line: number;
  col: number;
}

export class SourceReader {
  readonly issues: TimelineIssue[] = [];

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Line and column of the node at `path`, or of its deepest existing ancestor. */
  position(path: FieldPath, at: 'value' | 'key' = 'value'): Pos {
    const { node, key } = findNode(this.doc, path);
    const target = at === 'key' && key ? key : node;
    return this.lineCounter.linePos(target?.range?.[0] ?? 0);
  }

  line(path: FieldPath): number {
    return this.position(path).line;
  }

  /** Records a problem. Unknown-field problems point at the key, others at the value. */
  report(path: FieldPath, rule: string, opts: { field?: string; at?: 'key' | 'value' } = {}): void {
    const field = opts.field ?? pathToString(path);
    const { line, col } = this.position(path, opts.at ?? (rule.startsWith(UNKNOWN_FIELD) ? 'key' : 'value'));
    this.issues.push({ file: this.file, line, column: col, field, rule });
  }

  /**
   * Runs a validating function that throws ValidationError naming fields under `pathToString(path)`;
   * records its error at the right place and returns undefined, or returns its result.
   */
  check<T>(path: FieldPath, fn: (field: string) => T): T | undefined {
    const base = pathToString(path);
    try {
      return fn(base);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      if (err.field.startsWith(base)) {
        this.report([...path, ...parseFieldSuffix(err.field.slice(base.length))], err.rule, { field: err.field });
      } else {
        this.report(path, err.rule);
      }
      return undefined;
    }
  }

  /** Reports every key of `obj` that is not in `allowed`. */
  rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: FieldPath): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.report([...path, k], `${UNKNOWN_FIELD} (known: ${allowed.join(', ')})`);
    }
  }
}

export { isRecord };
