/**
 * `arrears party add|list`: the people on an account besides the borrower — co-borrowers,
 * guarantors, references and the employer — with their contact points.
 */
import { Option, type Command } from 'commander';
import { activePhones, PARTY_KINDS, PHONE_TYPES, RELATIONS, type Party } from '../contact/index.js';
import { addParties, listParties } from '../store/parties.js';
import { table, withStore } from './shared.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** `+12125550100` or `+12125550100:work` (type mobile, home or work; default mobile). */
function phoneArg(v: string): { number: string; type: string } {
  const [number = '', type = 'mobile'] = v.split(':');
  return { number, type };
}

function describe(p: Party): string[] {
  const phones = p.phones.map((x) => `${x.number} (${x.type}${x.retiredAt ? `, retired ${x.retiredAt.slice(0, 10)}` : ''})`).join(', ');
  return [p.id, p.kind + (p.relation ? `/${p.relation}` : ''), p.name, phones || '-', p.emails.join(', ') || '-', p.timezone ?? '-', p.forbidsCalls ? 'forbids calls' : ''];
}

export function registerParty(program: Command): void {
  const party = program.command('party').description('the people on an account besides the borrower: co-borrowers, guarantors, references, the employer');
  party.command('add')
    .description('add a person with their contact points (the strategy counts references with a number in use)')
    .requiredOption('--account <id>', 'the account')
    .requiredOption('--id <id>', 'the person\'s id (unique)')
    .addOption(new Option('--kind <kind>', 'who they are').choices(PARTY_KINDS.filter((k) => k !== 'borrower')).makeOptionMandatory())
    .requiredOption('--name <name>', 'their name')
    .addOption(new Option('--relation <relation>', 'references: how they know the borrower').choices([...RELATIONS]))
    .option('--phone <number[:type]>', `a number, E.164, with its type (${PHONE_TYPES.join(', ')}; default mobile); repeatable`, collect, [])
    .option('--consent', 'they consented to calls and texts at these numbers')
    .option('--email <address>', 'an e-mail address (repeatable)', collect, [])
    .option('--timezone <zone>', 'IANA time zone (default: the zones of their numbers)')
    .option('--language <tag>', 'a language they speak, e.g. en, zh-CN (repeatable)', collect, [])
    .option('--forbids-calls', 'employer: forbids contact at work')
    .action(async (o: {
      account: string; id: string; kind: string; name: string; relation?: string; phone: string[]; consent?: boolean; email: string[];
      timezone?: string; language: string[]; forbidsCalls?: boolean;
    }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const [p] = await addParties(s.db, [{
          id: o.id, accountId: o.account, kind: o.kind, name: o.name, ...(o.relation ? { relation: o.relation } : {}),
          phones: o.phone.map((x) => ({ ...phoneArg(x), consent: o.consent === true })), emails: o.email, languages: o.language,
          ...(o.timezone ? { timezone: o.timezone } : {}), ...(o.forbidsCalls ? { forbidsCalls: true } : {}),
        }], process.env.ARREARS_ACTOR ?? 'cli');
        if (p) process.stdout.write(`party ${p.id} added to ${p.accountId}: ${p.kind}${p.relation ? ` (${p.relation})` : ''}, ${activePhones(p).length} number(s)\n`);
      });
    });
  party.command('list')
    .description('an account\'s parties and their contact points')
    .requiredOption('--account <id>', 'the account')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'json']).default('table'))
    .action(async (o: { account: string; format: 'table' | 'json' }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const parties = await listParties(s.db, o.account);
        if (o.format === 'json') process.stdout.write(parties.map((p) => `${JSON.stringify(p)}\n`).join(''));
        else process.stdout.write(table(['id', 'kind', 'name', 'phones', 'e-mails', 'zone', ''], parties.map(describe)));
      });
    });
}
