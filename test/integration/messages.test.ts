/**
 * The day's SMS and e-mail tasks on both databases: allowed ones in the outbox (rendered text,
 * recipient, key, due at the decision's instant) with the contact result and the task done in one
 * go; a cease blocks one; no phone or no party is "no contact point"; a borrower template to a
 * reference is blocked by the packs' template rule; a party's language picks the zh-CN text; a
 * message already in the outbox is not asked again; a re-run asks and writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseProduct } from '../../src/ledger/index.js';
import { insertLoans } from '../../src/store/repo.js';
import { runCycle } from '../../src/cycle/index.js';
import { recordAct } from '../../src/store/acts.js';
import { addParties } from '../../src/store/parties.js';
import { enqueue, outboxEntry, type OutboxEntry } from '../../src/store/outbox.js';
import { verifyAudit } from '../../src/store/audit.js';
import { messageKey, sendDayMessages, type SendMessagesOptions } from '../../src/store/messages.js';
import { loadMessageTemplates } from '../../src/channels/messages.js';
import { formatMoney } from '../../src/contact/index.js';
import { findPackFile, loadPackFile } from '../../src/cli/packs.js';
import type { Store } from '../../src/store/db.js';
import { BACKENDS } from '../support/stores.js';

const bullet = parseProduct('B2', {
  method: 'bullet', annualRate: 0.12, termMonths: 2, dayCount: '30/360', graceDays: 0,
  penalty: { dailyRate: 0.0005, base: 'overdue-principal' }, liquidatedDamages: { fixed: 2500 },
});

function loan(id: string, name: string, contact: { phones?: string[]; emails?: string[]; timezone?: string }) {
  return {
    account: { id, borrowerId: `B-${id}`, productId: 'B2', currency: 'USD', principal: 120_000, disbursed: '2026-01-01' },
    product: bullet,
    borrower: { id: `B-${id}`, name, timezone: contact.timezone ?? 'America/New_York', phones: contact.phones ?? [], emails: contact.emails ?? [], addresses: [] },
  };
}

const DATE = '2026-03-16';
const usRegf = loadPackFile(findPackFile('us-regf'));
const ukConc = loadPackFile(findPackFile('uk-conc'));

async function task(s: Store, accountId: string, channel: 'sms' | 'email', template: string, party = 'borrower', window: string | null = '09:00-20:00'): Promise<number> {
  const r = await s.db.insertInto('tasks').values({
    account_id: accountId, business_date: DATE, type: channel, party, channel, template,
    priority: 5, window, stage: 'intensified', seq: 1, address: null, status: 'planned',
  }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

const count = async (s: Store, table: 'gate_decisions' | 'attempts' | 'outbox' | 'audit_log'): Promise<number> =>
  Number((await s.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe.each(BACKENDS)('messages send on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const options = (over: Partial<SendMessagesOptions> = {}): SendMessagesOptions => ({
    date: DATE,
    templates: loadMessageTemplates(),
    // L-5 is a UK account: the UK allows a message through a reference, so the template rule decides
    packsFor: (accountId) => Promise.resolve({ packs: [accountId === 'L-5' ? ukConc : usRegf], holidays: [] }),
    now: '2026-03-16T20:00:00Z',
    ...over,
  });

  it('enqueues the allowed messages with their results, marks the others, and re-runs without asking the gate', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [
      loan('L-1', 'Ann Lee', { phones: ['+12125550101'] }),
      loan('L-2', 'Bo Chen', { phones: ['+12125550102'] }),
      loan('L-3', 'Cy Diaz', {}),
      loan('L-4', 'Di Evans', { emails: ['di@example.com'] }),
      loan('L-5', 'Ed Fox', { phones: ['+447700900105'], timezone: 'Europe/London' }),
      loan('L-6', 'Fa Gu', { phones: ['+12125550106'] }),
      loan('L-7', 'Gil Ho', { phones: ['+12125550107'] }),
    ]);
    await runCycle(s, '2026-03-15');
    await addParties(s.db, [
      { id: 'R-5', accountId: 'L-5', kind: 'reference', relation: 'friend', name: 'Ria Ray', timezone: 'Europe/London', phones: ['+447700900205'] },
      { id: 'G-6', accountId: 'L-6', kind: 'guarantor', name: '李华', timezone: 'America/New_York', languages: ['zh-CN'], phones: [{ number: '+12125550306', type: 'home' }, { number: '+12125550206', type: 'mobile' }] },
    ]);
    // Bo Chen asked in writing to stop contact
    await recordAct(s, { kind: 'cease', debtId: 'L-2', partyId: 'B-L-2', at: '2026-03-10T15:00:00Z', source: 'letter' });
    const t1 = await task(s, 'L-1', 'sms', 'overdue');
    const t2 = await task(s, 'L-2', 'sms', 'overdue');
    const t3 = await task(s, 'L-3', 'sms', 'overdue');
    const t4 = await task(s, 'L-4', 'email', 'overdue_reminder', 'borrower', null);
    const t5 = await task(s, 'L-5', 'sms', 'overdue', 'reference');
    const t6 = await task(s, 'L-6', 'sms', 'overdue', 'guarantor');
    const t7 = await task(s, 'L-7', 'sms', 'overdue', 'employer');
    // a call task and a letter task of the date are not this command's
    await s.db.insertInto('tasks').values({ account_id: 'L-1', business_date: DATE, type: 'call', party: 'borrower', channel: 'call', template: 'collect', priority: 5, window: null, stage: 'intensified', seq: 1, address: null, status: 'planned' }).execute();
    const progress: number[] = [];

    const first = await sendDayMessages(s, options({ onProgress: (d) => progress.push(d) }));
    expect(first).toMatchObject({ date: DATE, handled: 7, sent: 3, blocked: 2, noContactPoint: 2, alreadyDone: 0, remaining: 0 });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const by = new Map(first.outcomes.map((o) => [o.taskId, o]));
    expect(by.get(t2)).toMatchObject({ status: 'blocked', rule: 'us-regf/cease' });
    expect(by.get(t3)).toMatchObject({ status: 'no_contact_point', reason: 'B-L-3 has no phone number for SMS', decisionId: null });
    expect(by.get(t5)).toMatchObject({ status: 'blocked', rule: 'uk-conc/template', partyId: 'R-5', to: '+447700900205' });
    expect(by.get(t5)?.reason).toContain('overdue');
    expect(by.get(t7)).toMatchObject({ status: 'no_contact_point', partyId: null, reason: 'account L-7 has no employer on file' });
    expect(first.blockedBy).toEqual({ 'us-regf/cease': 1, 'uk-conc/template': 1 });

    // the outbox: rendered text, recipient, key, task; due at the decision's instant (the window's start, the recipient's zone)
    const keys = (await s.db.selectFrom('outbox').select('idempotency_key').orderBy('task_id').execute()).map((r) => r.idempotency_key);
    const outbox = (await Promise.all(keys.map((k) => outboxEntry(s.db, k)))).filter((e): e is OutboxEntry => e !== null);
    expect(outbox.map((e) => e.message.idempotencyKey)).toEqual([messageKey(t1, 'sms'), messageKey(t4, 'email'), messageKey(t6, 'sms')]);
    const state = await s.db.selectFrom('account_state').select(['account_id', 'overdue', 'dpd']).where('account_id', '=', 'L-1').executeTakeFirstOrThrow();
    const sms = outbox[0];
    expect(sms?.message).toMatchObject({ channel: 'sms', to: '+12125550101', accountId: 'L-1', taskId: t1, idempotencyKey: `task-${t1}:sms` });
    expect(sms?.message.subject).toBeUndefined();
    expect(sms?.message.body).toBe(`Hi Ann Lee, your account L-1 is ${Number(state.dpd)} days past due with ${formatMoney(Number(state.overdue), 'USD', 'en')} overdue. Please pay today or call us to agree a plan. Reply STOP to opt out.`);
    expect(sms?.status).toBe('pending');
    expect(sms?.nextAttemptAt).toBe('2026-03-16T13:00:00.000Z'); // 09:00 in New York (EDT)
    const mail = outbox[1];
    expect(mail?.message).toMatchObject({ channel: 'email', to: 'di@example.com', subject: 'A friendly reminder about account L-4' });
    expect(mail?.nextAttemptAt).toBe('2026-03-16T14:00:00.000Z'); // no window: 10:00 in New York
    // the guarantor reads Chinese, and is texted at the mobile, not the first (home) number
    expect(outbox[2]?.message.to).toBe('+12125550206');
    expect(outbox[2]?.message.body).toMatch(/^李华，您好！您的账户 L-6 已逾期 \d+ 天，逾期金额 US\$/);
    expect(by.get(t6)).toMatchObject({ language: 'zh-CN', status: 'done' });

    // decisions: five asked (two had no contact point); the three allowed are `sent` with their attempts
    const decisions = await s.db.selectFrom('gate_decisions').select(['id', 'debt_id', 'party_id', 'channel', 'purpose', 'allowed', 'outcome', 'contact_point']).orderBy('id').execute();
    expect(decisions.map((d) => [d.debt_id, d.party_id, d.channel, d.purpose, d.allowed, d.outcome])).toEqual([
      ['L-1', 'B-L-1', 'sms', 'collect', 1, 'sent'], ['L-2', 'B-L-2', 'sms', 'collect', 0, null], ['L-4', 'B-L-4', 'email', 'collect', 1, 'sent'],
      ['L-5', 'R-5', 'sms', 'message', 0, null], ['L-6', 'G-6', 'sms', 'collect', 1, 'sent'],
    ]);
    const attempts = await s.db.selectFrom('attempts').select(['account_id', 'business_date', 'channel', 'outcome', 'party']).orderBy('id').execute();
    expect(attempts).toEqual([
      { account_id: 'L-1', business_date: DATE, channel: 'sms', outcome: 'sent', party: 'borrower' },
      { account_id: 'L-4', business_date: DATE, channel: 'email', outcome: 'sent', party: 'borrower' },
      { account_id: 'L-6', business_date: DATE, channel: 'sms', outcome: 'sent', party: 'guarantor' },
    ]);
    const statuses = new Map((await s.db.selectFrom('tasks').select(['id', 'status']).execute()).map((x) => [Number(x.id), x.status]));
    expect([t1, t2, t3, t4, t5, t6, t7].map((t) => statuses.get(t))).toEqual(['done', 'blocked', 'no_contact_point', 'done', 'blocked', 'done', 'no_contact_point']);
    expect([...statuses.values()].filter((x) => x === 'planned')).toHaveLength(1); // the call
    const marks = await s.db.selectFrom('audit_log').select(['kind', 'data']).where('kind', 'in', ['message.blocked', 'message.no_contact_point']).orderBy('seq').execute();
    expect(marks.map((m) => [m.kind, (JSON.parse(m.data) as { task: number }).task])).toEqual([
      ['message.blocked', t2], ['message.no_contact_point', t3], ['message.blocked', t5], ['message.no_contact_point', t7],
    ]);
    expect(JSON.parse(marks[0]?.data ?? '{}')).toMatchObject({ rule: 'us-regf/cease', decision: Number(decisions[1]?.id) });

    // again: nothing asked, nothing written
    const before = { d: await count(s, 'gate_decisions'), a: await count(s, 'attempts'), o: await count(s, 'outbox'), l: await count(s, 'audit_log') };
    const again = await sendDayMessages(s, options({ now: '2026-03-17T08:00:00Z' }));
    expect(again).toMatchObject({ handled: 0, sent: 0, blocked: 0, noContactPoint: 0, alreadyDone: 7, outcomes: [] });
    expect({ d: await count(s, 'gate_decisions'), a: await count(s, 'attempts'), o: await count(s, 'outbox'), l: await count(s, 'audit_log') }).toEqual(before);
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('takes --limit tasks at a time, one channel, and leaves a message already in the outbox alone', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1', 'Ann Lee', { phones: ['+12125550101'], emails: ['ann@example.com'] }), loan('L-2', 'Bo Chen', { phones: ['+12125550102'] })]);
    await runCycle(s, '2026-03-15');
    const t1 = await task(s, 'L-1', 'sms', 'promise_reminder');
    const t2 = await task(s, 'L-2', 'sms', 'overdue');
    const t3 = await task(s, 'L-1', 'email', 'overdue', 'borrower', '11:00-20:00');
    // the demo's reminders are enqueued under the same key: that task is done, not asked again
    await enqueue(s.db, [{ idempotencyKey: messageKey(t1, 'sms'), channel: 'sms', to: '+12125550101', body: 'Reminder', accountId: 'L-1', taskId: t1 }]);

    const one = await sendDayMessages(s, options({ channel: 'sms', limit: 1 }));
    expect(one).toMatchObject({ handled: 0, sent: 0, alreadyDone: 1, remaining: 1 });
    expect(one.outcomes).toEqual([expect.objectContaining({ taskId: t1, status: 'queued_before', key: `task-${t1}:sms` })]);
    expect(await count(s, 'gate_decisions')).toBe(0);

    const sms = await sendDayMessages(s, options({ channel: 'sms' }));
    expect(sms).toMatchObject({ handled: 1, sent: 1, alreadyDone: 1, remaining: 0 });
    expect(sms.outcomes.map((o) => o.taskId)).toEqual([t2]);
    const mail = await sendDayMessages(s, options());
    expect(mail).toMatchObject({ handled: 1, sent: 1, alreadyDone: 2 });
    expect(mail.outcomes[0]).toMatchObject({ taskId: t3, channel: 'email', to: 'ann@example.com', status: 'done' });
    const statuses = await s.db.selectFrom('tasks').select('status').orderBy('id').execute();
    expect(statuses.map((x) => x.status)).toEqual(['done', 'done', 'done']);
  });

  it('two runs at once: each task is decided and enqueued once', async () => {
    store = await backend.open();
    const s = store;
    const ids = ['L-1', 'L-2', 'L-3', 'L-4', 'L-5', 'L-6'];
    await insertLoans(s.db, ids.map((id, i) => loan(id, `Person ${i}`, { phones: [`+1212555020${i}`] })));
    await runCycle(s, '2026-03-15');
    for (const id of ids) await task(s, id, 'sms', 'overdue');
    const [a, b] = await Promise.all([sendDayMessages(s, options()), sendDayMessages(s, options())]);
    expect((a?.sent ?? 0) + (b?.sent ?? 0)).toBe(6);
    expect(await count(s, 'gate_decisions')).toBe(6);
    expect(await count(s, 'outbox')).toBe(6);
    expect(await count(s, 'attempts')).toBe(6);
  });

  it('refuses a task whose template is unknown, or has no subject for e-mail, before asking the gate', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1', 'Ann Lee', { phones: ['+12125550101'], emails: ['ann@example.com'] })]);
    await runCycle(s, '2026-03-15');
    await task(s, 'L-1', 'sms', 'overdue');
    const t2 = await task(s, 'L-1', 'sms', 'no_such_template');
    await expect(sendDayMessages(s, options())).rejects.toThrow(`sms task ${t2} (account L-1) uses template "no_such_template"`);
    await s.db.updateTable('tasks').set({ template: 'overdue', channel: 'email' }).where('id', '=', t2).execute();
    const sms = loadMessageTemplates();
    const noSubject = { ...sms.get('overdue')!, texts: { en: { subject: null, body: 'Hi {name}' } } };
    await expect(sendDayMessages(s, options({ templates: new Map([['overdue', noSubject]]) }))).rejects.toThrow('has no subject');
    expect(await count(s, 'gate_decisions')).toBe(0);
  });
});
