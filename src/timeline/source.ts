/**
 * Maps field paths (`['accounts', 0, 'principal']`) to places in the YAML source, and collects
 * issues. Domain parsers (parseProduct, parseBorrower, …) throw a ValidationError naming a dotted
 * field; `check` turns that back into a path and a line and column.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import { ValidationError } from '../core/index.js';
import type { TimelineIssue } from './errors.js';

export type FieldPath = readonly (string | number)[];

/** `['accounts', 0, 'borrower', 'id']` → `accounts[0].borrower.id`; the empty path is `timeline`. */
export function pathToString(path: FieldPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? 'timeline' : out;
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
    let node: unknown = this.doc.contents;
    let best: Node | null = isNodeWithRange(node) ? node : null;
    let key: Node | null = null;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      let next: unknown;
      key = null;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        key = isNodeWithRange(pair.key) ? pair.key : null;
        next = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      } else {
        break;
      }
      if (isNodeWithRange(next)) {
        best = next;
      } else if (key) {
        best = key;
      } else {
        break;
      }
      node = next;
    }
    const target = at === 'key' && key ? key : best;
    const offset = target?.range?.[0] ?? 0;
    return this.lineCounter.linePos(offset);
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

function isNodeWithRange(v: unknown): v is Node {
  return (isScalar(v) || isMap(v) || isSeq(v) || isAlias(v)) && Array.isArray(v.range);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
