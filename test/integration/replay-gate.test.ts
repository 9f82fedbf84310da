/**
 * Timelines with a jurisdiction: every scripted attempt goes through the gate (the store's
 * decideAndRecord), blocked attempts never happen, flags are recorded as compliance acts, and the
 * trace carries the decisions — on SQLite and PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTimelineGate } from '../../src/cli/packs.js';
import { replay } from '../../src/cycle/replay.js';
import type { Store } from '../../src/store/db.js';
import { verifyAudit } from '../../src/store/audit.js';
import { expectationFailures, parseTimeline, type TraceDecision, type TraceRow } from '../../src/timeline/index.js';
import { BACKENDS } from '../support/stores.js';

const FILE = 'timelines/gate-example.yaml';
const CLI = 'dist/src/cli/main.js';

describe.each(BACKENDS)('a gated timeline on $name', (backend) => {
  it('asks the gate for every attempt, records only the allowed ones, and records flags as acts', async () => {
    const t = parseTimeline(readFileSync(FILE, 'utf8'), FILE);
    const gate = loadTimelineGate(t);
    if (!gate) throw new Error('gate-example has a jurisdiction');
    let kept: Store | undefined;
    // keep the store open after the replay to look inside
    const openStore = async (): Promise<Store> => {
      const s = await backend.open();
      kept = s;
      return { ...s, close: async () => {} };
    };
    const { rows } = await replay(t, { gate, openStore });
    const store = kept as Store;
    try {
      expect(expectationFailures(rows, FILE)).toEqual([]);
      const decisions = rows.flatMap((r) => r.decisions ?? []);
      const scripted = t.events.filter((e) => e.kind === 'attempt').length;
      expect(decisions).toHaveLength(scripted);
      expect(decisions.every((d) => d.expected !== undefined)).toBe(true);

      // one recorded decision per scripted attempt; only allowed ones became attempts with outcomes
      const recorded = await store.db.selectFrom('gate_decisions').select(['allowed', 'outcome', 'rule']).orderBy('id').execute();
      expect(recorded).toHaveLength(scripted);
      const allowed = decisions.filter((d) => d.allowed).length;
      expect(recorded.filter((r) => r.allowed === 1)).toHaveLength(allowed);
      expect(recorded.filter((r) => r.allowed === 0).every((r) => r.outcome === null && r.rule !== null)).toBe(true);
      expect(recorded.filter((r) => r.allowed === 1).every((r) => r.outcome !== null)).toBe(true);
      const attempts = await store.db.selectFrom('attempts').select(['party', 'channel', 'outcome']).execute();
      expect(attempts).toHaveLength(allowed);

      // the cease letter is an act in the store; the verification with nothing to lift was refused
      const acts = await store.db.selectFrom('compliance_acts').select(['kind', 'source']).execute();
      expect(acts).toEqual([{ kind: 'cease', source: 'letter' }]);
      const on = (d: string): TraceRow => rows.find((r) => r.date === d) as TraceRow;
      expect(on('2026-03-09').events).toContainEqual({ type: 'flag', act: 'cease', source: 'letter' });
      expect(on('2026-03-11').events).toContainEqual(expect.objectContaining({ type: 'flag_ignored', act: 'verification_sent' }));

      // every decision and act is in the hash chain
      expect((await verifyAudit(store.db)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('honours the zones of the borrower and of the phone, and a time written with an offset', async () => {
    const t = parseTimeline(readFileSync(FILE, 'utf8'), FILE);
    const gate = loadTimelineGate(t);
    if (!gate) throw new Error('gate-example has a jurisdiction');
    const { rows } = await replay(t, { gate, openStore: () => backend.open(), until: '2026-03-02' });
    const day = rows[0]?.decisions as TraceDecision[];
    expect(day.map((d) => [d.time, d.allowed, d.rule])).toEqual([
      ['2026-03-02T15:59:00.000Z', false, 'us-regf/hours'], // 10:59 New York = 07:59 Los Angeles
      ['2026-03-02T16:00:00.000Z', true, null],
      ['2026-03-03T01:59:00.000Z', true, null], // 20:59-05:00
      ['2026-03-03T02:00:00.000Z', false, 'us-regf/hours'],
    ]);
    // the early call may be made at 08:00 Los Angeles time, the late one the next morning
    expect(day[0]?.nextAllowedAt).toBe('2026-03-02T16:00:00.000Z');
    expect(day[3]?.reason).toMatch(/America\/Los_Angeles/);
  });
});

describe('the references and employer shorthand', () => {
  it('names references by id in party:, defaults party: employer to the declared employer, and honours forbidsCalls', async () => {
    const file = 'timelines/references-and-employer.yaml';
    const t = parseTimeline(readFileSync(file, 'utf8'), file);
    expect(t.accounts[0]?.parties.map((p) => [p.id, p.kind, p.relation ?? null, p.forbidsCalls ?? false])).toEqual([
      ['sis', 'reference', 'sibling', false], ['employer', 'employer', null, true],
    ]);
    const gate = loadTimelineGate(t);
    if (!gate) throw new Error('has a jurisdiction');
    const { rows } = await replay(t, { gate });
    expect(expectationFailures(rows, file)).toEqual([]);
    expect(rows[0]?.decisions?.map((d) => d.party)).toEqual(['sis', 'sis', 'B1', 'employer']);
  });
});

describe('arrears replay with expectations', () => {
  it('exits 0 when every decision matches, 1 naming the line when one differs', () => {
    const ok = spawnSync(process.execPath, [CLI, 'replay', FILE, '--format', 'json'], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const first = JSON.parse(ok.stdout.split('\n')[0] as string) as TraceRow;
    expect(first.decisions?.[0]).toMatchObject({ party: 'B-1', channel: 'call', allowed: false, rule: 'us-regf/hours', expected: 'us-regf/hours' });

    const dir = mkdtempSync(join(tmpdir(), 'arrears-gate-'));
    const wrong = join(dir, 'wrong.yaml');
    const text = readFileSync(FILE, 'utf8').replace('expect: us-regf/7-in-7', 'expect: allowed');
    writeFileSync(wrong, text);
    const bad = spawnSync(process.execPath, [CLI, 'replay', wrong], { encoding: 'utf8', cwd: process.cwd() });
    expect(bad.status).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes('2026-03-06, time: "12:00", account: L-1, expect: allowed, attempt: { party: borrower')) + 1;
    expect(bad.stderr).toContain('1 expectation(s) of the timeline not met (expect: of attempts, check: events):');
    expect(bad.stderr).toContain(`${wrong}:${line}: 2026-03-06T17:00:00.000Z L-1 B-1 call: expected allowed, got blocked by us-regf/7-in-7`);
  });

  it('a jurisdiction naming no pack is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arrears-gate-'));
    const f = join(dir, 'nopack.yaml');
    writeFileSync(f, readFileSync(FILE, 'utf8').replace('jurisdiction: [us-regf]', 'jurisdiction: [us-regf, us-tx]'));
    const r = spawnSync(process.execPath, [CLI, 'replay', f], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('jurisdiction: no rule pack named "us-tx"');
  });
});
