/**
 * `npm run bench -- gate [--parties N] [--decisions M]`: compliance-gate decisions/s in process with
 * history for N parties (us-regf + us-ma, two time zones per party, up to 12 past attempts each),
 * against the baseline of a bare rolling-window count over the same histories in the same run;
 * plus p50/p99 latency of single decisions.
 */
import { readFileSync } from 'node:fs';
import { decide, loadRulePack, type AttemptRequest, type GateContext, type PastAttempt } from '../src/compliance/index.js';

const ZONES = [['America/New_York'], ['America/Chicago', 'America/New_York'], ['America/Los_Angeles', 'America/Denver'], ['America/New_York', 'America/Los_Angeles']];

export function benchGate(o: { parties: string; decisions: string }): void {
  const n = Number(o.parties);
  const m = Number(o.decisions);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--parties must be a whole number ≥ 1, got "${o.parties}"`);
  if (!Number.isSafeInteger(m) || m < 1) throw new Error(`--decisions must be a whole number ≥ 1, got "${o.decisions}"`);
  const packs = ['us-regf', 'us-ma'].map((p) => loadRulePack(readFileSync(`rule-packs/${p}.yaml`, 'utf8'), `rule-packs/${p}.yaml`));
  const base = Date.parse('2026-03-10T14:00:00Z');
  const outcomes: PastAttempt['outcome'][] = ['no_answer', 'voicemail', 'busy', 'no_answer', 'conversation'];
  const histories: PastAttempt[][] = [];
  for (let i = 0; i < n; i++) {
    const h: PastAttempt[] = [];
    const k = i % 13;
    for (let j = 0; j < k; j++) {
      h.push({
        at: new Date(base - (k - j) * 11 * 3_600_000).toISOString(), debtId: `L-${i}`, partyId: `B-${i}`, contactPointId: `+1617555${String(i % 10000).padStart(4, '0')}`,
        channel: 'call', outcome: outcomes[(i + j) % outcomes.length] as PastAttempt['outcome'],
      });
    }
    histories.push(h);
  }
  const requests: AttemptRequest[] = [];
  const contexts: GateContext[] = [];
  for (let d = 0; d < m; d++) {
    const i = (d * 7919) % n;
    requests.push({
      accountId: `L-${i}`, debtId: `L-${i}`,
      party: { id: `B-${i}`, kind: 'borrower', timezones: ZONES[i % ZONES.length] as string[], flags: {} },
      contactPoint: { id: `+1617555${String(i % 10000).padStart(4, '0')}`, kind: 'phone' }, channel: 'call', purpose: 'collect',
      at: new Date(base + (d % 600) * 60_000).toISOString(),
    });
    contexts.push({ history: histories[i] as PastAttempt[], holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs });
  }
  // baseline: the bare 7-day rolling count over the same histories
  let sink = 0;
  const week = 7 * 86_400_000;
  const t0 = performance.now();
  for (let d = 0; d < m; d++) {
    const at = Date.parse((requests[d] as AttemptRequest).at);
    let c = 0;
    for (const a of (contexts[d] as GateContext).history) {
      const ms = Date.parse(a.at);
      if (ms > at - week && ms <= at && a.outcome !== 'busy') c++;
    }
    if (c < 7) sink++;
  }
  const baseRate = m / ((performance.now() - t0) / 1000);
  // warm-up, then timed
  for (let d = 0; d < Math.min(m, 10_000); d++) decide(requests[d] as AttemptRequest, contexts[d] as GateContext);
  const t1 = performance.now();
  let allowed = 0;
  for (let d = 0; d < m; d++) if (decide(requests[d] as AttemptRequest, contexts[d] as GateContext).allowed) allowed++;
  const rate = m / ((performance.now() - t1) / 1000);
  const lat: number[] = [];
  for (let d = 0; d < Math.min(m, 20_000); d++) {
    const s = performance.now();
    decide(requests[d] as AttemptRequest, contexts[d] as GateContext);
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  const pct = (p: number): string => `${((lat[Math.floor((lat.length - 1) * p)] ?? 0) * 1000).toFixed(0)} µs`;
  process.stdout.write(
    `gate: ${m.toLocaleString('en-US')} decisions, ${n.toLocaleString('en-US')} parties, us-regf + us-ma, ${Math.round((100 * allowed) / m)}% allowed\n`
    + `  baseline (bare 7-day rolling count): ${Math.round(baseRate).toLocaleString('en-US')}/s\n`
    + `  decide():                            ${Math.round(rate).toLocaleString('en-US')}/s  ratio ${(rate / baseRate).toFixed(3)} (target ≥ 50,000/s)\n`
    + `  latency p50 ${pct(0.5)}, p99 ${pct(0.99)} (target p99 < 1 ms)\n`,
  );
  if (sink < 0) process.stdout.write('');
}
