/**
 * Compiling a strategy (every expression once) and evaluating it for one account-day:
 * stages are tried worst-first and the first whose `when` holds is the stage; its actions yield
 * the day's tasks by their cadence. Pure: facts and a context in, a decision out.
 */
import type { BusinessDate } from '../core/index.js';
import type { BucketDef } from '../ledger/index.js';
import { compileExpression, strategyEnv } from './cel.js';
import type { CelProblem, CompiledExpr, StrategyEnv } from './cel.js';
import type { Facts } from './facts.js';
import { NO_STAGE, StrategyError } from './file.js';
import type { ActionDef, StageDef, StrategyFile, TaskType, VariantsDef } from './file.js';
import { pathToString } from './source.js';
import type { FieldPath, StrategyIssue } from './source.js';
import { applyOverrides, assignVariant } from './variants.js';

/** Most tasks one action may plan for one day (a perDay expression is clamped to 0..MAX_PER_DAY). */
export const MAX_PER_DAY = 24;

export interface CompiledAction extends ActionDef {
  readonly perDayExpr: CompiledExpr | null;
  readonly whenExpr: CompiledExpr | null;
}

export interface CompiledStage {
  readonly name: string;
  readonly index: number;
  readonly description: string | null;
  /** the `when` source as written */
  readonly whenSource: string;
  readonly when: CompiledExpr;
  readonly quiet: boolean;
  readonly actions: readonly CompiledAction[];
}

export interface CompiledLadder {
  readonly stages: readonly CompiledStage[];
  readonly env: StrategyEnv;
}

export interface CompiledStrategy {
  readonly name: string;
  readonly version: number;
  /** `name@version`, as recorded with stage moves */
  readonly ref: string;
  readonly file: StrategyFile;
  readonly buckets: readonly BucketDef[] | null;
  /** the ladder of accounts outside any experiment (or when the file has no variants) */
  readonly base: CompiledLadder;
  readonly variants: VariantsDef | null;
  /** arm name → its ladder (arms without overrides share `base`) */
  readonly arms: ReadonlyMap<string, CompiledLadder>;
}

/** A planned task: what its action says (party, channel, template, priority, window, address) for one account and day. */
export interface Task extends Pick<ActionDef, 'party' | 'channel' | 'template' | 'priority' | 'window' | 'address'> {
  accountId: string;
  date: BusinessDate;
  stage: string;
  type: TaskType;
  /** 1..n for an action planning n tasks on the day */
  seq: number;
}

export interface EvalContext {
  date: BusinessDate;
  accountId: string;
  /** the arm; omitted: assigned from the account id when the strategy has variants */
  variant?: string | null;
}

export interface Evaluation {
  stage: string;
  /** the `when` source of the matching stage; null when none matched */
  firedBy: string | null;
  variant: string | null;
  tasks: Task[];
  /** run-time expression errors (e.g. division by zero); an erroring condition counts as false */
  errors: string[];
}

export type ProblemSink = (path: FieldPath, problem: CelProblem) => void;

function compileLadder(file: StrategyFile, stagesPath: (i: number, s: StageDef) => FieldPath, onProblem: ProblemSink): CompiledLadder {
  const env = strategyEnv(file.params);
  const stages: CompiledStage[] = [];
  file.stages.forEach((s, i) => {
    const base = stagesPath(s.index, s);
    const when = compileExpression(env, s.when, 'bool');
    if (!when.ok) onProblem([...base, 'when'], when.problem);
    const actions: CompiledAction[] = [];
    s.actions.forEach((a) => {
      const ap: FieldPath = [...base, 'actions', a.index];
      let perDayExpr: CompiledExpr | null = null;
      if (typeof a.perDay === 'string') {
        const r = compileExpression(env, a.perDay, 'int');
        if (r.ok) perDayExpr = r.expr;
        else onProblem([...ap, 'perDay'], r.problem);
      }
      let whenExpr: CompiledExpr | null = null;
      if (a.when !== null) {
        const r = compileExpression(env, a.when, 'bool');
        if (r.ok) whenExpr = r.expr;
        else onProblem([...ap, 'when'], r.problem);
      }
      actions.push({ ...a, perDayExpr, whenExpr });
    });
    if (when.ok) {
      stages.push({ name: s.name, index: i, description: s.description, whenSource: s.when, when: when.expr, quiet: s.quiet, actions });
    }
  });
  return { stages, env };
}

/**
 * Compiles the file and each experiment arm's overrides. Problems are passed to `onProblem`
 * (check.ts maps them to file positions); without a sink, any problem throws StrategyError.
 */
export function compileStrategy(file: StrategyFile, onProblem?: ProblemSink): CompiledStrategy {
  const problems: StrategyIssue[] = [];
  const sink: ProblemSink =
    onProblem ??
    ((path, p) =>
      problems.push({ file: file.file, line: 0, column: p.start + 1, field: pathToString(path), rule: `${p.kind === 'syntax' ? 'syntax error' : 'type error'}: ${p.message}`, severity: 'error' }));
  const base = compileLadder(file, (i) => ['stages', i], sink);
  const arms = new Map<string, CompiledLadder>();
  file.variants?.arms.forEach((arm, ai) => {
    const hasOverrides = Object.keys(arm.overrides.stages).length > 0 || Object.keys(arm.overrides.params).length > 0;
    if (!hasOverrides) {
      arms.set(arm.name, base);
      return;
    }
    // overridden expressions report at the override; others were already reported for the base
    const armFile = applyOverrides(file, arm);
    const overridden = (s: StageDef): boolean => arm.overrides.stages[s.name] !== undefined;
    const armSink: ProblemSink = (path, p) => {
      const [, i] = path;
      const stage = typeof i === 'number' ? armFile.stages.find((s) => s.index === i) : undefined;
      if (stage && overridden(stage)) {
        sink(['variants', 'arms', ai, 'overrides', 'stages', stage.name, ...path.slice(2)], p);
      } else if (Object.keys(arm.overrides.params).length > 0) {
        sink(['variants', 'arms', ai, 'overrides', 'params'], { ...p, message: `with this arm's params, ${pathToString(path)}: ${p.message}` });
      }
    };
    arms.set(arm.name, compileLadder(armFile, (i) => ['stages', i], armSink));
  });
  if (problems.length > 0) throw new StrategyError(problems);
  return {
    name: file.name,
    version: file.version,
    ref: `${file.name}@${file.version}`,
    file,
    buckets: file.buckets,
    base,
    variants: file.variants,
    arms,
  };
}

/** The arm of an account (null when the strategy has no variants). */
export function variantOf(compiled: CompiledStrategy, accountId: string): string | null {
  const v = compiled.variants;
  return v ? assignVariant(accountId, v.experiment, v.arms) : null;
}

function runBool(expr: CompiledExpr, facts: Facts, errors: string[]): boolean {
  try {
    return expr.run(facts) === true;
  } catch (err) {
    errors.push(`${expr.source}: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

/**
 * Does the action plan tasks on this day? `day` is the day index in the stage (0 on entry).
 */
function cadenceDue(a: CompiledAction, facts: Facts, day: number): boolean {
  switch (a.cadence.kind) {
    case 'daily':
      return true;
    case 'once':
      return day === 0;
    case 'everyDays':
      return day % a.cadence.days === 0;
    case 'daysBeforeDue':
      return facts.nextDueInDays === a.cadence.days;
  }
}

/** Evaluates one account-day: first matching stage (worst-first) and its tasks. */
export function evaluate(compiled: CompiledStrategy, facts: Facts, ctx: EvalContext): Evaluation {
  const variant = ctx.variant !== undefined ? ctx.variant : variantOf(compiled, ctx.accountId);
  const ladder = (variant !== null && compiled.arms.get(variant)) || compiled.base;
  const errors: string[] = [];
  let matched: CompiledStage | null = null;
  for (const s of ladder.stages) {
    if (runBool(s.when, facts, errors)) {
      matched = s;
      break;
    }
  }
  if (!matched) return { stage: NO_STAGE, firedBy: null, variant, tasks: [], errors };
  // in actions, `stage` and `daysInStage` are today's stage (a copy only on the day of a move)
  const af: Facts = matched.name === facts.stage ? facts : { ...facts, stage: matched.name, daysInStage: 0 };
  const day = af.daysInStage;
  const tasks: Task[] = [];
  for (const a of matched.actions) {
    if (!cadenceDue(a, af, day)) continue;
    if (a.whenExpr && !runBool(a.whenExpr, af, errors)) continue;
    let n: number;
    if (a.perDayExpr) {
      try {
        const v = a.perDayExpr.run(af);
        n = typeof v === 'number' ? Math.max(0, Math.min(MAX_PER_DAY, Math.trunc(v))) : 0;
      } catch (err) {
        errors.push(`${a.perDayExpr.source}: ${err instanceof Error ? err.message : String(err)}`);
        n = 0;
      }
    } else n = typeof a.perDay === 'number' ? a.perDay : 1;
    for (let seq = 1; seq <= n; seq++) {
      tasks.push({
        accountId: ctx.accountId,
        date: ctx.date,
        stage: matched.name,
        type: a.task,
        party: a.party,
        channel: a.channel,
        template: a.template,
        priority: a.priority,
        window: a.window,
        address: a.address,
        seq,
      });
    }
  }
  return { stage: matched.name, firedBy: matched.whenSource, variant, tasks, errors };
}

/** Why an account is where it is: recorded whenever its stage changes. */
export interface StageMove {
  accountId: string;
  from: string;
  to: string;
  date: BusinessDate;
  /** `name@version` */
  strategy: string;
  variant: string | null;
  /** the `when` that fired (null when no stage matched) */
  condition: string | null;
  /** the facts the condition saw */
  facts: Facts;
}

/** The stage-move record for an evaluation, or null when the stage did not change. */
export function stageMove(compiled: CompiledStrategy, facts: Facts, result: Evaluation, ctx: { accountId: string; date: BusinessDate }): StageMove | null {
  if (result.stage === facts.stage) return null;
  return {
    accountId: ctx.accountId,
    from: facts.stage,
    to: result.stage,
    date: ctx.date,
    strategy: compiled.ref,
    variant: result.variant,
    condition: result.firedBy,
    facts,
  };
}
