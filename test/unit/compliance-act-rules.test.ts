/**
 * Which packs act on which compliance acts (`packsActingOn`, `rulesActingOn`) and the note
 * `arrears act record` prints when none of the packs in force does (`unenforcedActNote`), over the
 * shipped packs: every stop-contact act binds in us-regf, uk-conc and cn; opt-outs and the
 * workplace prohibition only in us-regf.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACT_KINDS, loadRulePack, packsActingOn, rulesActingOn, unenforcedActNote, type LoadedPack } from '../../src/compliance/index.js';

const pack = (name: string): LoadedPack => loadRulePack(readFileSync(`rule-packs/${name}.yaml`, 'utf8'), `rule-packs/${name}.yaml`);
const [US, MA, UK, CN] = ['us-regf', 'us-ma', 'uk-conc', 'cn'].map(pack) as [LoadedPack, LoadedPack, LoadedPack, LoadedPack];

describe('packsActingOn', () => {
  it('the stop-contact acts and their lifts bind in every shipped jurisdiction', () => {
    for (const kind of ['cease', 'cease_withdrawn', 'dispute', 'verification_sent', 'dispute_withdrawn', 'attorney', 'attorney_withdrawn', 'deceased', 'bankruptcy', 'bankruptcy_ended', 'refused_contact'] as const) {
      for (const list of [[US, MA], [UK], [CN]]) expect(packsActingOn(kind, list), `${kind} in ${list.map((p) => p.id).join(',')}`).toHaveLength(1);
    }
  });

  it('names the rules: a hold act the hold rule of its kind, a refusal the third-party rule', () => {
    expect(rulesActingOn('cease', [US, MA, UK, CN])).toEqual(['us-regf/cease', 'uk-conc/policy-cease', 'cn/policy-cease']);
    expect(rulesActingOn('dispute', [UK, CN])).toEqual(['uk-conc/disputed-debt', 'cn/policy-dispute']);
    expect(rulesActingOn('deceased', [CN])).toEqual(['cn/policy-deceased']);
    expect(rulesActingOn('bankruptcy', [UK])).toEqual(['uk-conc/insolvency']);
    expect(rulesActingOn('attorney', [UK, CN])).toEqual(['uk-conc/policy-attorney', 'cn/policy-attorney']);
    expect(rulesActingOn('refused_contact', [CN])).toEqual(['cn/contact-persons']);
  });

  it('Breathing Space binds only in uk-conc; opt-outs and the workplace prohibition only in us-regf', () => {
    expect(packsActingOn('breathing_space', [US, MA, UK, CN])).toEqual(['uk-conc']);
    expect(packsActingOn('breathing_space_ended', [US, MA, CN])).toEqual([]);
    expect(packsActingOn('opt_out', [US, MA, UK, CN])).toEqual(['us-regf']);
    expect(packsActingOn('opt_in', [UK, CN])).toEqual([]);
    expect(packsActingOn('workplace_forbidden', [US, MA, UK, CN])).toEqual(['us-regf']);
    expect(packsActingOn('workplace_allowed', [CN])).toEqual([]);
  });

  it('an opt-out acts only where the opt-out rule covers its channel', () => {
    expect(packsActingOn('opt_out', [US], 'sms')).toEqual(['us-regf']);
    expect(packsActingOn('opt_out', [US], 'email')).toEqual(['us-regf']);
    expect(packsActingOn('opt_out', [US], 'call')).toEqual([]);
  });

  it('a workplace rule that applies always does not read the prohibition', () => {
    const always = { ...US, rules: US.rules.filter((r) => r.id === 'us-regf/workplace-email') };
    expect(packsActingOn('workplace_forbidden', [always])).toEqual([]);
    expect(packsActingOn('workplace_forbidden', [{ ...US, rules: US.rules.filter((r) => r.id === 'us-regf/workplace') }])).toEqual(['us-regf']);
  });

  it('every act kind gets an answer for every pack list (no throw)', () => {
    for (const kind of ACT_KINDS) expect(Array.isArray(packsActingOn(kind, [US, MA, UK, CN]))).toBe(true);
  });
});

describe('unenforcedActNote', () => {
  it('names the packs in force and the act when none acts on it', () => {
    expect(unenforcedActNote('workplace_forbidden', [CN])).toBe('none of the packs in force (cn) has a rule for workplace_forbidden; the gate will not act on it');
    expect(unenforcedActNote('breathing_space', [US, MA])).toBe('none of the packs in force (us-regf, us-ma) has a rule for breathing_space; the gate will not act on it');
    expect(unenforcedActNote('opt_out', [UK], 'sms')).toBe('none of the packs in force (uk-conc) has a rule for opt_out on sms; the gate will not act on it');
    expect(unenforcedActNote('opt_out', [US], 'call')).toContain('has a rule for opt_out on call');
  });

  it('says nothing when a pack acts on it, or when no packs are known', () => {
    expect(unenforcedActNote('cease', [CN])).toBeNull();
    expect(unenforcedActNote('dispute', [UK])).toBeNull();
    expect(unenforcedActNote('workplace_forbidden', [US, MA])).toBeNull();
    expect(unenforcedActNote('workplace_forbidden', [])).toBeNull();
  });
});
