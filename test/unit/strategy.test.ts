import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assignVariant, checkStrategy, compileExpression, compileStrategy, emptyFacts, evaluate, evaluateWithCel, formatStrategyIssue, loadStrategy, NEVER_DAYS,
  readStrategyFile, stageMove, strategyEnv, variantBucket,
} from '../../src/strategy/index.js';
import type { Facts, StrategyEnv } from '../../src/strategy/index.js';

const DEFAULT = readFileSync(new URL('../../strategies/default.yaml', import.meta.url), 'utf8');
const ctx = { date: '2026-03-10', accountId: 'L-1' };

function facts(patch: (f: Facts) => void = () => {}, dpd = 0): Facts {
  const f = emptyFacts({ dpd });
  patch(f);
  return f;
}

/** A borrower who never answers: attempts every day, no conversation ever. */
function silent(dpd: number, patch: (f: Facts) => void = () => {}): Facts {
  return facts((f) => {
    f.balance.total = 250000;
    f.contact.borrower.call.consecutiveFailedAttempts = dpd * 2;
    patch(f);
  }, dpd);
}

describe('default strategy', () => {
  const s = loadStrategy(DEFAULT, 'strategies/default.yaml');

  it('passes check with no issues at all', () => {
    expect(checkStrategy(DEFAULT, 'strategies/default.yaml').map(formatStrategyIssue)).toEqual([]);
  });

  it('compiles every expression to JS', () => {
    for (const st of s.base.stages) {
      expect(st.when.engine, st.name).toBe('js');
      for (const a of st.actions) {
        if (a.perDayExpr) expect(a.perDayExpr.engine).toBe('js');
        if (a.whenExpr) expect(a.whenExpr.engine).toBe('js');
      }
    }
  });

  it('walks a borrower who never answers up the ladder', () => {
    const stageAt = (dpd: number, patch?: (f: Facts) => void): string => evaluate(s, silent(dpd, patch), ctx).stage;
    expect(stageAt(0)).toBe('current');
    expect(stageAt(1)).toBe('reminder');
    expect(stageAt(5)).toBe('intensified');
    expect(stageAt(16)).toBe('contact_persons');
    expect(stageAt(46)).toBe('field_visit');
    expect(stageAt(91, (f) => (f.visits = { done: 2, reached: 0, failed: 2, residentialFailed: 1, idCardFailed: 1, daysSinceLast: 10 }))).toBe('legal');
    expect(stageAt(181)).toBe('bad_debt');
  });

  it('a reachable borrower is not sent to contact persons or a visit', () => {
    const f = silent(50, (x) => (x.contact.daysSinceRightPartyContact = 2));
    expect(evaluate(s, f, ctx).stage).toBe('intensified');
  });

  it('an open promise holds escalation; a kept promise that cured the account ends it', () => {
    expect(evaluate(s, silent(20, (f) => (f.promises.open = 1)), ctx).stage).toBe('promised');
    expect(evaluate(s, facts((f) => (f.promises.kept = 1)), ctx).stage).toBe('current');
    expect(evaluate(s, facts((f) => { f.promises.broken = 1; f.promises.brokenPromiseDays = 1; }, 2), ctx).stage).toBe('intensified');
  });

  it('flags, plans and hardship suspend escalation', () => {
    expect(evaluate(s, silent(100, (f) => (f.flags.disputed = true)), ctx)).toMatchObject({ stage: 'paused', tasks: [] });
    expect(evaluate(s, silent(100, (f) => (f.plan.active = true)), ctx).stage).toBe('in_plan');
    expect(evaluate(s, silent(100, (f) => (f.plan.hardshipOpen = true)), ctx).stage).toBe('negotiating');
  });

  it('plans tasks by cadence', () => {
    const types = (f: Facts): string[] => evaluate(s, f, ctx).tasks.map((t) => `${t.type}:${t.party ?? '-'}${t.address ? `:${t.address}` : ''}`);
    expect(types(facts((f) => (f.nextDueInDays = 3)))).toEqual(['sms:borrower']);
    expect(types(facts((f) => (f.nextDueInDays = 4)))).toEqual([]);
    expect(types(silent(2, (f) => (f.stage = 'reminder')))).toEqual(['sms:borrower', 'call:borrower']);
    // intensified: calls rise 1 → 2 → 3 with days in stage while nobody answers
    const calls = (days: number): number =>
      evaluate(s, silent(10, (f) => { f.stage = 'intensified'; f.daysInStage = days; }), ctx).tasks.filter((t) => t.type === 'call').length;
    expect([0, 2, 3, 5, 6, 20].map(calls)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(evaluate(s, silent(10, (f) => { f.stage = 'intensified'; f.daysInStage = 9; f.contact.daysSinceRightPartyContact = 1; }), ctx).tasks.filter((t) => t.type === 'call').length).toBe(1);
    // field visit: residential first, then ID card, then an agency
    const visit = (rf: number, idf: number, day = 0): string[] =>
      types(silent(50, (f) => { f.stage = 'field_visit'; f.daysInStage = day; f.visits.residentialFailed = rf; f.visits.idCardFailed = idf; })).filter((t) => !t.startsWith('call') && !t.startsWith('sms'));
    expect(visit(0, 0)).toEqual(['visit:borrower:residential']);
    expect(visit(0, 0, 3)).toEqual([]);
    expect(visit(1, 0, 7)).toEqual(['visit:borrower:id_card']);
    expect(visit(1, 1, 30)).toEqual(['place_agency:-']);
    // charge-off once, on entry
    expect(types(silent(181))).toEqual(['charge_off:-']);
    expect(types(silent(182, (f) => { f.stage = 'bad_debt'; f.daysInStage = 1; }))).toEqual([]);
    const t = evaluate(s, silent(2), ctx).tasks[0];
    expect(t).toEqual({ accountId: 'L-1', date: '2026-03-10', stage: 'reminder', type: 'sms', party: 'borrower', channel: 'sms', template: 'overdue_reminder', priority: 5, window: { from: '09:00', to: '20:00' }, address: null, seq: 1 });
  });

  it('records a stage move with version, condition and facts', () => {
    const f = silent(16, (x) => (x.stage = 'intensified'));
    const r = evaluate(s, f, ctx);
    expect(stageMove(s, f, r, ctx)).toEqual({
      accountId: 'L-1', from: 'intensified', to: 'contact_persons', date: '2026-03-10', strategy: 'default@1', variant: null,
      condition: 'dpd >= 15 && contact.daysSinceRightPartyContact >= params.unreachableDays', facts: f,
    });
    const same = silent(16, (x) => (x.stage = 'contact_persons'));
    expect(stageMove(s, same, evaluate(s, same, ctx), ctx)).toBeNull();
  });
});

describe('evaluation', () => {
  const file = (stages: string, extra = ''): string => `name: t\nversion: 2\n${extra}stages:\n${stages}`;

  it('first match wins, worst first; no match gives stage none', () => {
    const s = loadStrategy(file(`  - { name: a, when: "dpd >= 10", actions: [{ task: call }] }\n  - { name: b, when: "dpd >= 5", actions: [{ task: sms }] }\n`), 't.yaml');
    expect(evaluate(s, facts(() => {}, 12), ctx)).toMatchObject({ stage: 'a', firedBy: 'dpd >= 10' });
    expect(evaluate(s, facts(() => {}, 7), ctx)).toMatchObject({ stage: 'b', firedBy: 'dpd >= 5' });
    expect(evaluate(s, facts(() => {}, 1), ctx)).toEqual({ stage: 'none', firedBy: null, variant: null, tasks: [], errors: [] });
  });

  it('perDay expressions, everyDays and run-time errors', () => {
    const s = loadStrategy(
      file(`  - name: a\n    when: "100 / dpd > 1"\n    actions:\n      - { task: call, perDay: "dpd < 7 ? 1 : 3" }\n      - { task: sms, everyDays: 3 }\n  - { name: z, when: "true", quiet: true }\n`),
      't.yaml',
    );
    expect(evaluate(s, facts(() => {}, 5), ctx).tasks.map((t) => `${t.type}${t.seq}`)).toEqual(['call1', 'sms1']);
    expect(evaluate(s, facts((f) => { f.stage = 'a'; f.daysInStage = 4; }, 8), ctx).tasks.map((t) => `${t.type}${t.seq}`)).toEqual(['call1', 'call2', 'call3']);
    const zero = evaluate(s, facts(() => {}, 0), ctx);
    expect(zero.stage).toBe('z');
    expect(zero.errors).toEqual(['100 / dpd > 1: division by zero']);
  });

  it('the compiled JS agrees with cel-js on the default strategy and extra expressions', () => {
    const s = loadStrategy(DEFAULT, 'd.yaml');
    const env = strategyEnv(s.file.params);
    const exprs = [
      ...s.base.stages.flatMap((st) => [st.whenSource, ...st.actions.flatMap((a) => [a.when, typeof a.perDay === 'string' ? a.perDay : null])]),
      'dpd / 7 * 2 + dpd % 7', 'propensity * 2.0 > 0.5 && bucket in ["M1", "M2"]', '-dpd < 3 || int(propensity * 10.0) == 4', 'product + currency == "pUSD"',
      'double(dpd) / 3.0 > 2.5', '!(flags.paused) && daysInStage != 3',
    ].filter((e): e is string => e !== null);
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let i = 0; i < 300; i++) {
      const f = facts((x) => {
        x.daysInStage = rnd(10);
        x.bucket = ['C', 'M1', 'M2'][rnd(3)] as string;
        x.contact.daysSinceRightPartyContact = rnd(3) === 0 ? NEVER_DAYS : rnd(20);
        x.contact.borrower.refusals30d = rnd(2);
        x.promises.open = rnd(2);
        x.visits.residentialFailed = rnd(2);
        x.flags.paused = rnd(5) === 0;
        x.plan.active = rnd(8) === 0;
        x.balance.total = rnd(200000);
        x.propensity = rnd(1000) / 1000;
        x.product = 'p';
      }, rnd(200));
      for (const e of exprs) {
        const compiled = s.base.env.cel.parse(e).check().type === 'int' ? 'int' : 'bool';
        const js = (() => {
          const r = compileExpressionFor(env, e, compiled);
          return r(f);
        })();
        expect(js, `${e} @ dpd ${f.dpd}`).toEqual(evaluateWithCel(env, e, f));
      }
    }
  });
});

function compileExpressionFor(env: StrategyEnv, e: string, t: 'int' | 'bool'): (f: Facts) => unknown {
  const r = compileExpression(env, e, t);
  if (!r.ok) throw new Error(`${e}: ${r.problem.message}`);
  expect(r.expr.engine).toBe('js');
  return r.expr.run;
}

describe('variants', () => {
  const arms = (champion: number) => [{ name: 'champion', share: champion }, { name: 'challenger', share: 100 - champion }];

  it('assigns stably and in proportion', () => {
    let challenger = 0;
    for (let i = 0; i < 20000; i++) {
      const v = assignVariant(`L-${i}`, 'exp1', arms(80));
      expect(assignVariant(`L-${i}`, 'exp1', arms(80))).toBe(v);
      if (v === 'challenger') challenger++;
    }
    expect(challenger / 20000).toBeGreaterThan(0.18);
    expect(challenger / 20000).toBeLessThan(0.22);
    expect(variantBucket('L-1', 'exp1')).not.toBe(variantBucket('L-1', 'exp2'));
  });

  it('shifting 10% of share moves about 10% of accounts, all in one direction', () => {
    let moved = 0;
    let wrongWay = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const a = assignVariant(`L-${i}`, 'exp1', arms(80));
      const b = assignVariant(`L-${i}`, 'exp1', arms(70));
      if (a !== b) {
        moved++;
        if (a !== 'champion') wrongWay++;
      }
    }
    expect(moved / n).toBeGreaterThan(0.09);
    expect(moved / n).toBeLessThan(0.11);
    expect(wrongWay).toBe(0);
  });

  it('arms run their overrides', () => {
    const text = `${DEFAULT}\nvariants:\n  experiment: fast-legal-2026q4\n  arms:\n    - { name: champion, share: 50 }\n    - name: fast_legal\n      share: 50\n      overrides:\n        stages:\n          legal: { when: "dpd >= 60 && balance.total >= params.legalMinBalance && visits.reached == 0" }\n`;
    expect(checkStrategy(text, 'v.yaml').map(formatStrategyIssue)).toEqual([]);
    const s = loadStrategy(text, 'v.yaml');
    const f = silent(70);
    expect(evaluate(s, f, { ...ctx, variant: 'champion' })).toMatchObject({ stage: 'field_visit', variant: 'champion' });
    expect(evaluate(s, f, { ...ctx, variant: 'fast_legal' })).toMatchObject({ stage: 'legal', variant: 'fast_legal' });
    const auto = evaluate(s, f, ctx);
    expect(auto.variant).toBe(assignVariant('L-1', 'fast-legal-2026q4', s.variants?.arms ?? []));
  });
});

describe('check', () => {
  const issues = (text: string): string[] => checkStrategy(text, 's.yaml').map(formatStrategyIssue);

  it('reports YAML errors with position', () => {
    expect(issues('name: x\nstages: [\n')[0]).toMatch(/^s\.yaml:3:1: YAML: /);
  });

  it('maps CEL syntax and type errors into the file', () => {
    const text = [
      'name: x',
      'version: 1',
      'stages:',
      '  - name: a',
      '    when: dpd >= + 1', // syntax error at offset 7
      '    actions: [{ task: call }]',
      '  - name: b',
      '    when: "dpd >= 4 && nosuch > 1"', // unknown fact at offset 12
      '    actions: [{ task: call }]',
      '  - name: c',
      '    when: dpd + 1', // not bool
      '    actions: [{ task: call, perDay: "dpd > 3" }]',
      '  - name: d',
      '    when: |-',
      '      dpd >= 1 &&',
      '        contact.borrower.nope > 2',
      '    actions: [{ task: call }]',
      '  - { name: z, when: "true", quiet: true }',
    ].join('\n');
    expect(issues(text)).toEqual([
      's.yaml:5:18: stages[0].when: syntax error: Unexpected token: PLUS',
      's.yaml:8:24: stages[1].when: type error: Unknown variable: nosuch',
      's.yaml:11:11: stages[2].when: type error: must be of type bool, but is int',
      's.yaml:12:38: stages[2].actions[0].perDay: type error: must be of type int, but is bool',
      's.yaml:16:26: stages[3].when: type error: No such key: nope',
    ]);
  });

  it('reports unknown keys, tasks, duplicates, unreachable and empty stages, shares', () => {
    const text = [
      'name: x',
      'version: 1',
      'colour: red',
      'stages:',
      '  - { name: a, when: "dpd  >=  30", actions: [{ task: call }] }',
      '  - { name: a, when: "dpd >= 30", actions: [{ task: call }] }',
      '  - { name: a2, when: "(dpd >= 30)", actions: [{ task: call }] }',
      '  - { name: b, when: "1 == 1", actions: [{ task: sms }] }',
      '  - { name: c, when: "dpd >= 1", actions: [] }',
      '  - { name: d, when: "true", actions: [{ task: phone, window: "21:00-08:00" }, { task: sms, party: bank }] }',
      'variants:',
      '  experiment: e',
      '  arms:',
      '    - { name: champion, share: 80 }',
      '    - { name: c2, share: 30, overrides: { stages: { nope: { when: "true" } } } }',
    ].join('\n');
    expect(issues(text)).toEqual([
      "s.yaml:3:1: colour: is not a known field (known: name, version, description, params, buckets, stages, variants)",
      "s.yaml:6:13: stages[1].name: duplicates stages[0].name \"a\"",
      "s.yaml:7:23: stages[2].when: stage \"a2\" is unreachable: stages[0] \"a\" has the same condition and comes first",
      "s.yaml:9:13: stages[4].name: stage \"c\" has no actions; add some, or mark it `quiet: true` if it deliberately plans nothing",
      "s.yaml:9:22: stages[4].when: stage \"c\" is unreachable: stages[3] \"b\" always matches first (`1 == 1`)",
      "s.yaml:10:48: stages[5].actions[0].task: is required: one of call, sms, email, letter, visit, place_agency, legal_review, charge_off, offer; got \"phone\"",
      "s.yaml:10:63: stages[5].actions[0].window: must end after it starts, got \"21:00-08:00\"",
      "s.yaml:10:100: stages[5].actions[1].party: must be one of borrower, co_borrower, guarantor, reference, employer; got \"bank\"",
      "s.yaml:14:5: variants.arms: shares must sum to 100, got 110",
      "s.yaml:15:53: variants.arms[1].overrides.stages.nope: refers to unknown stage \"nope\" (known: a, a2, b, c)",
    ]);
  });

  it('warns about a missing catch-all and a never-true condition', () => {
    const text = 'name: x\nversion: 1\nstages:\n  - { name: a, when: "1 > 2", actions: [{ task: call }] }\n  - { name: b, when: "dpd > 0", actions: [{ task: call }] }\n';
    expect(issues(text)).toEqual([
      's.yaml:4:22: warning: stages[0].when: stage "a" can never match: its condition is always false',
      's.yaml:5:22: warning: stages[1].when: no catch-all last stage (`when: "true"`): accounts that match no stage get stage "none" and no tasks',
    ]);
    expect(() => loadStrategy(text, 's.yaml')).not.toThrow();
  });

  it('compileStrategy on an unchecked file throws on bad expressions', () => {
    const f = readStrategyFile('name: x\nversion: 1\nstages:\n  - { name: a, when: "dpd >", actions: [{ task: call }] }\n', 's.yaml');
    expect(() => compileStrategy(f)).toThrow(/stages\[0\]\.when: syntax error/);
  });
});
