/**
 * Attempts recorded at a later instant than the one being decided (another worker reserved a later
 * slot, or a request arrives late) still count: no window containing the new attempt may exceed
 * the cap.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { decide, loadRulePack, type AttemptRequest, type GateContext, type PastAttempt } from '../../src/compliance/index.js';

const ma = loadRulePack(readFileSync('rule-packs/us-ma.yaml', 'utf8'), 'rule-packs/us-ma.yaml');
const req = (at: string): AttemptRequest => ({
  accountId: 'L-1', debtId: 'L-1',
  party: { id: 'B-1', kind: 'borrower', timezones: ['America/New_York'], flags: {} },
  contactPoint: { id: '+16175550100', kind: 'phone' }, channel: 'call', purpose: 'collect', at,
});
const past = (at: string, outcome: PastAttempt['outcome'] = 'no_answer'): PastAttempt => ({
  at, debtId: 'L-1', partyId: 'B-1', contactPointId: '+16175550100', channel: 'call', outcome,
});
const ctx = (history: PastAttempt[]): GateContext => ({ history, holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs: [ma] });

it('counts an attempt recorded later than the one being decided', () => {
  const d = decide(req('2026-03-11T15:00:00Z'), ctx([past('2026-03-10T15:00:00Z'), past('2026-03-11T15:00:01Z', 'pending')]));
  expect(d.allowed).toBe(false);
  expect(d.rule).toMatch(/^us-ma\//);
  // in order, the same two attempts leave no room either; one of them alone leaves one slot
  expect(decide(req('2026-03-11T15:00:02Z'), ctx([past('2026-03-10T15:00:00Z'), past('2026-03-11T15:00:01Z')])).allowed).toBe(false);
  expect(decide(req('2026-03-11T15:00:00Z'), ctx([past('2026-03-11T15:00:01Z', 'pending')])).allowed).toBe(true);
});

it('a later attempt more than a window away does not count', () => {
  const d = decide(req('2026-03-02T15:00:00Z'), ctx([past('2026-03-10T15:00:00Z'), past('2026-03-11T15:00:00Z')]));
  expect(d.allowed).toBe(true);
});
