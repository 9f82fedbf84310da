/**
 * `arrears notice …`: the US validation notice (Regulation F, 12 CFR 1006.34) as a PDF, recorded
 * when sent, and the list of debts whose notice is overdue. See docs/validation-notice.md.
 */
import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseDate, ValidationError, type BusinessDate } from '../core/index.js';
import { validationNotice } from '../compliance/index.js';
import type { DebtCollector } from '../channels/letters/validation-notice-pdf.js';
import { withStore } from './shared.js';
import { buildValidationNoticeInput, noticesDue, recordValidationNotice, type StoreItemizationReference } from '../store/notices.js';


interface ValidationOpts {
  account: string;
  sent: string;
  out?: string;
  collectorName?: string;
  collectorAddress: string[];
  collectorPhone?: string;
  collectorHours?: string;
  disputesAt?: string;
  creditor?: string;
  itemization?: StoreItemizationReference;
  spanish?: boolean;
}

/** The letterhead from flags, else ARREARS_COLLECTOR_* variables; name and mailing address are required (1006.34(c)(1)). */
function collectorFrom(o: ValidationOpts, env: NodeJS.ProcessEnv = process.env): DebtCollector {
  const name = o.collectorName ?? env.ARREARS_COLLECTOR_NAME;
  if (!name || name.trim() === '') throw new ValidationError('--collector-name', 'is required (or set ARREARS_COLLECTOR_NAME): the notice must name the debt collector');
  const address = o.collectorAddress.length > 0 ? o.collectorAddress : (env.ARREARS_COLLECTOR_ADDRESS ?? '').split('|').map((l) => l.trim()).filter((l) => l !== '');
  if (address.length === 0) {
    throw new ValidationError('--collector-address', 'is required (repeat it per line, or set ARREARS_COLLECTOR_ADDRESS with lines separated by |): the notice must give the collector\'s mailing address');
  }
  const phone = o.collectorPhone ?? env.ARREARS_COLLECTOR_PHONE;
  const hours = o.collectorHours ?? env.ARREARS_COLLECTOR_HOURS;
  return {
    name: name.trim(), address,
    ...(phone ? { phone } : {}), ...(hours ? { hours } : {}), ...(o.disputesAt ? { electronic: o.disputesAt } : {}),
  };
}

function today(): BusinessDate {
  return new Date().toISOString().slice(0, 10);
}

export function registerNoticeCommands(program: Command): void {
  const notice = program.command('notice').description('US validation notices (Regulation F 1006.34); see docs/validation-notice.md');

  notice.command('validation')
    .description('write the validation notice PDF for an account and record it as sent')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--sent <YYYY-MM-DD>', 'the date the notice is sent (assumed receipt and the dispute deadline follow from it)')
    .option('--out <file.pdf>', 'where to write the PDF (default: validation-notice-ACCOUNT-SENT.pdf)')
    .option('--collector-name <name>', 'debt collector name (default: ARREARS_COLLECTOR_NAME)')
    .option('--collector-address <line>', 'a mailing address line; repeat for each line (default: ARREARS_COLLECTOR_ADDRESS, lines separated by |)',
      (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--collector-phone <phone>', 'phone number (default: ARREARS_COLLECTOR_PHONE)')
    .option('--collector-hours <text>', 'when the phone is answered (default: ARREARS_COLLECTOR_HOURS)')
    .option('--disputes-at <address>', 'e-mail or web address where disputes are accepted electronically')
    .option('--creditor <name>', 'the creditor the debt is owed to (default: ARREARS_CREDITOR, else the collector name)')
    .addOption(new Option('--itemization <reference>', 'itemization reference date (default: an earlier notice\'s, else last-payment when a payment was applied, else transaction)')
      .choices(['last-payment', 'transaction']))
    .option('--spanish', 'print the optional offer of a Spanish-language copy')
    .action(async (o: ValidationOpts, cmd: Command) => {
      const sentOn = parseDate(o.sent, '--sent');
      const collector = collectorFrom(o);
      const creditor = o.creditor ?? process.env.ARREARS_CREDITOR ?? collector.name;
      // loaded here, not at start-up: pdfkit costs every other command its load time
      const { money, renderValidationNoticePdf } = await import('../channels/letters/validation-notice-pdf.js');
      await withStore(cmd, async (s) => {
        const built = await buildValidationNoticeInput(s.db, o.account, { sentOn, creditor, ...(o.itemization ? { reference: o.itemization } : {}) });
        const n = validationNotice(built.input);
        const pdf = await renderValidationNoticePdf({ notice: n, collector, spanish: o.spanish === true });
        const hash = createHash('sha256').update(pdf).digest('hex');
        const out = o.out ?? `validation-notice-${o.account.replace(/[^A-Za-z0-9._-]/g, '_')}-${sentOn}.pdf`;
        const tmp = `${out}.${process.pid}.tmp`;
        writeFileSync(tmp, pdf);
        renameSync(tmp, out);
        const rec = await recordValidationNotice(s, { debtId: o.account, notice: n, fileHash: hash, at: new Date().toISOString(), actor: 'cli' });
        const m = (v: number) => money(v, n.currency);
        process.stdout.write(
          `${out}: validation notice for ${o.account} (${pdf.length} bytes, sha256 ${hash})\n`
          + `  itemization date ${n.itemizationDate} (${n.itemizationReference ?? '-'}${built.reusedFrom !== null ? `, as on notice #${built.reusedFrom}` : ''}): ${m(n.itemization[0]?.amount ?? 0)}; `
          + `interest +${m(n.itemization[1]?.amount ?? 0)}, fees +${m(n.itemization[2]?.amount ?? 0)}, payments and credits ${m((n.itemization[3]?.amount ?? 0) + (n.itemization[4]?.amount ?? 0))}\n`
          + `  amount now ${m(n.currentAmount)} (close of ${built.amountsAsOf})\n`
          + `  sent ${n.sentOn}, assumed received ${n.assumedReceipt}, dispute by ${n.validationPeriodEnds}\n`
          + (rec.duplicate ? `  this notice was already recorded as #${rec.id}; nothing recorded\n` : `  recorded as notice #${rec.id}\n`),
        );
      });
    });

  notice.command('due')
    .description('debts first communicated with more than 5 days ago that have no validation notice recorded (1006.34(a)(1)(i))')
    .option('--as-of <YYYY-MM-DD>', 'the date to judge on (default: today, UTC)')
    .action(async (o: { asOf?: string }, cmd: Command) => {
      const asOf = o.asOf ? parseDate(o.asOf, '--as-of') : today();
      await withStore(cmd, async (s) => {
        const due = await noticesDue(s.db, asOf);
        if (due.length === 0) {
          process.stdout.write(`no validation notice overdue as of ${asOf}\n`);
          return;
        }
        const head = ['account', 'first contact', 'via', 'notice due by', 'days late'];
        const rows = due.map((d) => [d.accountId, d.firstContact, d.source, d.dueBy, String(d.daysLate)]);
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
        const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
        process.stdout.write(`${[fmt(head), ...rows.map(fmt)].join('\n')}\n`);
        process.stdout.write(`${due.length} debt(s) without a validation notice more than 5 days after the first communication (as of ${asOf})\n`);
      });
    });
}
