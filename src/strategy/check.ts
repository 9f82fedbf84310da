/**
 * `arrears strategy check`: every problem in a strategy file, each with file:line:column.
 * Errors: YAML, structure (unknown keys, actions, parties, cadences), CEL syntax and type errors
 * (unknown facts, a `when` that is not bool, a perDay that is not int), duplicate stage names,
 * unreachable stages, stages without actions, variant shares not summing to 100.
 * Warnings: a condition that can never hold, no catch-all last stage, a quiet stage with actions.
 */
import { serialize } from '@marcbachmann/cel-js';
import { evaluateWithCel, isConstantExpression } from './cel.js';
import type { StrategyEnv } from './cel.js';
import { emptyFacts } from './facts.js';
import { compileStrategy } from './evaluate.js';
import type { CompiledStrategy } from './evaluate.js';
import { parseStrategyFile, StrategyError } from './file.js';
import type { StageDef } from './file.js';
import type { StrategyIssue } from './source.js';

/** Every problem in `text`, sorted by position. Empty means the file is good to run. */
export function checkStrategy(text: string, file: string): StrategyIssue[] {
  return checkAndCompile(text, file).issues;
}

/** Checks and compiles; throws StrategyError listing the errors (warnings do not stop it). */
export function loadStrategy(text: string, file: string): CompiledStrategy {
  const r = checkAndCompile(text, file);
  const errors = r.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0 || !r.compiled) throw new StrategyError(errors);
  return r.compiled;
}

function checkAndCompile(text: string, file: string): { issues: StrategyIssue[]; compiled: CompiledStrategy | null } {
  const { strategy, source: src } = parseStrategyFile(text, file);
  if (!strategy) return { issues: sortIssues(src.issues), compiled: null };

  const compiled = compileStrategy(strategy, (path, p) => {
    src.report(path, `${p.kind === 'syntax' ? 'syntax error' : 'type error'}: ${p.message}`, { offset: p.start });
  });
  const env = compiled.base.env;

  // stages: actions, reachability
  const canonical = new Map<string, StageDef>();
  let alwaysTrue: StageDef | null = null;
  for (const s of strategy.stages) {
    const at = ['stages', s.index] as const;
    if (s.actions.length === 0 && !s.quiet) {
      src.report([...at, 'name'], `stage "${s.name}" has no actions; add some, or mark it \`quiet: true\` if it deliberately plans nothing`);
    }
    if (s.actions.length > 0 && s.quiet) src.report([...at, 'quiet'], `stage "${s.name}" is quiet but has actions`, { severity: 'warning' });
    const canon = canonicalForm(env, s.when);
    if (canon === null) continue; // a syntax error, already reported
    if (alwaysTrue) {
      src.report([...at, 'when'], `stage "${s.name}" is unreachable: stages[${alwaysTrue.index}] "${alwaysTrue.name}" always matches first (\`${alwaysTrue.when.trim()}\`)`);
      continue;
    }
    const same = canonical.get(canon);
    if (same) {
      src.report([...at, 'when'], `stage "${s.name}" is unreachable: stages[${same.index}] "${same.name}" has the same condition and comes first`);
      continue;
    }
    canonical.set(canon, s);
    const constant = constantValue(env, s.when);
    if (constant === true && s !== strategy.stages[strategy.stages.length - 1]) alwaysTrue = s;
    if (constant === false) src.report([...at, 'when'], `stage "${s.name}" can never match: its condition is always false`, { severity: 'warning' });
  }
  const last = strategy.stages[strategy.stages.length - 1];
  if (last && constantValue(env, last.when) !== true && !alwaysTrue) {
    src.report(['stages', last.index, 'when'], 'no catch-all last stage (`when: "true"`): accounts that match no stage get stage "none" and no tasks', {
      severity: 'warning',
    });
  }
  return { issues: sortIssues(src.issues), compiled };
}

function sortIssues(issues: readonly StrategyIssue[]): StrategyIssue[] {
  return issues.slice().sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The expression re-serialised from its AST: whitespace, redundant parentheses and quoting normalised. */
function canonicalForm(env: StrategyEnv, source: string): string | null {
  try {
    return serialize(env.cel.parse(source).ast);
  } catch {
    return null;
  }
}

/** The value of an expression that mentions no fact (e.g. `true`, `1 == 1`), else undefined. */
function constantValue(env: StrategyEnv, source: string): unknown {
  if (!isConstantExpression(env, source)) return undefined;
  try {
    return evaluateWithCel(env, source, emptyFacts());
  } catch {
    return undefined;
  }
}
