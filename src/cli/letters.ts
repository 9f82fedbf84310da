/**
 * `arrears letters …`: the daily print batch of collection letters (each through the compliance
 * gate), the letters recorded, one letter shown or re-rendered. See docs/letters.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { parseDate, ValidationError } from '../core/index.js';
import type { LetterHead, PageSize } from '../channels/letters/letter-pdf.js';
import { accountPacks } from './packs.js';
import { logger, progress } from './progress.js';
import { table, warnBacklog, withStore } from './shared.js';

interface BatchOpts {
  date: string;
  out: string;
  lenderName?: string;
  lenderAddress: string[];
  lenderPhone?: string;
  pageSize: PageSize;
  cjkFont?: string;
  templates?: string;
  format: 'text' | 'json';
  quiet?: boolean;
}

/** The letterhead from flags, else ARREARS_LENDER_NAME, ARREARS_LENDER_ADDRESS (lines separated by |), ARREARS_LENDER_PHONE. */
function headFrom(o: BatchOpts, env: NodeJS.ProcessEnv = process.env): LetterHead {
  const name = (o.lenderName ?? env.ARREARS_LENDER_NAME ?? '').trim();
  if (name === '') throw new ValidationError('--lender-name', 'is required (or set ARREARS_LENDER_NAME): the letterhead names the lender');
  const address = o.lenderAddress.length > 0 ? o.lenderAddress : (env.ARREARS_LENDER_ADDRESS ?? '').split('|').map((l) => l.trim()).filter((l) => l !== '');
  if (address.length === 0) throw new ValidationError('--lender-address', 'is required (repeat it per line, or set ARREARS_LENDER_ADDRESS with lines separated by |): the letterhead gives the lender\'s postal address');
  const phone = (o.lenderPhone ?? env.ARREARS_LENDER_PHONE ?? '').trim();
  if (phone === '') throw new ValidationError('--lender-phone', 'is required (or set ARREARS_LENDER_PHONE): the letters tell the borrower where to call');
  return { name, address, phone };
}


/** Writes a file whole or not at all (a temporary file renamed into place). */
function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Debian's fonts-wqy-microhei: used for CJK letters when neither --cjk-font nor ARREARS_LETTER_CJK_FONT is given (set the variable empty to refuse instead). */
export const DEBIAN_CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

function cjkFontFrom(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const given = option ?? env.ARREARS_LETTER_CJK_FONT;
  if (given !== undefined) return given === '' ? null : given;
  return existsSync(DEBIAN_CJK_FONT) ? `${DEBIAN_CJK_FONT}#WenQuanYiMicroHei` : null;
}

const pageSizeOption = (): Option => new Option('--page-size <size>', 'paper').choices(['LETTER', 'A4']).default(process.env.ARREARS_LETTER_PAGE_SIZE === 'A4' ? 'A4' : 'LETTER');

export function registerLetters(program: Command): void {
  const letters = program.command('letters').description('collection letters: the daily print batch through the compliance gate (docs/letters.md)');

  letters.command('batch')
    .description('print the date\'s letter tasks: each through the gate; one PDF for the date plus a CSV and JSON manifest; idempotent')
    .requiredOption('--date <YYYY-MM-DD>', 'the business date whose letter tasks are printed')
    .option('--out <dir>', 'where to write the PDF and manifests', '.')
    .option('--lender-name <name>', 'letterhead: the lender (default: ARREARS_LENDER_NAME)')
    .option('--lender-address <line>', 'letterhead: a postal address line; repeat per line (default: ARREARS_LENDER_ADDRESS, lines separated by |)',
      (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--lender-phone <phone>', 'letterhead: the phone number borrowers call (default: ARREARS_LENDER_PHONE)')
    .addOption(pageSizeOption())
    .option('--cjk-font <path>', 'a TTF/OTF font (or file.ttc#Face) for zh-CN letters (default: ARREARS_LETTER_CJK_FONT)')
    .option('--templates <dir>', 'letter templates (default: templates/letters)')
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json']).default('text'))
    .option('--quiet', 'no progress on stderr')
    .action(async (o: BatchOpts, cmd: Command) => {
      const date = parseDate(o.date, '--date');
      const head = headFrom(o);
      // loaded here, not at start-up: pdfkit costs every other command its load time
      const { loadLetterTemplates, manifestCsv, manifestJson, batchStem } = await import('../channels/letters/batch.js');
      const { runLetterBatch } = await import('../store/letters.js');
      const templates = o.templates ? loadLetterTemplates(o.templates) : loadLetterTemplates();
      const cjkFont = cjkFontFrom(o.cjkFont);
      mkdirSync(o.out, { recursive: true });
      await withStore(cmd, async (s) => {
        await warnBacklog(s, date, ['letter'], 'arrears letters batch');
        const bar = progress(logger(), o.quiet === true);
        let r;
        try {
          r = await runLetterBatch(s, {
            date, head, templates, packsFor: accountPacks(s), cjkFont, pageSize: o.pageSize, actor: process.env.ARREARS_ACTOR ?? 'cli',
            onProgress: (done, total) => bar.update(`letters ${date}`, done, total),
          });
        } finally {
          bar.stop();
        }
        const files: string[] = [];
        for (const b of r.batches) {
          const stem = join(o.out, batchStem(date, b.manifest.batch));
          if (b.pdf) {
            writeAtomic(`${stem}.pdf`, b.pdf);
            files.push(`${stem}.pdf`);
          }
          writeAtomic(`${stem}.csv`, manifestCsv(b.manifest.letters));
          writeAtomic(`${stem}.json`, manifestJson(b.manifest));
          files.push(`${stem}.csv`, `${stem}.json`);
        }
        if (o.format === 'json') {
          process.stdout.write(`${JSON.stringify({ date, handled: r.handled, stored: r.stored, files, batches: r.batches.map((b) => b.manifest) })}\n`);
          return;
        }
        if (r.batches.length === 0) {
          process.stdout.write(`no letter tasks for ${date}\n`);
          return;
        }
        for (const b of r.batches) {
          const m = b.manifest;
          process.stdout.write(`batch ${m.batch} of ${date}: ${m.letters.length} letter(s), ${m.pages} page(s)${m.sha256 ? `, sha256 ${m.sha256}` : ''}${m.batch === r.stored ? ' (new)' : ''}\n`);
          for (const l of m.letters) process.stdout.write(`  ${l.seq}. ${l.account} ${l.recipient}, ${l.address.join(', ')} — ${l.template} (${l.language}), ${l.pages} page(s)\n`);
          for (const x of m.notPrinted) {
            process.stdout.write(`  not printed: task ${x.taskId} ${x.account} (${x.partyKind} ${x.party}) — ${x.status === 'blocked' ? `blocked by ${x.rule ?? '?'}: ` : ''}${x.reason}\n`);
          }
        }
        process.stdout.write(r.handled > 0 ? `${r.handled} letter task(s) handled\n` : 'nothing new: no gate decision asked, the files were written again\n');
        process.stdout.write(`files: ${files.join(', ')}\n`);
      });
    });

  letters.command('list')
    .description('the letters recorded for a date or an account: printed, blocked or unaddressable')
    .option('--date <YYYY-MM-DD>', 'business date')
    .option('--account <id>', 'account')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'json']).default('table'))
    .action(async (o: { date?: string; account?: string; format: 'table' | 'json' }, cmd: Command) => {
      if (o.date === undefined && o.account === undefined) throw new ValidationError('--date', 'give --date or --account (or both)');
      const { listLetters } = await import('../store/letters.js');
      await withStore(cmd, async (s) => {
        const rows = await listLetters(s.db, { ...(o.date ? { date: parseDate(o.date, '--date') } : {}), ...(o.account ? { accountId: o.account } : {}) });
        if (o.format === 'json') {
          for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no letters\n');
          return;
        }
        process.stdout.write(table(['id', 'date', 'batch', 'seq', 'account', 'to', 'template', 'lang', 'status', 'pages', 'decision', 'rule'],
          rows.map((r) => [String(r.id), r.date, String(r.batch), r.seq === null ? '' : String(r.seq), r.accountId, `${r.recipient} (${r.partyKind})`, r.template, r.language,
            r.status, r.pages === null ? '' : String(r.pages), r.decisionId === null ? '' : String(r.decisionId), r.rule ?? ''])));
      });
    });

  letters.command('show')
    .description('one letter: recipient, address, text, gate decision; --out writes its own PDF again (checked against its sha256)')
    .argument('<id>', 'the letter id (`arrears letters list`)')
    .option('--out <file.pdf>', 'write the letter\'s PDF')
    .addOption(pageSizeOption())
    .option('--cjk-font <path>', 'a TTF/OTF font (or file.ttc#Face) for zh-CN letters (default: ARREARS_LETTER_CJK_FONT)')
    .action(async (id: string, o: { out?: string; pageSize: PageSize; cjkFont?: string }, cmd: Command) => {
      if (!/^\d+$/.test(id)) throw new ValidationError('id', `must be a letter id (a whole number), got "${id}"`);
      const { getLetter } = await import('../store/letters.js');
      await withStore(cmd, async (s) => {
        const found = await getLetter(s.db, Number(id));
        if (!found) throw new ValidationError('id', `no letter ${id}`);
        const { letter: l, content: c } = found;
        process.stdout.write(`letter ${l.id}: ${l.status}; ${l.date} batch ${l.batch}${l.seq !== null ? ` #${l.seq}` : ''}; task ${l.taskId}; account ${l.accountId}\n`
          + `to: ${l.recipient} (${l.partyKind} ${l.partyId})${l.address.length ? `, ${l.address.join(', ')}` : ''}\n`
          + `template: ${l.template} (${l.language})${l.decisionId !== null ? `; gate decision ${l.decisionId}` : ''}${l.rule ? ` blocked by ${l.rule}` : ''}\n`
          + (l.reason ? `reason: ${l.reason}\n` : '')
          + (l.sha256 ? `pages: ${l.pages ?? '?'}, sha256 ${l.sha256}\n` : ''));
        if (c) process.stdout.write(`\n${c.subject}\n\n${c.body.trim()}\n`);
        if (o.out !== undefined) {
          if (!c) throw new ValidationError('--out', `letter ${id} was not printed (${l.status}): there is no PDF`);
          const { renderLetterPdf } = await import('../channels/letters/letter-pdf.js');
          const r = await renderLetterPdf(c, { date: l.date, cjkFont: cjkFontFrom(o.cjkFont), pageSize: o.pageSize });
          const hash = createHash('sha256').update(r.bytes).digest('hex');
          writeAtomic(o.out, r.bytes);
          process.stdout.write(`${o.out}: ${r.bytes.length} bytes, sha256 ${hash}${hash === l.sha256 ? ' (as printed)' : ' — DIFFERS from the printed letter (another page size, font or program version?)'}\n`);
          if (hash !== l.sha256) process.exitCode = 1;
        }
      });
    });
}
