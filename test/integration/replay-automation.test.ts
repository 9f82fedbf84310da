/**
 * Automated tasks and promises in timelines (docs/timelines.md, "Automated tasks", "Promises"):
 * planned SMS, e-mail and letters go through the gate and the recording channel, the trace gains
 * `sent` and `promises`; scripted attempts may name an agent and an agency, whose attempts count
 * with the lender's — on SQLite and PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTimelineGate } from '../../src/cli/packs.js';
import { loadStrategy } from '../../src/strategy/index.js';
import { replay, type ReplayResult } from '../../src/cycle/replay.js';
import type { Store } from '../../src/store/db.js';
import { expectationFailures, formatJsonLines, formatTable, parseTimeline, resolveStrategyPath, type TraceRow, type TraceSend } from '../../src/timeline/index.js';
import { BACKENDS, type Backend } from '../support/stores.js';

const PROMISES = 'timelines/promises-example.yaml';
const AGENCY = 'timelines/agency-cn.yaml';

/** Replays `text` (as file `file`) on `backend`, keeping the store open for a look inside; `inspect` runs before it closes. */
async function run(backend: Backend, file: string, text: string, inspect?: (s: Store, r: ReplayResult) => Promise<void>): Promise<ReplayResult> {
  const t = parseTimeline(text, file);
  const path = resolveStrategyPath(t, process.cwd());
  const strategy = path === null ? null : loadStrategy(readFileSync(path, 'utf8'), path);
  const gate = loadTimelineGate(t);
  let kept: Store | undefined;
  const openStore = async (): Promise<Store> => {
    const s = await backend.open();
    kept = s;
    return { ...s, close: async () => {} };
  };
  const r = await replay(t, { ...(strategy ? { strategy } : {}), ...(gate ? { gate } : {}), openStore });
  try {
    if (inspect) await inspect(kept as Store, r);
  } finally {
    await kept?.close();
  }
  return r;
}

const on = (rows: readonly TraceRow[], date: string): TraceRow => {
  const r = rows.find((x) => x.date === date);
  if (!r) throw new Error(`no row for ${date}`);
  return r;
};
const brief = (s: TraceSend): [string, string, string | null, string] => [s.channel, s.party, s.template, s.status];

describe.each(BACKENDS)('timelines/promises-example.yaml on $name', (backend) => {
  it('sends the planned SMS, e-mail and letters through the gate and the recording channel, and shows them with the promises', async () => {
    const text = readFileSync(PROMISES, 'utf8');
    const { rows, messages, letters } = await run(backend, PROMISES, text, async (store, r) => {
      // every send that went out is an allowed decision with outcome sent and a contact attempt with outcome sent
      const sent = r.rows.flatMap((x) => x.sent ?? []).filter((s) => s.status === 'sent');
      const decisions = await store.db.selectFrom('gate_decisions').select(['channel', 'allowed', 'outcome', 'rule']).where('channel', 'in', ['sms', 'email', 'letter']).orderBy('id').execute();
      expect(decisions.filter((d) => d.allowed === 1)).toHaveLength(sent.length);
      expect(decisions.filter((d) => d.allowed === 1).every((d) => d.outcome === 'sent')).toBe(true);
      expect(decisions.filter((d) => d.allowed === 0).map((d) => d.rule)).toEqual(['us-regf/email-sms-opt-out']);
      const attempts = await store.db.selectFrom('attempts').select(['channel', 'outcome', 'decision_id']).where('outcome', '=', 'sent').execute();
      expect(attempts).toHaveLength(sent.length);
      expect(attempts.every((a) => a.decision_id !== null)).toBe(true);
      // calls stay plans: the only call decisions are the two scripted promises
      const calls = await store.db.selectFrom('gate_decisions').select('id').where('channel', '=', 'call').execute();
      expect(calls).toHaveLength(2);
    });
    expect(expectationFailures(rows, PROMISES)).toEqual([]);

    // before each due date, one reminder
    expect(on(rows, '2026-01-29').sent?.map(brief)).toEqual([['sms', 'borrower', 'due_reminder', 'sent']]);
    expect(on(rows, '2026-01-29').sent?.[0]?.text).toBe('Hi Ann Lee, your instalment on account L-P is due in 3 days. Reply STOP to opt out.');
    // overdue: the SMS at its window's start (09:00 New York), the e-mail (no window) at 10:00
    const d0302 = on(rows, '2026-03-02').sent ?? [];
    expect(d0302.map(brief)).toEqual([['sms', 'borrower', 'overdue', 'sent'], ['email', 'borrower', 'overdue_email', 'sent']]);
    expect(d0302.map((s) => [s.time, s.to])).toEqual([['2026-03-02T14:00:00.000Z', '+12125550100'], ['2026-03-02T15:00:00.000Z', 'ann.lee@example.com']]);
    expect(d0302[0]?.text).toBe('Hi Ann Lee, $933.31 is overdue on account L-P (1 day past due). Please pay or call us. Reply STOP to opt out.');
    // days without automated tasks have an empty list
    expect(on(rows, '2026-03-03').sent).toEqual([]);

    // the recording channel got exactly the SMS and e-mails, in order; the letter went to the mailbag
    const all = rows.flatMap((r) => r.sent ?? []).filter((s) => s.status === 'sent');
    expect(messages.map((m) => [m.channel, m.to, m.body, m.providerId])).toEqual(
      all.filter((s) => s.channel !== 'letter').map((s) => [s.channel, s.to, s.text, s.providerId]),
    );
    expect(messages.map((m) => m.providerId)).toEqual(messages.map((_, i) => `rec-${String(i + 1).padStart(6, '0')}`));
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ providerId: 'post-000001', to: '12 Elm St, Albany NY 12207', template: 'broken_promise_letter' });
    expect(letters[0]?.body.split('\n')[0]).toBe('Dear Ann Lee,');

    // the broken promise: a letter to the borrower's mailing address, the reference has no address
    const d0409 = on(rows, '2026-04-09').sent ?? [];
    expect(d0409.map(brief)).toEqual([
      ['sms', 'borrower', 'overdue', 'sent'], ['letter', 'borrower', 'broken_promise_letter', 'sent'], ['letter', 'reference', 'reference_letter', 'not_sendable'],
    ]);
    expect(d0409[2]).toMatchObject({ person: 'sis', to: null, time: null, reason: 'sis has no mailing or residential address' });
    // after the opt-out the SMS is blocked, with the rule and the reason, and not sent
    const d0411 = on(rows, '2026-04-11').sent ?? [];
    expect(d0411).toEqual([expect.objectContaining({ channel: 'sms', status: 'blocked', rule: 'us-regf/email-sms-opt-out', text: null, providerId: null })]);
    expect(d0411[0]?.reason).toMatch(/opted out of sms/);
    expect(messages.some((m) => m.body.includes('10 days past due'))).toBe(false);

    // promises: none before the first; open, partly paid, kept by the second payment; the second broken
    expect(on(rows, '2026-03-04').promises).toEqual([]);
    const first = (d: string) => on(rows, d).promises?.[0];
    expect(first('2026-03-05')).toMatchObject({ madeOn: '2026-03-05', amount: 94000, due: '2026-03-16', paid: 0, remaining: 94000, state: 'open', settledOn: null, takenBy: 'U-7' });
    expect(first('2026-03-12')).toMatchObject({ paid: 40000, remaining: 54000, state: 'open' });
    expect(first('2026-03-13')).toMatchObject({ paid: 94000, remaining: 0, state: 'kept', settledOn: '2026-03-13' });
    const second = (d: string) => on(rows, d).promises?.[1];
    expect(second('2026-04-08')).toMatchObject({ amount: 90000, paid: 30000, remaining: 60000, state: 'open' });
    expect(second('2026-04-09')).toMatchObject({ paid: 30000, remaining: 60000, state: 'broken', settledOn: '2026-04-09' });
    expect(on(rows, '2026-04-12').promises?.map((p) => p.state)).toEqual(['kept', 'broken']);

    // JSON lines carry sent and promises after the gate's decisions; the table has a column for each
    const json = JSON.parse(formatJsonLines([on(rows, '2026-04-09')]).trim()) as Record<string, unknown>;
    expect(Object.keys(json).slice(-4)).toEqual(['tasks', 'decisions', 'sent', 'promises']);
    const table = formatTable(rows.filter((r) => ['2026-04-09', '2026-04-11'].includes(r.date)), () => 'USD').split('\n');
    expect(table[0]).toMatch(/ gate +sent +promises +events$/);
    expect(table[2]).toContain('sms:overdue, letter:broken_promise_letter, letter→reference:reference_letter not sendable');
    expect(table[2]).toContain('1 kept, 1 broken');
    expect(table[3]).toContain('sms:overdue blocked (us-regf/email-sms-opt-out)');
  });

  it('a check that differs is reported with its line', async () => {
    const text = readFileSync(PROMISES, 'utf8').replace('check: { sent: 0, blocked: 1 }', 'check: { sent: 1, blocked: 1 }')
      .replace('check: { promises: { open: 0, kept: 1 } }', 'check: { promises: { open: 1, kept: 1 } }');
    const lines = text.split('\n');
    const sentLine = lines.findIndex((l) => l.includes('check: { sent: 1, blocked: 1 }')) + 1;
    const keptLine = lines.findIndex((l) => l.includes('check: { promises: { open: 1, kept: 1 } }')) + 1;
    const { rows } = await run(backend, PROMISES, text);
    expect(expectationFailures(rows, PROMISES)).toEqual([
      `${PROMISES}:${keptLine}: 2026-03-13 L-P: expected promises open 1, got 0`,
      `${PROMISES}:${sentLine}: 2026-04-11 L-P: expected sent 1, got 0`,
    ]);
  });
});

describe('automated tasks: opting out, and templates', () => {
  const sqlite = BACKENDS[0] as Backend;

  it('automate: false replays the same ledger and plans without sending anything (no sent key)', async () => {
    const text = readFileSync(PROMISES, 'utf8').replace('jurisdiction: us-regf', 'jurisdiction: us-regf\nautomate: false')
      .replace(/^ {2}- \{ date: [0-9-]+, account: L-P, check: \{ sent.*\n/gm, '');
    const off = await run(sqlite, PROMISES, text);
    expect(off.messages).toEqual([]);
    expect(off.letters).toEqual([]);
    expect(off.rows.every((r) => r.sent === undefined)).toBe(true);
    expect(on(off.rows, '2026-03-02').tasks?.map((t) => t.type)).toEqual(['email', 'sms', 'call']);
    expect(on(off.rows, '2026-04-12').promises?.map((p) => p.state)).toEqual(['kept', 'broken']);
  });

  it('automate: [letter] sends only letters', async () => {
    const text = readFileSync(PROMISES, 'utf8').replace('jurisdiction: us-regf', 'jurisdiction: us-regf\nautomate: [letter]')
      .replace(/^ {2}- \{ date: [0-9-]+, account: L-P, check: \{ sent.*\n/gm, '');
    const r = await run(sqlite, PROMISES, text);
    expect(r.messages).toEqual([]);
    expect(r.letters).toHaveLength(1);
    expect(r.rows.flatMap((x) => x.sent ?? []).map(brief)).toEqual([
      ['letter', 'borrower', 'broken_promise_letter', 'sent'], ['letter', 'reference', 'reference_letter', 'not_sendable'],
    ]);
  });

  it('a task naming a template the timeline does not define is an error naming the task and the template', async () => {
    const text = readFileSync(PROMISES, 'utf8').replace('  overdue_email:\n', '  overdue_mail:\n');
    await expect(run(sqlite, PROMISES, text)).rejects.toThrow(
      /task email \(stage overdue, account L-P, 2026-03-02\) names template "overdue_email", which is not in the timeline's templates \(known: .*overdue_mail/,
    );
  });
});

describe('automated sends to a reference go through the third-party and template rules', () => {
  const sqlite = BACKENDS[0] as Backend;
  const STRATEGY = `name: refs
version: 1
stages:
  - name: all
    when: "true"
    actions:
      - { task: sms, party: reference, template: ref_sms, window: "09:00-20:00" }
      - { task: sms, party: reference, template: ref_sms_amount, window: "10:00-20:00" }
`;
  const TIMELINE = `start: 2026-05-05
until: 2026-05-06
strategy: strategies/refs.yaml
jurisdiction: cn
templates:
  ref_sms: { audience: third_party, language: en, body: "Hello, please ask {name} to get in touch with us." }
  ref_sms_amount: { audience: third_party, language: en, body: "Please tell {name} that {amount} is overdue." }
products:
  p: { method: annuity, annualRate: 0.12, termMonths: 12 }
accounts:
  - id: L1
    product: p
    principal: 100000
    currency: CNY
    disbursed: 2026-01-01
    borrower: { id: B1, name: Wang Fang, timezone: Asia/Shanghai, phones: ["+8613800138000"] }
    references: [{ id: li, name: Li Lei, relation: friend, phones: ["+8613900139000"] }]
events:
  # three unanswered calls: from then on the debtor cannot be reached, and contact persons may be asked to pass a message
  - { date: 2026-05-06, account: L1, attempts: { party: borrower, channel: call, outcome: no_answer, times: ["08:00", "08:10", "08:20"], until: 2026-05-06 } }
`;

  it('as messages: blocked while the debtor is reachable, then allowed unless the template states an amount', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arrears-refs-'));
    mkdirSync(join(dir, 'strategies'));
    writeFileSync(join(dir, 'strategies', 'refs.yaml'), STRATEGY);
    const file = join(dir, 'refs.yaml');
    writeFileSync(file, TIMELINE);
    const { rows, messages } = await run(sqlite, file, TIMELINE);
    const day = (d: string) => (on(rows, d).sent ?? []).map((s) => [s.person, s.template, s.status, s.rule]);
    expect(day('2026-05-05')).toEqual([
      ['li', 'ref_sms', 'blocked', 'cn/contact-persons'], ['li', 'ref_sms_amount', 'blocked', 'cn/contact-persons'],
    ]);
    expect(day('2026-05-06')).toEqual([['li', 'ref_sms', 'sent', null], ['li', 'ref_sms_amount', 'blocked', 'cn/template']]);
    expect(messages.map((m) => [m.to, m.body])).toEqual([['+8613900139000', 'Hello, please ask Wang Fang to get in touch with us.']]);
  });
});

describe.each(BACKENDS)('timelines/agency-cn.yaml on $name', (backend) => {
  it('an agency\'s connected calls count with the lender\'s towards cn/connected-per-day', async () => {
    const text = readFileSync(AGENCY, 'utf8');
    const { rows } = await run(backend, AGENCY, text, async (store) => {
      const recorded = await store.db.selectFrom('gate_decisions').select(['agent_id', 'agency_id', 'allowed', 'rule']).orderBy('id').execute();
      expect(recorded.map((d) => [d.agent_id, d.agency_id, d.allowed, d.rule])).toEqual([
        ['U-7', null, 1, null], ['X-1', 'AG-EAST', 1, null], ['X-1', 'AG-EAST', 1, null], ['U-7', null, 1, null],
        ['X-1', 'AG-EAST', 0, 'cn/connected-per-day'], ['U-7', null, 0, 'cn/connected-per-day'], ['X-1', 'AG-EAST', 1, null],
      ]);
      const attempts = await store.db.selectFrom('attempts').select(['agent_id', 'agency_id', 'outcome']).orderBy('id').execute();
      expect(attempts.filter((a) => a.agency_id === 'AG-EAST').map((a) => a.outcome)).toEqual(['no_answer', 'conversation', 'conversation']);
    });
    expect(expectationFailures(rows, AGENCY)).toEqual([]);
    const day = on(rows, '2026-05-05').decisions ?? [];
    expect(day[4]).toMatchObject({ agent: 'X-1', agency: 'AG-EAST', allowed: false, rule: 'cn/connected-per-day' });
    expect(day[4]?.reason).toMatch(/3 connected calls today across the lender and its agencies/);
    expect(day[0]).toMatchObject({ agent: 'U-7', allowed: true });
    expect(day[0]?.agency).toBeUndefined();
    expect(on(rows, '2026-05-05').promises).toEqual([expect.objectContaining({ amount: 20000, takenBy: 'U-7', agencyId: null, state: 'open' })]);
    // JSON: agent and agency after nextAllowedAt
    const json = JSON.parse(formatJsonLines([on(rows, '2026-05-05')]).trim()) as { decisions: Record<string, unknown>[] };
    expect(Object.keys(json.decisions[4] as object)).toEqual(['time', 'party', 'channel', 'allowed', 'rule', 'reason', 'nextAllowedAt', 'agent', 'agency', 'expected']);
  });

  it('without the agency\'s connected call the lender and the agency stay under the cap', async () => {
    const text = readFileSync(AGENCY, 'utf8').replace('time: "11:00", account: L1, expect: allowed, attempt: { party: borrower, channel: call, outcome: conversation',
      'time: "11:00", account: L1, expect: allowed, attempt: { party: borrower, channel: call, outcome: no_answer');
    const { rows } = await run(backend, AGENCY, text);
    const blocked = (on(rows, '2026-05-05').decisions ?? []).filter((d) => !d.allowed);
    // only the last call of the day (the fourth connected one) is blocked now; the agency's 16:00 call is allowed
    expect(blocked.map((d) => [d.time, d.agent])).toEqual([['2026-05-05T08:30:00.000Z', 'U-7']]);
  });
});

describe('arrears replay of timelines/promises-example.yaml (CLI, from dist)', () => {
  const CLI = 'dist/src/cli/main.js';

  it('prints sent and promises, exits 0 when every check holds and 1 naming the line when one does not', () => {
    const ok = spawnSync(process.execPath, [CLI, 'replay', PROMISES, '--account', 'L-P', '--until', '2026-04-11'], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const lines = ok.stdout.split('\n');
    expect(lines[0]).toMatch(/ sent +promises +events$/);
    expect(lines.find((l) => l.startsWith('2026-04-11'))).toContain('sms:overdue blocked (us-regf/email-sms-opt-out)');

    const json = spawnSync(process.execPath, [CLI, 'replay', PROMISES, '--format', 'json', '--until', '2026-03-13'], { encoding: 'utf8' });
    const last = JSON.parse(json.stdout.trim().split('\n').at(-1) as string) as TraceRow;
    expect(last.promises?.map((p) => [p.state, p.paid, p.settledOn])).toEqual([['kept', 94000, '2026-03-13']]);

    const dir = mkdtempSync(join(tmpdir(), 'arrears-auto-'));
    mkdirSync(join(dir, 'strategies'));
    writeFileSync(join(dir, 'strategies', 'promises-example.yaml'), readFileSync('timelines/strategies/promises-example.yaml', 'utf8'));
    const text = readFileSync(PROMISES, 'utf8').replace('check: { sent: 0, blocked: 1 }', 'check: { sent: 0, blocked: 2 }');
    const file = join(dir, 'promises.yaml');
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('blocked: 2')) + 1;
    const bad = spawnSync(process.execPath, [CLI, 'replay', file], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`${file}:${line}: 2026-04-11 L-P: expected blocked 2, got 1`);
  });
});
