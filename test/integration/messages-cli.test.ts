/**
 * `arrears messages send` then `arrears dispatch --once` on SQLite and PostgreSQL: the date's SMS
 * and e-mail tasks through the gate into the outbox, delivered once into a recording directory; a
 * re-run enqueues nothing and asks nothing; bad flags name the flag.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.js';
import { recordAct } from '../../src/store/acts.js';
import { cliRunner, cliTargets, withDb } from '../support/cli.js';

const DATE = '2025-06-30';
const out = mkdtempSync(join(tmpdir(), 'arrears-messages-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));


async function task(s: Store, accountId: string, channel: 'sms' | 'email', template: string, date = DATE): Promise<number> {
  const r = await s.db.insertInto('tasks').values({
    account_id: accountId, business_date: date, type: channel, party: 'borrower', channel, template,
    priority: 5, window: '09:00-20:00', stage: 'intensified', seq: 1, address: null, status: 'planned',
  }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

const jsonFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
};

describe.each(cliTargets('messagescli'))('arrears messages send on $name', (t) => {
  const run = cliRunner(t, { LOG_LEVEL: 'warn' });
  const dir = join(out, t.name);
  const cfg = join(out, `${t.name}-channels.yaml`);
  writeFileSync(cfg, `sms:\n  type: recording\n  dir: ${t.name}/sms\nemail:\n  type: recording\n  dir: ${t.name}/mail\n`);
  const count = (table: 'gate_decisions' | 'outbox'): Promise<number> =>
    withDb(t, async (s) => Number((await s.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));

  it('enqueues the allowed messages, dispatch delivers them once, and a re-run does nothing', async () => {
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    expect(run('gate', 'jurisdiction', 'us-regf').status).toBe(0);
    expect(run('cycle', 'run', '--date', DATE).status).toBe(0);
    const ids = await withDb(t, async (s) => {
      const sms = await task(s, 'L-1001', 'sms', 'overdue');
      const blocked = await task(s, 'L-1002', 'sms', 'overdue');
      const mail = await task(s, 'L-1003', 'email', 'overdue_reminder');
      const none = await task(s, 'L-1002', 'email', 'overdue_reminder');
      await recordAct(s, { kind: 'cease', debtId: 'L-1002', partyId: 'B-502', at: '2025-06-20T15:00:00Z', source: 'letter' });
      return { sms, blocked, mail, none };
    });

    const first = run('messages', 'send', '--date', DATE);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`no contact point: task ${ids.none} L-1002 email (borrower) — B-502 has no e-mail address`);
    expect(first.stdout).toContain('blocked: us-regf/cease 1');
    expect(first.stdout).toContain(`messages ${DATE}: 2 sent to the outbox, 1 blocked, 1 no contact point, 0 already done`);
    expect(first.stdout).toContain('arrears dispatch --once');
    expect(await count('gate_decisions')).toBe(3);

    const d = run('dispatch', '--once', '--channels', cfg);
    expect(d.status).toBe(0);
    expect(d.stdout).toContain('claimed 2, sent 2 (0 duplicates)');
    const sms = jsonFiles(join(dir, 'sms'));
    const mail = jsonFiles(join(dir, 'mail'));
    expect(sms).toHaveLength(1);
    expect(mail).toHaveLength(1);
    const text = JSON.parse(readFileSync(join(dir, 'sms', sms[0] as string), 'utf8')) as Record<string, string>;
    expect(text).toMatchObject({ idempotencyKey: `task-${ids.sms}:sms`, to: '+12125550100', accountId: 'L-1001' });
    expect(text.body).toMatch(/^Hi Ana Lima, your account L-1001 is \d+ days? past due with \$[\d,]+\.\d\d overdue\. /);
    const email = JSON.parse(readFileSync(join(dir, 'mail', mail[0] as string), 'utf8')) as Record<string, string>;
    expect(email).toMatchObject({ idempotencyKey: `task-${ids.mail}:email`, to: 'ana@example.com', subject: 'A friendly reminder about account L-1003' });

    // again: nothing asked, nothing enqueued, nothing delivered
    const again = run('messages', 'send', '--date', DATE, '--format', 'json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ date: DATE, handled: 0, sent: 0, blocked: 0, noContactPoint: 0, alreadyDone: 4, outcomes: [] });
    expect(await count('gate_decisions')).toBe(3);
    expect(await count('outbox')).toBe(2);
    expect(run('dispatch', '--once', '--channels', cfg).stdout).toContain('claimed 0, sent 0');
    expect(jsonFiles(join(dir, 'sms'))).toHaveLength(1);
    const statuses = await withDb(t, async (s) => (await s.db.selectFrom('tasks').select(['id', 'status']).where('channel', 'in', ['sms', 'email']).orderBy('id').execute()).map((r) => [Number(r.id), r.status]));
    expect(statuses).toEqual([[ids.sms, 'done'], [ids.blocked, 'blocked'], [ids.mail, 'done'], [ids.none, 'no_contact_point']]);
    // a task of an earlier date still planned: said on stderr, not sent with this date's
    const old = await withDb(t, (s) => task(s, 'L-1001', 'sms', 'overdue', '2025-06-27'));
    const later = run('messages', 'send', '--date', DATE, '--channel', 'sms');
    expect(later.stderr).toContain('note: 1 planned sms task(s) of earlier dates (from 2025-06-27) are still waiting');
    expect(await withDb(t, async (s) => (await s.db.selectFrom('tasks').select('status').where('id', '=', old).executeTakeFirstOrThrow()).status)).toBe('planned');
    await withDb(t, (s) => s.db.deleteFrom('tasks').where('id', '=', old).execute());
  });

  it('names a bad flag and an unknown template', async () => {
    const bad = run('messages', 'send', '--date', '2025-13-01');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--date');
    const limit = run('messages', 'send', '--date', DATE, '--limit', '0');
    expect(limit.status).toBe(1);
    expect(limit.stderr).toContain('--limit');
    const id = await withDb(t, (s) => task(s, 'L-1001', 'sms', 'nope'));
    const unknown = run('messages', 'send', '--date', DATE);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain(`sms task ${id} (account L-1001) uses template "nope"`);
  });
});
