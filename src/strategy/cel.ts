/**
 * CEL for strategies: an environment declared from the facts catalogue, and a compiler from a
 * type-checked CEL expression to a JS function over plain-number facts.
 *
 * @marcbachmann/cel-js parses and type-checks every expression (unknown facts, wrong types, a
 * non-bool condition are found here). Its runtime wants CEL ints as BigInt, which would mean
 * converting every account's facts; instead the checked AST is translated to JS source over the
 * plain facts object (ints are JS numbers: exact up to 2^53, far beyond any count or minor-unit
 * amount we hold). Integer `/` and `%` truncate toward zero and fail on a zero divisor as in CEL;
 * `&&`/`||` absorb an error on one side when the other side decides, as in CEL. An expression
 * using anything outside that subset (macros, most functions, maps) is evaluated by cel-js itself
 * on a BigInt copy of the facts — correct, just slower. `engine` says which path an expression took.
 */
import { Environment, ParseError } from '@marcbachmann/cel-js';
import type { ASTNode } from '@marcbachmann/cel-js';
import { FACTS } from './facts.js';
import type { FactType, Facts } from './facts.js';

export type ParamValue = number | string | boolean;
export type ParamTypes = Record<string, FactType>;

/** A node of the facts type tree: a leaf type, or an object of children. */
type TypeTree = { [k: string]: TypeTree | FactType };

function factTree(): TypeTree {
  const root: TypeTree = {};
  for (const f of FACTS) {
    const parts = f.name.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const k = parts[i] as string;
      let next = node[k];
      if (next === undefined) {
        next = {};
        node[k] = next;
      }
      if (typeof next === 'string') throw new Error(`facts catalogue: ${f.name} nests under a leaf`);
      node = next;
    }
    node[parts[parts.length - 1] as string] = f.type;
  }
  return root;
}

export const FACT_TREE: TypeTree = factTree();

function registerTree(env: Environment, tree: TypeTree, prefix: string): void {
  for (const [k, v] of Object.entries(tree)) {
    const name = prefix === '' ? k : `${prefix}.${k}`;
    if (typeof v === 'string') {
      if (prefix === '') env.registerVariable(k, v);
      continue;
    }
    registerTree(env, v, name);
    const fields: Record<string, string> = {};
    for (const [ck, cv] of Object.entries(v)) fields[ck] = typeof cv === 'string' ? cv : `${name}.${ck}`;
    env.registerType(name, { fields });
    if (prefix === '') env.registerVariable(k, name);
  }
}

let baseEnv: Environment | null = null;

/** The facts environment (built once; cloned per strategy to add `params`). */
function factsEnvironment(): Environment {
  if (!baseEnv) {
    const env = new Environment({ unlistedVariablesAreDyn: false });
    registerTree(env, FACT_TREE, '');
    baseEnv = env;
  }
  return baseEnv;
}

export interface StrategyEnv {
  readonly cel: Environment;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly paramTypes: Readonly<ParamTypes>;
}

export function paramType(v: ParamValue): FactType {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  return Number.isInteger(v) ? 'int' : 'double';
}

/** An environment for one strategy file: the facts plus the file's `params` (as `params.NAME`). */
export function strategyEnv(params: Readonly<Record<string, ParamValue>> = {}): StrategyEnv {
  const cel = factsEnvironment().clone();
  const paramTypes: ParamTypes = {};
  for (const [k, v] of Object.entries(params)) paramTypes[k] = paramType(v);
  cel.registerType('params', { fields: { ...paramTypes } });
  cel.registerVariable('params', 'params');
  return { cel, params, paramTypes };
}

export interface CelProblem {
  kind: 'syntax' | 'type';
  /** the library's message, first line only */
  message: string;
  /** 0-based offset in the expression */
  start: number;
}

export type CelValue = boolean | number | string | null;

export interface CompiledExpr {
  readonly source: string;
  /** the CEL type of the result */
  readonly type: string;
  readonly engine: 'js' | 'cel';
  /** the generated JS (engine js), for debugging */
  readonly js: string | null;
  readonly run: (facts: Facts) => CelValue;
}

export type CompileResult = { ok: true; expr: CompiledExpr } | { ok: false; problem: CelProblem };

function firstLine(msg: string): string {
  return (msg.split('\n')[0] ?? msg).trim();
}

/** Parses, type-checks and compiles one expression. `expect` is the required result type. */
export function compileExpression(env: StrategyEnv, source: string, expect: 'bool' | 'int'): CompileResult {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.cel.parse(source);
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, problem: { kind: 'syntax', message: firstLine(err.summary || err.message), start: err.range?.start ?? 0 } };
    throw err;
  }
  const checked = parsed.check();
  if (!checked.valid) {
    const e = checked.error;
    return { ok: false, problem: { kind: 'type', message: firstLine(e?.summary || e?.message || 'type error'), start: e?.range?.start ?? 0 } };
  }
  const type = checked.type ?? 'dyn';
  if (type !== expect) {
    return { ok: false, problem: { kind: 'type', message: `must be of type ${expect}, but is ${type}`, start: 0 } };
  }
  const js = toJs(parsed.ast, env);
  if (js !== null) {
    const fn = new Function('__rt', `"use strict"; return function (f) { return ${js.code}; };`)(RUNTIME) as (f: Facts) => CelValue;
    return { ok: true, expr: { source, type, engine: 'js', js: js.code, run: fn } };
  }
  const paramsActivation = toCelValue(env.params, paramTree(env.paramTypes));
  const run = (facts: Facts): CelValue => {
    const activation = toCelValue(facts, FACT_TREE) as Record<string, unknown>;
    activation.params = paramsActivation;
    return fromCelValue(parsed(activation));
  };
  return { ok: true, expr: { source, type, engine: 'cel', js: null, run } };
}

/** Evaluates with cel-js itself, whatever the expression (for tests comparing the two paths). */
export function evaluateWithCel(env: StrategyEnv, source: string, facts: Facts): CelValue {
  const activation = toCelValue(facts, FACT_TREE) as Record<string, unknown>;
  activation.params = toCelValue(env.params, paramTree(env.paramTypes));
  return fromCelValue(env.cel.evaluate(source, activation));
}

function paramTree(types: Readonly<ParamTypes>): TypeTree {
  return { ...types };
}

/** Deep copy with CEL ints as BigInt. */
function toCelValue(v: unknown, tree: TypeTree): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(tree)) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof t === 'string') out[k] = t === 'int' && typeof x === 'number' ? BigInt(Math.trunc(x)) : x;
    else out[k] = toCelValue(x, t);
  }
  return out;
}

function fromCelValue(v: unknown): CelValue {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || v === null) return v;
  throw new Error(`strategy expressions must yield a bool, int, double or string, got ${typeof v}`);
}

// ---- CEL → JS ----------------------------------------------------------------------------------

class CelRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelRuntimeError';
  }
}

const RUNTIME = {
  idiv(a: number, b: number): number {
    if (b === 0) throw new CelRuntimeError('division by zero');
    return Math.trunc(a / b);
  },
  imod(a: number, b: number): number {
    if (b === 0) throw new CelRuntimeError('modulus by zero');
    return a % b;
  },
  toInt(a: number): number {
    if (!Number.isFinite(a)) throw new CelRuntimeError('int() of a non-finite double');
    return Math.trunc(a);
  },
  /** CEL &&: false wins over an error on either side */
  and(a: () => boolean, b: () => boolean): boolean {
    let err: unknown = null;
    try {
      if (!a()) return false;
    } catch (e) {
      err = e;
    }
    if (!b()) return false;
    if (err !== null) throw err;
    return true;
  },
  /** CEL ||: true wins over an error on either side */
  or(a: () => boolean, b: () => boolean): boolean {
    let err: unknown = null;
    try {
      if (a()) return true;
    } catch (e) {
      err = e;
    }
    if (b()) return true;
    if (err !== null) throw err;
    return false;
  },
};

const PRIMITIVE = new Set(['int', 'double', 'bool', 'string', 'null_type']);
const NUMERIC = new Set(['int', 'double']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Js {
  code: string;
  /** may throw at run time (division, int()) */
  throws: boolean;
}

function typeOf(n: ASTNode): string {
  const t = (n as unknown as { checkedType?: unknown }).checkedType;
  return t === undefined || t === null ? 'dyn' : String(t);
}

function literal(v: unknown): string | null {
  if (typeof v === 'bigint') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? (n < 0 ? `(${n})` : String(n)) : null;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? (v < 0 || Object.is(v, -0) ? `(${v})` : String(v)) : null;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  return null;
}

/** JS source for a checked AST, or null when it uses something outside the compiled subset. */
function toJs(n: ASTNode, env: StrategyEnv): Js | null {
  const sub = (x: ASTNode): Js | null => toJs(x, env);
  switch (n.op) {
    case 'value': {
      const code = literal(n.args);
      return code === null ? null : { code, throws: false };
    }
    case 'id': {
      const name = n.args;
      if (name === 'params' || !IDENT.test(name) || !(name in FACT_TREE)) return null;
      return { code: `f.${name}`, throws: false };
    }
    case '.': {
      const [obj, field] = n.args;
      if (!IDENT.test(field)) return null;
      if (obj.op === 'id' && obj.args === 'params') {
        const v = env.params[field];
        if (v === undefined) return null;
        const code = literal(v);
        return code === null ? null : { code, throws: false };
      }
      const o = sub(obj);
      return o === null ? null : { code: `${o.code}.${field}`, throws: o.throws };
    }
    case '&&':
    case '||': {
      const a = sub(n.args[0]);
      const b = sub(n.args[1]);
      if (a === null || b === null) return null;
      if (a.throws || b.throws) {
        return { code: `__rt.${n.op === '&&' ? 'and' : 'or'}(() => ${a.code}, () => ${b.code})`, throws: true };
      }
      return { code: `(${a.code} ${n.op} ${b.code})`, throws: false };
    }
    case '!_': {
      const a = sub(n.args);
      return a === null ? null : { code: `(!${a.code})`, throws: a.throws };
    }
    case '-_': {
      const a = sub(n.args);
      return a === null || !NUMERIC.has(typeOf(n)) ? null : { code: `(-${a.code})`, throws: a.throws };
    }
    case '?:': {
      const [c, x, y] = n.args.map(sub);
      if (!c || !x || !y) return null;
      return { code: `(${c.code} ? ${x.code} : ${y.code})`, throws: c.throws || x.throws || y.throws };
    }
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const [l, r] = n.args;
      if (!PRIMITIVE.has(typeOf(l)) || !PRIMITIVE.has(typeOf(r))) return null;
      const a = sub(l);
      const b = sub(r);
      if (a === null || b === null) return null;
      const op = n.op === '==' ? '===' : n.op === '!=' ? '!==' : n.op;
      return { code: `(${a.code} ${op} ${b.code})`, throws: a.throws || b.throws };
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      const t = typeOf(n);
      if (!NUMERIC.has(t) && !(n.op === '+' && t === 'string')) return null;
      const a = sub(n.args[0]);
      const b = sub(n.args[1]);
      if (a === null || b === null) return null;
      const throws = a.throws || b.throws;
      if (n.op === '/' && t === 'int') return { code: `__rt.idiv(${a.code}, ${b.code})`, throws: true };
      if (n.op === '%') return t === 'int' ? { code: `__rt.imod(${a.code}, ${b.code})`, throws: true } : null;
      // int + and * can exceed 2^53 only with absurd facts; CEL would report int64 overflow
      return { code: `(${a.code} ${n.op} ${b.code})`, throws };
    }
    case 'in': {
      const [x, list] = n.args;
      if (list.op !== 'list' || !PRIMITIVE.has(typeOf(x))) return null;
      const a = sub(x);
      if (a === null) return null;
      const items = list.args.map(sub);
      if (items.some((i) => i === null)) return null;
      if (items.length === 0) return { code: 'false', throws: a.throws };
      const parts = (items as Js[]).map((i) => i.code);
      return { code: `[${parts.join(', ')}].includes(${a.code})`, throws: a.throws || (items as Js[]).some((i) => i.throws) };
    }
    case 'call': {
      const [name, args] = n.args;
      if (args.length !== 1) return null;
      const arg = args[0] as ASTNode;
      const at = typeOf(arg);
      const a = sub(arg);
      if (a === null) return null;
      if (name === 'int' && at === 'int') return a;
      if (name === 'int' && at === 'double') return { code: `__rt.toInt(${a.code})`, throws: true };
      if (name === 'double' && NUMERIC.has(at)) return a;
      return null;
    }
    default:
      return null;
  }
}

/** True when the expression mentions no fact or param at all (a constant). */
export function isConstantExpression(env: StrategyEnv, source: string): boolean {
  try {
    return !mentionsIdentifier(env.cel.parse(source).ast);
  } catch {
    return false;
  }
}

function mentionsIdentifier(n: unknown): boolean {
  if (typeof n !== 'object' || n === null) return false;
  if (Array.isArray(n)) return n.some(mentionsIdentifier);
  const node = n as { op?: unknown; args?: unknown };
  if (node.op === 'id') return true;
  if (typeof node.op === 'string') {
    const a = node.args;
    if (typeof a === 'object' && a !== null && !Array.isArray(a) && !('op' in a)) return Object.values(a).some(mentionsIdentifier);
    return mentionsIdentifier(a);
  }
  return false;
}
