/**
 * Timeline validation problems. A timeline file is checked completely before anything runs, and
 * every problem found is reported at once, one per line, as `file:line:column: field: rule`.
 */
import { ValidationError } from '../core/index.js';

export interface TimelineIssue {
  readonly file: string;
  /** 1-based */
  readonly line: number;
  /** 1-based */
  readonly column: number;
  /** field path, e.g. `accounts[0].principal` */
  readonly field: string;
  readonly rule: string;
}

export function formatIssue(i: TimelineIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.field}: ${i.rule}`;
}

/** One or more problems in a timeline file. `issues` lists them all; the message has one per line. */
export class TimelineError extends ValidationError {
  readonly issues: readonly TimelineIssue[];

  constructor(issues: readonly TimelineIssue[]) {
    const first: TimelineIssue = issues[0] ?? { file: '?', line: 0, column: 0, field: 'timeline', rule: 'is invalid' };
    super(first.field, first.rule, `${first.file}:${first.line}:${first.column}`);
    this.name = 'TimelineError';
    this.issues = issues.length > 0 ? issues.slice() : [first];
    this.message = this.issues.map(formatIssue).join('\n');
  }
}
