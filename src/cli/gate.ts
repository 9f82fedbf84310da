/**
 * `arrears gate …`: ask the compliance gate before a contact (and record what came of it), set the
 * rule packs in force, list an account's decisions. The dialer's and the agent's way in until the
 * work queues exist. See docs/rule-packs.md ("Asking the gate").
 */
import { Option, type Command } from 'commander';
import { ValidationError } from '../core/index.js';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { attemptRequest, checkInstant, CONTACT_POINT_KIND, GATE_OUTCOMES, parseTemplate, PURPOSES, type MessageTemplate, type Purpose } from '../compliance/index.js';
import { activePhones, CHANNELS, OUTCOMES, PARTY_KINDS, type Channel, type Outcome, type PartyKind } from '../contact/index.js';
import { getParty, listParties } from '../store/parties.js';
import { zonesOf } from '../channels/phone-zones.js';
import { rowToBorrower } from '../store/codec.js';
import type { Store } from '../store/db.js';
import { borrowerCountry, decideAndRecord, jurisdictionFor, loadDecisions, loadJurisdictions, saveJurisdiction, type Jurisdictions } from '../store/gate.js';
import { checkContactResult, recordContactResult } from '../store/outcomes.js';
import { findPackFile, loadPackFile, packHolidays } from './packs.js';
import { promiseFlags, table, withStore } from './shared.js';

/** Exit code of `gate decide` when the gate blocks (bad input exits 1, an unexpected failure 2). */
export const BLOCKED_EXIT_CODE = 3;

interface DecideOpts {
  account: string;
  channel: Channel;
  at?: string;
  party: PartyKind;
  person?: string;
  to?: string;
  purpose: Purpose;
  workplace?: boolean;
  personal?: boolean;
  liveAgent?: boolean;
  jurisdiction?: string;
  agent?: string;
  agency?: string;
  caller?: string;
  outcome?: string;
  promiseAmount?: string;
  promiseDue?: string;
  note?: string;
  template?: string;
  format: 'text' | 'json';
}

/** A message template from a YAML or JSON file `{ id, audience, language, body }` (id defaults to the file name). */
function readTemplate(file: string): MessageTemplate {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ValidationError('--template', `cannot read ${file}`);
  }
  const raw: unknown = parseYaml(text);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError('--template', `${file} must hold a mapping { id, audience, language, body }`);
  return parseTemplate({ id: basename(file).replace(/\.(ya?ml|json)$/i, ''), ...raw });
}

interface ResultOpts {
  promiseAmount?: string;
  promiseDue?: string;
  note?: string;
}

const actorOptions = (): { actor?: string } => (process.env.ARREARS_ACTOR ? { actor: process.env.ARREARS_ACTOR } : {});

function packList(v: string): string[] {
  const list = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (list.length === 0) throw new ValidationError('jurisdiction', 'must name at least one rule pack, e.g. us-regf,us-ma');
  for (const p of list) findPackFile(p);
  return list;
}

async function packsInForce(store: Store, flag: string | undefined, country: string | null): Promise<string[]> {
  if (flag !== undefined) return packList(flag);
  const found = jurisdictionFor(await loadJurisdictions(store.db), country);
  if (found) return found;
  throw new ValidationError('--jurisdiction', `no rule packs are in force for ${country ?? 'a borrower without a country'}: pass --jurisdiction us-regf,us-ma, or set them once with \`arrears gate jurisdiction us-regf,us-ma [--country ${country ?? 'US'}]\``);
}

function describeJurisdictions(j: Jurisdictions): string {
  const lines = [`default: ${j.default ? j.default.join(', ') : '(none)'}`, ...Object.entries(j.byCountry).sort().map(([c, p]) => `${c}: ${p.join(', ')}`)];
  return `rule packs in force\n${lines.map((l) => `  ${l}\n`).join('')}`;
}

function outcomeOf(v: string): Outcome {
  if (!(OUTCOMES as readonly string[]).includes(v) || !(GATE_OUTCOMES as readonly string[]).includes(v)) {
    throw new ValidationError('--outcome', `must be one of ${OUTCOMES.join(', ')}, got "${v}"`);
  }
  return v as Outcome;
}

async function decideCommand(store: Store, o: DecideOpts): Promise<number> {
  const at = o.at ?? new Date().toISOString();
  const ms = checkInstant(at, '--at', '2026-03-02T14:30:00-05:00');
  const outcome = o.outcome === undefined ? null : outcomeOf(o.outcome);
  const promise = promiseFlags(o);
  if (promise !== null && outcome === null) throw new ValidationError('--promise-amount', 'goes with --outcome promise');
  // the result's own rules (a promise only with outcome promise, …) before the gate is asked: no pending decision is left behind
  if (outcome !== null) checkContactResult({ decisionId: 1, outcome, promise, note: o.note ?? null });
  const acc = await store.db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .select(['borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', '=', o.account).executeTakeFirst();
  if (!acc) throw new ValidationError('--account', `unknown account "${o.account}"`);
  const borrower = rowToBorrower(acc);
  const isBorrower = o.party === 'borrower' && (o.person === undefined || o.person === borrower.id);
  if (o.party === 'borrower' && !isBorrower) throw new ValidationError('--person', `the borrower of ${o.account} is ${borrower.id}, got "${o.person ?? ''}"`);
  // a third party named only by --to: the party on file with that number or e-mail is that person (their refusals and counts apply)
  const byContact = !isBorrower && o.person === undefined && o.to !== undefined
    ? (await listParties(store.db, o.account)).find((p) => p.kind === o.party && (p.phones.some((x) => x.number === o.to) || p.emails.includes(o.to ?? ''))) ?? null
    : null;
  const person = o.person ?? byContact?.id;
  const personId = isBorrower ? borrower.id : person ?? `${o.account}/${o.party}`;
  const onFile = isBorrower || person === undefined ? null : byContact ?? await getParty(store.db, person);
  if (o.person !== undefined && !isBorrower && (!onFile || onFile.accountId !== o.account)) {
    throw new ValidationError('--person', `no party "${o.person}" on account ${o.account} (add one with \`arrears party add\`)`);
  }
  if (onFile && onFile.kind !== o.party) throw new ValidationError('--party', `${onFile.id} is a ${onFile.kind}, got ${o.party}`);
  const partyPhones = onFile ? activePhones(onFile) : [];
  if (onFile && o.to !== undefined && onFile.phones.some((x) => x.number === o.to && x.retiredAt !== null)) {
    throw new ValidationError('--to', `${o.to} was retired for ${onFile.id} after a wrong-number outcome`);
  }
  if (!isBorrower && !onFile && o.to === undefined && o.channel !== 'letter') {
    throw new ValidationError('--to', `is required for a ${o.party} not on file: the number, e-mail or address to use (or --person with a party added by \`arrears party add\`)`);
  }
  const called = o.to !== undefined && CONTACT_POINT_KIND[o.channel] === 'phone' ? [o.to] : [];
  const ownZone = onFile?.timezone ?? borrower.timezone;
  const zones = await zonesOf([isBorrower ? borrower.timezone : ownZone], isBorrower ? [...borrower.phones, ...called] : [...partyPhones, ...called]);
  const request = attemptRequest({
    id: personId, kind: o.party, zones, flags: {},
    phones: isBorrower ? borrower.phones : partyPhones, emails: isBorrower ? borrower.emails : onFile?.emails ?? [],
    addresses: isBorrower ? borrower.addresses : onFile?.addresses ?? [],
  }, {
    accountId: o.account, channel: o.channel, at: new Date(ms).toISOString(), to: o.to ?? null, purpose: o.purpose,
    workplace: o.workplace === true, personal: o.personal === false ? false : null, liveAgent: o.liveAgent === true,
    template: o.template === undefined ? null : readTemplate(o.template),
  });
  const country = borrowerCountry(borrower);
  const names = await packsInForce(store, o.jurisdiction, country);
  const packs = names.map((n) => loadPackFile(findPackFile(n)));
  const year = request.at.slice(0, 4);
  const holidays = packHolidays(packs, `${year}-01-01`, `${Number(year) + 1}-12-31`);
  const d = await decideAndRecord(store, request, { holds: [], optOuts: [], workplaceForbidden: false, refusedContact: false, holidays, packs }, {
    ...(o.agent ? { agentId: o.agent } : {}), ...(o.agency ? { agencyId: o.agency } : {}), ...(o.caller !== undefined ? { callerNumber: o.caller } : {}),
  });
  const result = d.allowed && outcome !== null ? await recordContactResult(store, { decisionId: d.id, outcome, promise, note: o.note ?? null }, actorOptions()) : null;
  if (o.format === 'json') {
    process.stdout.write(`${JSON.stringify({ id: d.id, allowed: d.allowed, rule: d.rule, reason: d.reason, nextAllowedAt: d.nextAllowedAt, party: personId, contactPoint: request.contactPoint.id, zones, packs: names, outcome: d.allowed ? outcome : null, act: result?.actKind ?? null })}\n`);
  } else if (d.allowed) {
    process.stdout.write(`allowed (decision ${d.id}): ${o.channel} to ${request.contactPoint.id} at ${request.at}${outcome ? `; outcome ${outcome} recorded${result?.actKind ? ` (act ${result.actKind} recorded)` : ''}` : `; record what came of it with \`arrears gate outcome ${d.id} OUTCOME\``}\n`);
  } else {
    process.stdout.write(`blocked by ${d.rule ?? '?'} (decision ${d.id}): ${d.reason}\n`);
  }
  return d.allowed ? 0 : BLOCKED_EXIT_CODE;
}

export function registerGate(program: Command): void {
  const gate = program.command('gate').description('ask the compliance gate before a contact; rule packs in force; decisions (docs/rule-packs.md)');

  gate.command('jurisdiction')
    .description('show, or set, the rule packs in force: the default, or for borrowers in one country')
    .argument('[packs]', 'comma-separated pack names or paths, e.g. us-regf,us-ma')
    .option('--country <code>', 'only for borrowers whose residential address is in this country (ISO 3166-1 alpha-2)')
    .action(async (packs: string | undefined, o: { country?: string }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const now = packs !== undefined
          ? await saveJurisdiction(s.db, o.country ?? null, packList(packs), process.env.ARREARS_ACTOR ?? 'cli')
          : await loadJurisdictions(s.db);
        process.stdout.write(describeJurisdictions(now));
      });
    });

  gate.command('decide')
    .description(`ask the gate whether a contact may be made now (or --at); records the decision; exit ${BLOCKED_EXIT_CODE} when blocked`)
    .requiredOption('--account <id>', 'the account (debt)')
    .addOption(new Option('--channel <channel>', 'how').choices([...CHANNELS]).makeOptionMandatory())
    .option('--at <iso>', 'the instant of the attempt, with Z or an offset (default: now)')
    .addOption(new Option('--party <kind>', 'who').choices([...PARTY_KINDS]).default('borrower'))
    .option('--person <id>', 'the person\'s id (default: the borrower, or ACCOUNT/PARTY)')
    .option('--to <contact-point>', 'the number, e-mail or address (default: the borrower\'s first one for the channel)')
    .addOption(new Option('--purpose <purpose>', 'why').choices([...PURPOSES]).default('collect'))
    .option('--workplace', 'the number or address is at the person\'s workplace')
    .option('--no-personal', 'a number other than the person\'s residence, cell or personal number')
    .option('--live-agent', 'a call placed with an agent already on the line')
    .option('--jurisdiction <packs>', 'rule packs for this decision (default: `arrears gate jurisdiction`)')
    .option('--agent <id>', 'the agent making the attempt')
    .option('--agency <id>', 'the agency making the attempt')
    .option('--caller <number>', 'calls: the caller number shown (caller ID); blocked unless registered to the lender (no --agency) or to --agency (`arrears caller-number`)')
    .option('--outcome <outcome>', 'when allowed and already made: what came of it (recorded at once)')
    .option('--promise-amount <minor>', 'with --outcome promise: the amount promised, in minor units')
    .option('--promise-due <YYYY-MM-DD>', 'with --outcome promise: the date it is promised for')
    .option('--note <text>', 'with --outcome: what was said')
    .option('--template <file>', 'the message template (YAML or JSON { id, audience, language, body }); the packs\' template rules check it')
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json']).default('text'))
    .action(async (o: DecideOpts, cmd: Command) => {
      process.exitCode = await withStore(cmd, (s) => decideCommand(s, o));
    });

  gate.command('outcome')
    .description('record what an allowed attempt led to (it stops counting as pending; docs/outcomes-and-promises.md)')
    .argument('<decision>', 'the decision id')
    .argument('<outcome>', OUTCOMES.join(' | '))
    .option('--promise-amount <minor>', 'outcome promise: the amount promised, in minor units')
    .option('--promise-due <YYYY-MM-DD>', 'outcome promise: the date it is promised for')
    .option('--note <text>', 'what was said (kept with the attempt)')
    .action(async (id: string, outcome: string, o: ResultOpts, cmd: Command) => {
      if (!/^\d+$/.test(id)) throw new ValidationError('decision', `must be a decision id (a whole number), got "${id}"`);
      const out = outcomeOf(outcome);
      const promise = promiseFlags(o);
      await withStore(cmd, async (s) => {
        const r = await recordContactResult(s, { decisionId: Number(id), outcome: out, promise, note: o.note ?? null }, actorOptions());
        process.stdout.write(`decision ${id}: outcome ${out} ${r.duplicate ? 'was already recorded' : 'recorded'}${r.actKind ? `; act ${r.actKind} recorded` : ''}${r.retired ? `; ${r.retired.number} retired for ${r.retired.partyId}` : ''}${promise ? `; promise ${promise.amount} due ${promise.due}` : ''}\n`);
      });
    });

  gate.command('log')
    .description('an account\'s gate decisions, newest first')
    .requiredOption('--account <id>', 'the account')
    .option('--limit <n>', 'at most this many', '50')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'json']).default('table'))
    .action(async (o: { account: string; limit: string; format: 'table' | 'json' }, cmd: Command) => {
      const limit = Number(o.limit);
      if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError('--limit', `must be a whole number ≥ 1, got "${o.limit}"`);
      await withStore(cmd, async (s) => {
        const rows = await loadDecisions(s.db, o.account, limit);
        if (o.format === 'json') {
          process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
          return;
        }
        process.stdout.write(table(['id', 'at', 'party', 'channel', 'to', 'purpose', 'answer', 'outcome'], rows.map((r) => [
          String(r.id), r.at, r.partyId, r.channel, r.contactPoint, r.purpose, r.allowed ? 'allowed' : `blocked: ${r.rule ?? '?'}`, r.outcome ?? (r.allowed ? 'pending' : '-'),
        ])));
      });
    });
}
