/**
 * The compliance gate inside a timeline replay: every scripted attempt is asked of the gate (through
 * the store's `decideAndRecord`, the same path a dialer takes) before it may happen, and compliance
 * acts (`flag` events) are recorded as of their instant. A blocked attempt never happens: no outcome
 * and no contact attempt are recorded for it.
 *
 * Conventions (docs/timelines.md):
 * - an attempt's `time` is wall-clock time in the borrower's zone unless it carries an offset;
 *   untimed flags take effect at 00:00 of their date in the borrower's zone;
 * - the zones the gate honours for the borrower are the borrower's `timezone` and those of each of
 *   the borrower's phone numbers; for another person, their `timezone` (else the borrower's) and the
 *   zones of their numbers and of the number called;
 * - the debtor counts as unreachable (cn: contact persons may be asked to pass a message) when the
 *   last UNREACHABLE_AFTER attempts at the borrower that happened all failed to reach them.
 */
import { ValidationError, type BusinessDate } from '../core/index.js';
import { CONVERSATION_OUTCOMES, type Address, type Borrower, type Channel, type PartyKind } from '../contact/index.js';
import {
  attemptRequest, CONTACT_POINT_KIND, instantAt,
  type AttemptSpec, type ComplianceAct, type MessageTemplate, type RulePack,
} from '../compliance/index.js';
import { zonesOf } from '../channels/phone-zones.js';
import type { Store } from '../store/db.js';
import { decideAndRecord, type AttemptMaker, type RecordedDecision } from '../store/gate.js';
import { recordContactResult } from '../store/outcomes.js';
import { messagePurpose } from '../channels/messages.js';
import { recordAct } from '../store/acts.js';
import type { AttemptEvent, ConsumerPreferences, FlagEvent, TimelineAccount, TimelineParty, TraceDecision } from '../timeline/index.js';

/** What the gate needs from the caller: the packs of the timeline's jurisdiction and the holidays of their calendars. */
export interface ReplayGate {
  packs: readonly RulePack[];
  holidays: readonly BusinessDate[];
}

/** What the gate is asked beyond who is contacted (attemptRequest's spec without the account). */
type AskSpec = Omit<AttemptSpec, 'accountId'>;

/** The person a planned task goes to, with what a send needs. */
export interface TaskContact {
  id: string;
  /** the borrower's name, or the party's id (parties have no names in a timeline) */
  name: string;
  /** IANA zone the task's window is read in */
  zone: string;
  phones: readonly string[];
  emails: readonly string[];
  addresses: readonly Address[];
}

/** Borrower attempts that must all have failed, most recent first, for the debtor to count as unreachable. */
export const UNREACHABLE_AFTER = 3;

interface Person {
  id: string;
  party: TimelineParty | null;
  zones: string[];
}

interface AccountGate {
  borrower: Borrower;
  employerForbids: boolean;
  consumer: ConsumerPreferences;
  people: Map<string, Person>;
  /** reached (true) or not, for each attempt at the borrower that happened, oldest first */
  borrowerReached: boolean[];
}

/** The instant (ms) of a scripted `time` on `date`: with its offset, or as wall-clock time in `zone`. */
export function scriptedInstant(date: BusinessDate, time: string, offset: string | null, zone: string): number {
  if (offset !== null) return Date.parse(`${date}T${time}:00${offset}`);
  return instantAt(date, Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)), zone);
}

export class TimelineGate {
  private readonly accounts = new Map<string, AccountGate>();

  private constructor(private readonly store: Store, private readonly gate: ReplayGate, private readonly templates: Readonly<Record<string, MessageTemplate>>) {}

  static async open(store: Store, gate: ReplayGate, accounts: readonly TimelineAccount[], templates: Readonly<Record<string, MessageTemplate>> = {}): Promise<TimelineGate> {
    const g = new TimelineGate(store, gate, templates);
    for (const a of accounts) {
      const b = a.borrower;
      const people = new Map<string, Person>();
      const flags = a.parties.find((p) => p.id === b.id) ?? null;
      people.set(b.id, { id: b.id, party: flags, zones: await zonesOf([b.timezone], b.phones) });
      for (const p of a.parties) {
        if (p.id === b.id) continue;
        people.set(p.id, { id: p.id, party: p, zones: await zonesOf([p.timezone ?? b.timezone], p.phones) });
      }
      g.accounts.set(a.account.id, { borrower: b, consumer: a.consumer, people, borrowerReached: [], employerForbids: a.parties.some((p) => p.kind === 'employer' && p.forbidsCalls === true) });
    }
    return g;
  }

  private account(id: string): AccountGate {
    const a = this.accounts.get(id);
    if (!a) throw new ValidationError('account', `unknown account ${id}`);
    return a;
  }

  /** The instant of a timed event (attempt or flag), ms. */
  instantOf(e: AttemptEvent | FlagEvent): number {
    const tz = this.account(e.accountId).borrower.timezone;
    if (e.kind === 'attempt') return scriptedInstant(e.date, e.gate.time, e.gate.offset, tz);
    return scriptedInstant(e.date, e.time ?? '00:00', e.offset, tz);
  }

  /** Records a compliance act through the store (as a dialer's operator would); returns the trace note (the act, or why it was refused). */
  async flag(e: FlagEvent): Promise<Record<string, unknown>> {
    const a = this.account(e.accountId);
    const act: ComplianceAct = {
      kind: e.act, debtId: e.accountId, partyId: e.person, at: new Date(this.instantOf(e)).toISOString(), source: e.source,
      ...(e.channel !== null ? { channel: e.channel } : {}),
      ...(e.to !== null ? { contactPoint: e.to } : {}),
      ...(e.variant !== null ? { variant: e.variant } : {}),
      ...(e.treatmentEnded !== null ? { treatmentEndedAt: new Date(scriptedInstant(e.treatmentEnded, '00:00', null, a.borrower.timezone)).toISOString() } : {}),
      ...(e.note !== null ? { note: e.note } : {}),
    };
    try {
      await recordAct(this.store, act, { actor: 'timeline', now: act.at });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return { type: 'flag_ignored', act: e.act, line: e.line, reason: err.message };
    }
    return { type: 'flag', act: e.act, source: e.source, ...(e.person !== null ? { person: e.person } : {}) };
  }

  /**
   * The person an attempt at `kind` is about: `named` (a party id), else the borrower for `borrower`,
   * else the account's only party of that kind, else the placeholder `ACCOUNT/KIND`. `where` names the
   * file line for errors.
   */
  private personFor(accountId: string, a: AccountGate, kind: PartyKind, named: string | null, where: { index: number; line: number }): Person {
    const b = a.borrower;
    const ofKind = [...a.people.values()].filter((p) => p.party?.kind === kind && p.id !== b.id);
    const personId = named ?? (kind === 'borrower' ? b.id : ofKind.length === 1 ? (ofKind[0] as Person).id : `${accountId}/${kind}`);
    let person = a.people.get(personId);
    if (named !== null && !person) {
      throw new ValidationError(`events[${where.index}].attempt.person`, `line ${where.line}: unknown person "${personId}" (the borrower ${b.id} or a party of account ${accountId}: ${[...a.people.keys()].join(', ')})`);
    }
    if (person?.party && person.party.kind !== kind) {
      throw new ValidationError(`events[${where.index}].attempt.party`, `line ${where.line}: ${personId} is a ${person.party.kind}, got ${kind}`);
    }
    if (!person) {
      person = { id: personId, party: null, zones: [b.timezone] };
      a.people.set(personId, person);
    }
    return person;
  }

  /** Asks the gate about an attempt at `person` and records the decision (with who makes it). */
  private async ask(accountId: string, a: AccountGate, person: Person, kind: PartyKind, spec: AskSpec, by: AttemptMaker): Promise<RecordedDecision> {
    const b = a.borrower;
    const isBorrower = person.id === b.id;
    const zones = CONTACT_POINT_KIND[spec.channel] === 'phone' && typeof spec.to === 'string' ? await zonesOf(person.zones, [spec.to]) : person.zones;
    const request = attemptRequest({
      id: person.id, kind, zones,
      phones: isBorrower ? b.phones : person.party?.phones ?? [],
      emails: isBorrower ? b.emails : person.party?.emails ?? [],
      addresses: isBorrower ? b.addresses : [],
      flags: { ...(person.party?.vulnerable ? { vulnerable: true } : {}), ...(person.party?.attorney ? { attorney: true } : {}) },
    }, { accountId, ...spec });
    const recent = a.borrowerReached.slice(-UNREACHABLE_AFTER);
    // holds, opt-outs, workplace and refusal come from the acts recorded in the store
    return decideAndRecord(this.store, request, {
      // the employer's `forbidsCalls` (timeline shorthand) is the consumer's word that work forbids contact
      holds: [], optOuts: [], workplaceForbidden: a.employerForbids, refusedContact: false,
      // the consumer's designations bind contact with the consumer, not with third parties
      ...(isBorrower ? {
        inconvenientTimes: a.consumer.inconvenientTimes, inconvenientMedia: a.consumer.inconvenientMedia,
        consentedContactPoints: a.consumer.consentedContactPoints,
      } : {}),
      ...(a.consumer.timeBarredSince !== null ? { timeBarredSince: a.consumer.timeBarredSince } : {}),
      debtorUnreachable: recent.length === UNREACHABLE_AFTER && recent.every((r) => !r),
      holidays: this.gate.holidays,
      packs: this.gate.packs,
    }, by);
  }

  /**
   * Asks the gate; when allowed, records the attempt's result (gate outcome, contact attempt with who
   * made it, promise, implied act) in one transaction (recordContactResult). Returns the decision for the trace.
   */
  async attempt(e: AttemptEvent): Promise<TraceDecision> {
    const a = this.account(e.accountId);
    const at = e.attempt;
    const person = this.personFor(e.accountId, a, at.party, e.gate.person, e);
    const iso = new Date(this.instantOf(e)).toISOString();
    const by: AttemptMaker = { agentId: e.gate.agent, agencyId: e.gate.agency };
    const decision = await this.ask(e.accountId, a, person, at.party, {
      channel: at.channel, at: iso, to: e.gate.to, purpose: e.gate.purpose, workplace: e.gate.workplace, personal: e.gate.personal,
      liveAgent: e.gate.liveAgent, visit: e.gate.visit, template: e.gate.template === null ? null : this.templates[e.gate.template] ?? null,
    }, by);
    if (decision.allowed) {
      await recordContactResult(this.store, { decisionId: decision.id, outcome: at.outcome, promise: at.promise }, { actor: e.gate.agent ?? 'timeline', now: iso });
      if (person.id === a.borrower.id) a.borrowerReached.push(CONVERSATION_OUTCOMES.has(at.outcome));
    }
    return {
      time: iso, party: person.id, channel: at.channel, allowed: decision.allowed, rule: decision.rule, reason: decision.reason, nextAllowedAt: decision.nextAllowedAt,
      ...(e.gate.agent !== null ? { agent: e.gate.agent } : {}),
      ...(e.gate.agency !== null ? { agency: e.gate.agency } : {}),
      ...(e.gate.expect !== null ? { expected: e.gate.expect } : {}), line: e.line,
    };
  }

  /**
   * Who a planned task for `kind` goes to, with their contact points: the borrower, else the
   * account's first party of that kind on file (file order); null when the account has none.
   */
  taskContact(accountId: string, kind: PartyKind): TaskContact | null {
    const a = this.account(accountId);
    const b = a.borrower;
    if (kind === 'borrower') {
      return { id: b.id, name: b.name, zone: b.timezone, phones: b.phones, emails: b.emails, addresses: b.addresses };
    }
    const p = [...a.people.values()].find((x) => x.party !== null && x.party.kind === kind && x.id !== b.id);
    if (!p || !p.party) return null;
    return { id: p.id, name: p.id, zone: p.party.timezone ?? b.timezone, phones: p.party.phones, emails: p.party.emails, addresses: [] };
  }

  /**
   * Asks the gate about an automated send (a planned task) to `contact` at `iso`; the caller records
   * its result. Purpose: `messagePurpose` (the same as `arrears messages send`).
   */
  async askTask(accountId: string, kind: PartyKind, contact: TaskContact, spec: { channel: Channel; at: string; to: string; template: MessageTemplate }): Promise<RecordedDecision> {
    const a = this.account(accountId);
    const person = a.people.get(contact.id) ?? { id: contact.id, party: null, zones: [contact.zone] };
    const purpose = messagePurpose(kind);
    return this.ask(accountId, a, person, kind, { channel: spec.channel, at: spec.at, to: spec.to, template: spec.template, purpose }, { agentId: null, agencyId: null });
  }
}
