/**
 * The default ladder through the real cycle: a borrower who never answers walks every rung on the
 * days strategies/default.yaml says; a kept promise stops the escalation. Stage moves and tasks are
 * stored on both databases.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { replay } from '../../src/cycle/replay.js';
import { runCycle, STEPS, step } from '../../src/cycle/index.js';
import { strategyStep } from '../../src/cycle/strategy-step.js';
import { loadStrategy } from '../../src/strategy/index.js';
import { parseTimeline, type TraceRow } from '../../src/timeline/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import { insertLoans, recordAttempts } from '../../src/store/repo.js';
import type { Store } from '../../src/store/db.js';
import { BACKENDS } from '../support/stores.js';

const DEFAULT = loadStrategy(readFileSync('strategies/default.yaml', 'utf8'), 'strategies/default.yaml');

async function trace(file: string): Promise<TraceRow[]> {
  return (await replay(parseTimeline(readFileSync(file, 'utf8'), file), { strategy: DEFAULT })).rows;
}

function moves(rows: TraceRow[]): [string, number, string][] {
  return rows.filter((r) => r.stageChangedBecause !== null && r.stageChangedBecause !== undefined).map((r) => [r.date, r.dpd, r.stage ?? '']);
}

describe('default ladder: a borrower who never answers', async () => {
  const rows = await trace('timelines/never-answers.yaml');

  it('walks every rung on the days the default file says', () => {
    expect(moves(rows)).toEqual([
      ['2026-01-01', 0, 'current'],
      ['2026-03-02', 1, 'reminder'],
      ['2026-03-05', 4, 'intensified'],
      ['2026-03-16', 15, 'contact_persons'],
      ['2026-04-15', 45, 'field_visit'],
      ['2026-05-30', 90, 'legal'],
      ['2026-08-28', 180, 'bad_debt'],
    ]);
  });

  it('says why, and plans the rung\'s tasks', () => {
    const on = (d: string): TraceRow => rows.find((r) => r.date === d) as TraceRow;
    expect(on('2026-03-16').stageChangedBecause).toContain('contact.daysSinceRightPartyContact >= params.unreachableDays');
    expect(on('2026-03-02').tasks?.map((t) => t.type)).toEqual(['sms', 'call']);
    expect(on('2026-03-16').tasks).toContainEqual(expect.objectContaining({ type: 'call', party: 'employer' }));
    expect(on('2026-04-15').tasks).toContainEqual(expect.objectContaining({ type: 'visit', address: 'residential' }));
    expect(on('2026-05-30').tasks?.map((t) => t.type)).toContain('legal_review');
    expect(on('2026-08-28').tasks?.map((t) => t.type)).toEqual(['charge_off']);
    expect(on('2026-08-29').tasks).toEqual([]);
    // intensified calling rises while nobody answers
    const calls = (d: string): number => (on(d).tasks ?? []).filter((t) => t.type === 'call').length;
    expect([calls('2026-03-05'), calls('2026-03-08'), calls('2026-03-11')]).toEqual([1, 2, 3]);
  });
});

describe('default ladder: a kept promise', async () => {
  const rows = await trace('timelines/promise-kept.yaml');

  it('holds escalation while the promise is open and returns to current once it is kept', () => {
    expect(moves(rows)).toEqual([
      ['2026-01-01', 0, 'current'],
      ['2026-03-02', 1, 'reminder'],
      ['2026-03-05', 4, 'intensified'],
      ['2026-03-06', 5, 'promised'],
      ['2026-03-09', 0, 'current'],
    ]);
    const after = rows.filter((r) => r.date > '2026-03-09');
    expect(after.every((r) => r.stage === 'current')).toBe(true);
  });
});

describe.each(BACKENDS)('strategy step on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('stores stage moves with condition and facts, the current stage, and the day\'s tasks', async () => {
    store = await backend.open();
    const product = parseProduct('p', { method: 'annuity', annualRate: 0.12, termMonths: 12 });
    await insertLoans(store.db, [{
      account: { id: 'L-1', borrowerId: 'B-1', productId: 'p', currency: 'USD', principal: 1000000, disbursed: '2026-01-01' },
      product,
      borrower: { id: 'B-1', name: 'Ann', timezone: 'UTC', phones: [], emails: [], addresses: [] },
    }]);
    await recordAttempts(store.db, [{ accountId: 'L-1', date: '2026-02-03', time: null, party: 'borrower', channel: 'call', outcome: 'no_answer', promise: null }]);
    const steps = [...STEPS, step(strategyStep(DEFAULT))];
    await runCycle(store, '2026-02-01', { steps });
    await runCycle(store, '2026-02-06', { steps });
    const stage = await store.db.selectFrom('account_stage').selectAll().executeTakeFirstOrThrow();
    expect(stage).toEqual({ account_id: 'L-1', stage: 'intensified', since: '2026-02-05', strategy: 'default@1', variant: null });
    const m = await store.db.selectFrom('stage_moves').select(['business_date', 'from_stage', 'to_stage', 'condition', 'facts']).orderBy('id').execute();
    expect(m.map((x) => [x.business_date, x.from_stage, x.to_stage])).toEqual([
      ['2026-02-01', 'none', 'current'], ['2026-02-02', 'current', 'reminder'], ['2026-02-05', 'reminder', 'intensified'],
    ]);
    expect(m[2]?.condition).toContain('dpd >= 4');
    expect(JSON.parse(m[2]?.facts ?? '{}')).toMatchObject({ dpd: 4, stage: 'reminder' });
    const tasks = await store.db.selectFrom('tasks').select(['business_date', 'type', 'party', 'status']).where('business_date', '=', '2026-02-06').orderBy('id').execute();
    expect(tasks).toEqual([
      { business_date: '2026-02-06', type: 'call', party: 'borrower', status: 'planned' },
      { business_date: '2026-02-06', type: 'sms', party: 'borrower', status: 'planned' },
    ]);
  });
});
