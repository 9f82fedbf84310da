/**
 * `arrears messages send`: the date's planned SMS and e-mail tasks, each through the compliance
 * gate, written to the outbox for `arrears dispatch`. See docs/messages.md.
 */
import { Option, type Command } from 'commander';
import { parseDate, ValidationError } from '../core/index.js';
import { accountPacks } from './packs.js';
import { logger, progress } from './progress.js';
import { warnBacklog, withStore } from './shared.js';

interface SendOpts {
  date: string;
  channel?: 'sms' | 'email';
  limit?: string;
  templates?: string;
  format: 'text' | 'json';
  quiet?: boolean;
}

export function registerMessages(program: Command): void {
  const messages = program.command('messages').description('the strategy\'s SMS and e-mail tasks: through the compliance gate into the outbox (docs/messages.md)');

  messages.command('send')
    .description('enqueue the date\'s planned sms/email tasks: each through the gate; allowed ones go to the outbox (then `arrears dispatch`); idempotent')
    .requiredOption('--date <YYYY-MM-DD>', 'the business date whose planned tasks are sent (the last date the cycle closed)')
    .addOption(new Option('--channel <channel>', 'only this channel').choices(['sms', 'email']))
    .option('--limit <n>', 'at most this many planned tasks, in task order (the rest stay planned for the next run)')
    .option('--templates <dir>', 'message templates (default: templates/messages)')
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json']).default('text'))
    .option('--quiet', 'no progress on stderr')
    .action(async (o: SendOpts, cmd: Command) => {
      const date = parseDate(o.date, '--date');
      if (o.limit !== undefined && !/^[1-9]\d*$/.test(o.limit)) throw new ValidationError('--limit', `must be a whole number of at least 1, got "${o.limit}"`);
      const { loadMessageTemplates } = await import('../channels/messages.js');
      const { sendDayMessages } = await import('../store/messages.js');
      const templates = o.templates !== undefined ? loadMessageTemplates(o.templates) : loadMessageTemplates();
      await withStore(cmd, async (s) => {
        await warnBacklog(s, date, o.channel ? [o.channel] : ['sms', 'email'], 'arrears messages send');
        const bar = progress(logger(), o.quiet === true);
        let r;
        try {
          r = await sendDayMessages(s, {
            date, templates, packsFor: accountPacks(s), actor: process.env.ARREARS_ACTOR ?? 'messages',
            ...(o.channel ? { channel: o.channel } : {}),
            ...(o.limit !== undefined ? { limit: Number(o.limit) } : {}),
            onProgress: (done, total) => bar.update(`messages ${date}`, done, total),
          });
        } finally {
          bar.stop();
        }
        if (o.format === 'json') {
          const { outcomes, ...summary } = r;
          process.stdout.write(`${JSON.stringify({ ...summary, outcomes })}\n`);
          return;
        }
        const rules = Object.entries(r.blockedBy).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        const noContact = r.outcomes.filter((x) => x.status === 'no_contact_point');
        for (const x of noContact.slice(0, 10)) process.stdout.write(`  no contact point: task ${x.taskId} ${x.accountId} ${x.channel} (${x.partyKind}) — ${x.reason ?? ''}\n`);
        if (noContact.length > 10) process.stdout.write(`  … and ${noContact.length - 10} more without a contact point\n`);
        if (rules.length > 0) process.stdout.write(`  blocked: ${rules.map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
        process.stdout.write(`messages ${date}: ${r.sent} sent to the outbox, ${r.blocked} blocked, ${r.noContactPoint} no contact point, ${r.alreadyDone} already done`
          + `${r.remaining > 0 ? `, ${r.remaining} left for the next run (--limit)` : ''}\n`);
        if (r.sent > 0) process.stdout.write('deliver them: arrears dispatch --once --channels channels.yaml\n');
      });
    });
}
