/**
 * The gate's `template` rule kind: a borrower template never goes to a third party, a third-party
 * template names neither the debt nor an amount, no template threatens — per the pack's checks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decide, loadRulePack, type AttemptRequest, type GateContext, type MessageTemplate } from '../../src/compliance/index.js';
import type { PartyKind } from '../../src/contact/index.js';

const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
const ctx: GateContext = { history: [], holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs: [regf] };

function sms(kind: PartyKind, template?: MessageTemplate): AttemptRequest {
  return {
    accountId: 'L', debtId: 'L', party: { id: 'P', kind, timezones: ['America/New_York'], flags: {} },
    contactPoint: { id: '+12125550100', kind: 'phone' }, channel: 'sms', purpose: kind === 'borrower' ? 'collect' : 'location',
    at: '2026-03-02T15:00:00Z', ...(template ? { template } : {}),
  };
}
const t = (id: string, audience: MessageTemplate['audience'], body: string): MessageTemplate => ({ id, audience, language: 'en', body });

describe('the template rule', () => {
  it('allows a neutral third-party template and a borrower reminder with the amount', () => {
    expect(decide(sms('reference', t('cb', 'third_party', 'Please ask Ann to call us back.')), ctx).allowed).toBe(true);
    expect(decide(sms('borrower', t('rem', 'borrower', 'Your payment of $120 is overdue.')), ctx).allowed).toBe(true);
    expect(decide(sms('reference'), ctx).allowed).toBe(true); // no template: nothing to check
  });

  it('blocks a borrower template to a third party, disclosure and amounts to third parties, and threats to anyone', () => {
    const cases: [AttemptRequest, RegExp][] = [
      [sms('employer', t('rem', 'borrower', 'Hi, please call us.')), /Template rem may not be used here \(template rem is for the borrower\): it is written for the borrower, and employers are third parties/],
      [sms('reference', t('loan', 'third_party', 'Ask Ann to call about her loan.')), /\(third-party-disclosure: "loan"\): "loan" reveals the debt/],
      [sms('reference', t('amt', 'third_party', 'Ask Ann to call us about $120.')), /amount-to-third-party/],
      [sms('borrower', t('thr', 'borrower', 'Pay now or we will sue you.')), /threatening-wording: "we will sue you"|threatening-wording: "we will sue"/],
    ];
    for (const [req, reason] of cases) {
      const d = decide(req, ctx);
      expect(d.allowed).toBe(false);
      expect(d.rule).toBe('us-regf/template');
      expect(d.reason).toMatch(reason);
      expect(d.nextAllowedAt).toBeNull();
    }
  });

  it('checks only what the pack lists', () => {
    const pack = loadRulePack(`pack: threats-only
title: T
rules:
  - id: tpl
    kind: template
    source: policy
    reason: "{template}: {finding}"
    params: { checks: [threatening-wording] }
`, 'p.yaml');
    const only: GateContext = { ...ctx, packs: [pack] };
    expect(decide(sms('reference', t('loan', 'third_party', 'Ask Ann to call about her loan.')), only).allowed).toBe(true);
    expect(decide(sms('reference', t('rem', 'borrower', 'Hi')), only).allowed).toBe(true);
    expect(decide(sms('borrower', t('thr', 'borrower', 'We will sue you.')), only).rule).toBe('threats-only/tpl');
  });
});
