/** Work queues, pure: users' validation, the priority formula, ranking, round-robin within skills, capacity, unassigned reasons. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRulePack } from '../../src/compliance/index.js';
import { buildQueue, callPurpose, defaultPriority, parseUser, skillMismatch, type QueueTask, type User } from '../../src/queues/index.js';

const user = (id: string, over: Partial<User> = {}): User => ({
  id, name: id, role: 'agent', agencyId: null, capacity: 10, skills: { languages: [], jurisdictions: [], buckets: [] }, ...over,
});
const task = (taskId: number, over: Partial<QueueTask> = {}): QueueTask => ({
  taskId, accountId: `L-${taskId}`, overdue: 1000, propensity: null, brokenPromise: false, bucket: 'M1', jurisdiction: ['us-regf'], languages: [], ...over,
});

describe('users', () => {
  it('validates role, agency, capacity and skills', () => {
    expect(parseUser({ id: 'a1', name: ' Ann ', role: 'agent', capacity: 5, skills: { buckets: ['M1'] } }))
      .toEqual({ id: 'a1', name: 'Ann', role: 'agent', agencyId: null, capacity: 5, skills: { languages: [], jurisdictions: [], buckets: ['M1'] } });
    expect(() => parseUser({ id: 'a1', name: 'A', role: 'boss' })).toThrow('user.role: must be one of agent, field_agent, supervisor, agency_agent');
    expect(() => parseUser({ id: 'a1', name: 'A', role: 'agency_agent' })).toThrow('user.agencyId: is required');
    expect(() => parseUser({ id: 'a1', name: 'A', role: 'agent', agencyId: 'AG' })).toThrow('only an agency_agent');
    expect(() => parseUser({ id: 'a1', name: 'A', role: 'agent', capacity: -1 })).toThrow('user.capacity');
    expect(() => parseUser({ id: 'a1', name: 'A', role: 'agent', skills: { languages: ['English'] } })).toThrow('user.skills.languages[0]');
  });
});

describe('priority', () => {
  it('is overdue × propensity (0.5 when unknown), ×1.5 after a broken promise', () => {
    expect(defaultPriority(task(1, { overdue: 1000 }))).toBe(500);
    expect(defaultPriority(task(1, { overdue: 1000, propensity: 0.8 }))).toBe(800);
    expect(defaultPriority(task(1, { overdue: 1000, propensity: 0.8, brokenPromise: true }))).toBe(1200);
  });
});

describe('buildQueue', () => {
  it('ranks by priority (ties by task id) and deals round-robin', () => {
    const out = buildQueue([task(1, { overdue: 100 }), task(2, { overdue: 300 }), task(3, { overdue: 200 }), task(4, { overdue: 200 })], [user('b'), user('a')]);
    expect(out.map((a) => [a.taskId, a.agentId, a.priority])).toEqual([[2, 'a', 150], [3, 'b', 100], [4, 'a', 100], [1, 'b', 50]]);
  });

  it('deals an account\'s several calls of the date to one agent (the one already holding one), capacity and skills permitting', () => {
    const calls = [task(1, { overdue: 900 }), task(2, { overdue: 800, accountId: 'L-9' }), task(3, { overdue: 900, accountId: 'L-1' }), task(4, { overdue: 100, accountId: 'L-9' })];
    const out = buildQueue(calls, [user('a'), user('b')]);
    expect(out.map((x) => [x.taskId, x.accountId, x.agentId])).toEqual([[1, 'L-1', 'a'], [3, 'L-1', 'a'], [2, 'L-9', 'b'], [4, 'L-9', 'b']]);
    // an earlier build gave L-9 to a: its new call follows; at capacity it goes round-robin
    expect(buildQueue([task(5, { accountId: 'L-9' })], [user('a'), user('b')], { accountAgents: new Map([['L-9', 'b']]) })[0]?.agentId).toBe('b');
    expect(buildQueue([task(6, { accountId: 'L-9' })], [user('a'), user('b', { capacity: 1 })], { accountAgents: new Map([['L-9', 'b']]), alreadyAssigned: new Map([['b', 1]]) })[0]?.agentId).toBe('a');
  });

  it('takes a custom priority function', () => {
    const out = buildQueue([task(1, { overdue: 100 }), task(2, { overdue: 300 })], [user('a')], { priority: (t) => -t.overdue });
    expect(out.map((a) => a.taskId)).toEqual([1, 2]);
  });

  it('deals round-robin only among agents whose skills match', () => {
    const agents = [user('a', { skills: { languages: [], jurisdictions: ['uk-conc'], buckets: [] } }), user('b'), user('c', { skills: { languages: [], jurisdictions: [], buckets: ['M3'] } }), user('d')];
    const out = buildQueue([1, 2, 3, 4].map((i) => task(i, { overdue: 1000 - i })), agents);
    // a (uk-conc only) and c (M3 only) never get these us-regf M1 tasks
    expect(out.map((a) => a.agentId)).toEqual(['b', 'd', 'b', 'd']);
    const uk = buildQueue([task(9, { jurisdiction: ['uk-conc'], bucket: 'M3' })], agents);
    expect(uk[0]?.agentId).toBe('a');
    // a known language must be shared
    const zh = buildQueue([task(5, { languages: ['zh'] })], [user('en', { skills: { languages: ['en'], jurisdictions: [], buckets: [] } }), user('zh', { skills: { languages: ['zh'], jurisdictions: [], buckets: [] } })]);
    expect(zh[0]?.agentId).toBe('zh');
  });

  it('deals an account placed with an agency only to that agency\'s agents, and an in-house one only to the lender\'s', () => {
    const agents = [user('lender'), user('x1', { role: 'agency_agent', agencyId: 'AX' }), user('y1', { role: 'agency_agent', agencyId: 'AY' })];
    const out = buildQueue([task(1, { overdue: 900, agencyId: 'AY' }), task(2, { overdue: 800 }), task(3, { overdue: 700, agencyId: 'AX' }), task(4, { overdue: 600, agencyId: 'AZ' })], agents);
    expect(out.map((a) => [a.taskId, a.agentId])).toEqual([[1, 'y1'], [2, 'lender'], [3, 'x1'], [4, null]]);
    expect(out[3]?.reason).toBe('no agent has the skills (agency AZ, bucket M1, jurisdiction us-regf)');
    expect(skillMismatch(agents[1] as User, { bucket: 'M1', jurisdiction: null, languages: [], agencyId: 'AY' })).toBe('the account is placed with agency AY; x1 works for agency AX');
    expect(skillMismatch(agents[1] as User, { bucket: 'M1', jurisdiction: null, languages: [] })).toBe('x1 works for agency AX and the account is not placed with it');
    expect(skillMismatch(agents[0] as User, { bucket: 'M1', jurisdiction: null, languages: [], agencyId: 'AX' })).toBe('the account is placed with agency AX; lender is a lender agent');
  });

  it('respects capacity (including items already held) and leaves the rest unassigned with the reason', () => {
    const out = buildQueue([1, 2, 3, 4].map((i) => task(i, { overdue: 1000 - i })), [user('a', { capacity: 2 }), user('b', { capacity: 1 })], { alreadyAssigned: new Map([['b', 0], ['a', 1]]) });
    expect(out.map((a) => a.agentId)).toEqual(['a', 'b', null, null]);
    expect(out[2]?.reason).toBe('all 2 agent(s) with the skills (bucket M1, jurisdiction us-regf) are at capacity');
    const none = buildQueue([task(1, { bucket: 'M6' })], [user('a', { skills: { languages: [], jurisdictions: [], buckets: ['M1'] } }), user('s', { role: 'supervisor' })]);
    expect(none[0]).toMatchObject({ agentId: null, reason: 'no agent has the skills (bucket M6, jurisdiction us-regf)' });
    expect(buildQueue([task(1, { unqueueable: 'calls to a reference are not queued yet' })], [user('a')])[0]).toMatchObject({ agentId: null, reason: 'calls to a reference are not queued yet' });
  });
});

describe('parties and skills', () => {
  const pack = (n: string) => loadRulePack(readFileSync(`rule-packs/${n}.yaml`, 'utf8'), `rule-packs/${n}.yaml`);

  it('deals a borrower call by the borrower\'s languages: zh-CN only to a zh-CN speaker, zh-CN+en to either, unknown to anyone', () => {
    const agents = [
      user('en', { skills: { languages: ['en'], jurisdictions: [], buckets: [] } }),
      user('zh', { skills: { languages: ['zh-CN'], jurisdictions: [], buckets: [] }, capacity: 1 }),
    ];
    const out = buildQueue([
      task(1, { overdue: 900, partyKind: 'borrower', languages: ['zh-CN'] }),
      task(2, { overdue: 800, partyKind: 'borrower', languages: ['zh-CN', 'en'] }),
      task(3, { overdue: 700, partyKind: 'borrower', languages: ['zh-CN'] }),
      task(4, { overdue: 600, partyKind: 'borrower', languages: [] }),
    ], agents);
    expect(out.map((a) => [a.taskId, a.agentId])).toEqual([[1, 'zh'], [2, 'en'], [3, null], [4, 'en']]);
    // the only zh-CN speaker is full: the second zh-CN-only borrower waits, the reason names the language
    expect(out[2]?.reason).toContain('zh-CN');
  });

    it('carries the party a task is for into its assignment', () => {
    const out = buildQueue([task(1, { partyId: 'R-1', partyKind: 'reference', languages: ['es'] }), task(2)], [user('a')]);
    expect(out.map((a) => [a.taskId, a.partyId, a.partyKind])).toEqual([[1, 'R-1', 'reference'], [2, null, 'borrower']]);
  });

  it('names the skill that does not match', () => {
    const u = user('ann', { skills: { languages: ['en'], jurisdictions: ['us-regf'], buckets: ['M1', 'M2'] } });
    expect(skillMismatch(u, { bucket: 'M1', jurisdiction: ['us-regf'], languages: [] })).toBeNull();
    expect(skillMismatch(u, { bucket: 'M3', jurisdiction: ['us-regf'], languages: [] })).toBe("bucket M3 is not among ann's buckets (M1, M2)");
    expect(skillMismatch(u, { bucket: 'M1', jurisdiction: ['us-regf', 'us-ma'], languages: [] })).toBe("jurisdiction us-ma is not among ann's jurisdictions (us-regf)");
    expect(skillMismatch(u, { bucket: 'M1', jurisdiction: null, languages: ['es'] })).toBe("ann speaks none of the contactee's languages (es; ann: en)");
  });

  it('calls a third party for the purpose the packs allow', () => {
    expect(callPurpose('borrower', [pack('us-regf')])).toBe('collect');
    expect(callPurpose('guarantor', [pack('cn')])).toBe('collect');
    expect(callPurpose('reference', [pack('us-regf')])).toBe('location');
    expect(callPurpose('employer', [pack('uk-conc')])).toBe('location');
    expect(callPurpose('reference', [pack('cn')])).toBe('message');
  });
});
