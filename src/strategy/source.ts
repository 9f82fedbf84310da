/**
 * Positions in a strategy YAML file: field paths to line:column (core/yaml-paths.ts, with the
 * `yaml` package's LineCounter), plus positions *inside* an
 * expression string, so a CEL error at offset 7 of `dpd >= + 1` points at its column in the file.
 */
import { isScalar } from 'yaml';
import type { Document, LineCounter } from 'yaml';
import { findNode, isRecord, pathToString as corePathToString, type FieldPath, type FoundNode } from '../core/index.js';

export type { FieldPath };

export type Severity = 'error' | 'warning';

export interface StrategyIssue {
  readonly file: string;
  /** 1-based */
  readonly line: number;
  /** 1-based */
  readonly column: number;
  /** field path, e.g. `stages[2].when` */
  readonly field: string;
  readonly rule: string;
  readonly severity: Severity;
}

export function formatStrategyIssue(i: StrategyIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.severity === 'warning' ? 'warning: ' : ''}${i.field}: ${i.rule}`;
}

/** `['stages', 0, 'when']` → `stages[0].when`; the empty path is `strategy`. */
export function pathToString(path: FieldPath): string {
  return corePathToString(path, 'strategy');
}

interface Pos {
  line: number;
  col: number;
}

export class SourceMap {
  readonly issues: StrategyIssue[] = [];

  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly doc: Document | null,
    private readonly lineCounter: LineCounter,
  ) {}

  private find(path: FieldPath): FoundNode {
    return findNode(this.doc, path);
  }

  position(path: FieldPath, at: 'value' | 'key' = 'value'): Pos {
    const { node, key } = this.find(path);
    const target = at === 'key' && key ? key : node;
    return this.lineCounter.linePos(target?.range?.[0] ?? 0);
  }

  /**
   * Position of character `offset` of the string value at `path`. The value is matched against
   * its source text character by character, which handles plain, quoted (without escapes),
   * literal `|` and folded `>` scalars, where a line break plus indentation became one space.
   */
  exprPosition(path: FieldPath, offset: number): Pos {
    const { node, exact } = this.find(path);
    if (!exact || !node || !isScalar(node) || typeof node.value !== 'string' || !node.range) return this.position(path);
    const value = node.value;
    const [start, end] = node.range;
    let p = start;
    if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') p++;
    if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
      const nl = this.text.indexOf('\n', p);
      p = nl < 0 ? p : nl + 1;
    }
    const target = Math.min(Math.max(0, offset), value.length);
    for (let i = 0; i < target && p < end; i++) {
      const c = value[i] as string;
      // skip source characters that folding or indentation removed
      while (p < end && this.text[p] !== c && !(c === ' ' && (this.text[p] === '\n' || this.text[p] === '\r'))) p++;
      if (p >= end) break;
      if (c === ' ' && (this.text[p] === '\n' || this.text[p] === '\r')) {
        p++;
        while (p < end && (this.text[p] === ' ' || this.text[p] === '\t' || this.text[p] === '\n' || this.text[p] === '\r')) p++;
        continue;
      }
      p++;
    }
    // land on the target character itself (skip leading indentation)
    while (p < end && target < value.length && this.text[p] !== value[target] && /\s/.test(this.text[p] as string)) p++;
    return this.lineCounter.linePos(Math.min(p, Math.max(start, end)));
  }

  report(path: FieldPath, rule: string, opts: { at?: 'key' | 'value'; severity?: Severity; offset?: number } = {}): void {
    const { line, col } = opts.offset !== undefined ? this.exprPosition(path, opts.offset) : this.position(path, opts.at ?? 'value');
    this.issues.push({ file: this.file, line, column: col, field: pathToString(path), rule, severity: opts.severity ?? 'error' });
  }

  rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: FieldPath): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.report([...path, k], `is not a known field (known: ${allowed.join(', ')})`, { at: 'key' });
    }
  }
}

export { isRecord };
