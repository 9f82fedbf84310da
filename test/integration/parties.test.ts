/**
 * Parties at the store and what the strategy sees of them and of the compliance acts: references
 * with a number in use feed `contact.referencesOnFile`; cease, death and bankruptcy acts feed the
 * flags that put the account on the quiet `paused` stage — on SQLite and PostgreSQL. And the CLI:
 * `party add|list`, the gate asked about a party on file, a wrong number retired.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS, parseProduct } from '../../src/ledger/index.js';
import { factsFor, loadFactsInputs, runCycle, STEPS, step, strategyStep } from '../../src/cycle/index.js';
import { loadStrategy } from '../../src/strategy/index.js';
import type { Store } from '../../src/store/db.js';
import { recordAct } from '../../src/store/acts.js';
import { verifyAudit } from '../../src/store/audit.js';
import { addParties, listParties, retirePartyNumber } from '../../src/store/parties.js';
import { insertLoans } from '../../src/store/repo.js';
import { rowToState } from '../../src/store/codec.js';
import { catchValidationAsync } from '../support/errors.js';
import { cliRunner, cliTargets } from '../support/cli.js';
import { BACKENDS } from '../support/stores.js';

const strategy = loadStrategy(readFileSync('strategies/default.yaml', 'utf8'), 'strategies/default.yaml');
const product = parseProduct('p', { method: 'annuity', annualRate: 0.12, termMonths: 12 });
const loan = {
  account: { id: 'L-1', borrowerId: 'B-1', productId: 'p', currency: 'USD', principal: 100000, disbursed: '2026-01-01' },
  product,
  borrower: { id: 'B-1', name: 'Ann Lee', timezone: 'America/New_York', phones: ['+12125550100'], emails: [], addresses: [] },
};
const ref = { id: 'R-1', accountId: 'L-1', kind: 'reference', relation: 'sibling', name: 'Bo Lee', phones: ['+13125550111'] };

describe.each(BACKENDS)('parties and acts in the strategy facts on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('counts references with a number in use and raises the hold flags from recorded acts', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan]);
    const date = '2026-04-10';
    await runCycle(s, date, { steps: [...STEPS, step(strategyStep(strategy))] });
    const facts = async () => {
      const input = await loadFactsInputs(s.db, ['L-1'], date);
      const st = await s.db.selectFrom('account_state').selectAll().where('account_id', '=', 'L-1').executeTakeFirstOrThrow();
      return factsFor(strategy, input, loan.account, rowToState(st), date, DEFAULT_BUCKETS);
    };
    expect((await facts()).contact.referencesOnFile).toBe(0);

    await addParties(s.db, [ref, { id: 'E-1', accountId: 'L-1', kind: 'employer', name: 'Acme', phones: ['+13125550122'], forbidsCalls: true }]);
    expect((await listParties(s.db, 'L-1')).map((p) => p.id)).toEqual(['E-1', 'R-1']);
    expect((await facts()).contact.referencesOnFile).toBe(1);
    const dup = await catchValidationAsync(() => addParties(s.db, [ref]));
    expect(dup.field).toBe('parties.id');
    expect((await catchValidationAsync(() => addParties(s.db, [{ ...ref, id: 'R-9', accountId: 'L-9' }]))).rule).toBe('unknown account L-9');

    expect(await retirePartyNumber(s.db, 'R-1', '+13125550111', '2026-04-09T15:00:00.000Z')).toBe(true);
    expect(await retirePartyNumber(s.db, 'R-1', '+13125550111', '2026-04-09T16:00:00.000Z')).toBe(false);
    expect((await facts()).contact.referencesOnFile).toBe(0);

    await recordAct(s, { kind: 'cease', debtId: 'L-1', partyId: null, at: '2026-04-10T14:00:00Z', source: 'letter' });
    expect((await facts()).flags).toMatchObject({ cease: true, deceased: false, bankrupt: false });
    await recordAct(s, { kind: 'cease_withdrawn', debtId: 'L-1', partyId: null, at: '2026-04-10T15:00:00Z', source: 'letter' });
    await recordAct(s, { kind: 'bankruptcy', debtId: 'L-1', partyId: null, at: '2026-04-10T16:00:00Z', source: 'court' });
    expect((await facts()).flags).toMatchObject({ cease: false, bankrupt: true });
    // an act after the date is not yet a fact
    await recordAct(s, { kind: 'deceased', debtId: 'L-1', partyId: null, at: '2026-04-11T09:00:00Z', source: 'agent' });
    expect((await facts()).flags.deceased).toBe(false);

    // the next close puts the account on the quiet stage
    await runCycle(s, '2026-04-11', { steps: [...STEPS, step(strategyStep(strategy))] });
    const stage = await s.db.selectFrom('account_stage').select('stage').where('account_id', '=', 'L-1').executeTakeFirstOrThrow();
    expect(stage.stage).toBe('paused');
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });
});

describe.each(cliTargets('party'))('arrears party and the gate on $name', (t) => {
  const run = cliRunner(t);
  it('adds and lists parties; the gate uses a party on file; a wrong number is retired', () => {
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    const add = run('party', 'add', '--account', 'L-1001', '--id', 'R-1', '--kind', 'reference', '--relation', 'friend', '--name', 'Bo Lee', '--phone', '+13105550111', '--phone', '+13105550112:work');
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toBe('party R-1 added to L-1001: reference (friend), 2 number(s)\n');
    expect(run('party', 'add', '--account', 'L-1001', '--id', 'R-2', '--kind', 'reference', '--name', 'X', '--phone', '555').stderr).toContain('parties[0].phones[0].number: must be an E.164 number');
    const list = run('party', 'list', '--account', 'L-1001');
    expect(list.stdout).toMatch(/R-1\s+reference\/friend\s+Bo Lee\s+\+13105550111 \(mobile\), \+13105550112 \(work\)/);

    expect(run('gate', 'jurisdiction', 'us-regf').status).toBe(0);
    // the reference's number is in Los Angeles: 10:30 in New York is 07:30 there
    const early = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--party', 'reference', '--person', 'R-1', '--purpose', 'location', '--at', '2026-03-04T15:30:00Z');
    expect(early.status).toBe(3);
    expect(early.stdout).toContain('blocked by us-regf/hours');
    const ok = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--party', 'reference', '--person', 'R-1', '--purpose', 'location', '--at', '2026-03-04T17:00:00Z', '--format', 'json');
    expect(ok.status, ok.stderr).toBe(0);
    const d = JSON.parse(ok.stdout) as { id: number; contactPoint: string; zones: string[] };
    expect(d.contactPoint).toBe('+13105550111');
    expect(d.zones).toContain('America/Los_Angeles');
    expect(run('gate', 'outcome', String(d.id), 'wrong_number').stdout).toContain('+13105550111 retired for R-1');
    expect(run('party', 'list', '--account', 'L-1001').stdout).toMatch(/\+13105550111 \(mobile, retired 2026-03-04\)/);
    expect(run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--party', 'reference', '--person', 'R-1', '--to', '+13105550111', '--purpose', 'location').stderr)
      .toContain('--to: +13105550111 was retired for R-1 after a wrong-number outcome');
    expect(run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--party', 'reference', '--person', 'R-9').stderr).toContain('--person: no party "R-9" on account L-1001');
    // named only by its number, a party on file is that person: their retired number, their counts
    expect(run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--party', 'reference', '--to', '+13105550111', '--purpose', 'location').stderr)
      .toContain('--to: +13105550111 was retired for R-1 after a wrong-number outcome');
    const byNumber = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--party', 'reference', '--to', '+13105550112', '--purpose', 'location', '--at', '2026-03-05T17:00:00Z', '--format', 'json');
    expect(JSON.parse(byNumber.stdout)).toMatchObject({ party: 'R-1', contactPoint: '+13105550112' });
  });
});
