/**
 * `arrears dispatch` as an operator runs it (build first: `npx tsc -p tsconfig.build.json`), on a
 * SQLite file and on PostgreSQL when a URL is given: messages enqueued in the outbox are sent once
 * through the recording channel of a YAML file (one file each), a second run sends nothing, the
 * polling mode stops on SIGTERM after its batch, and bad configurations name the field.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { enqueue, outboxCounts } from '../../src/store/outbox.js';
import { CLI, cliRunner, cliTargets } from '../support/cli.js';

const messages = (prefix: string) => [
  { idempotencyKey: `${prefix}-1:sms`, channel: 'sms' as const, to: '+16175550101', body: 'Your payment of $88.49 is overdue.' },
  { idempotencyKey: `${prefix}-2:sms`, channel: 'sms' as const, to: '+447700900123', body: 'Please call us about your account.' },
  { idempotencyKey: `${prefix}-3:email`, channel: 'email' as const, to: 'ann@example.com', subject: 'Your account', body: 'Please get in touch.' },
];

describe.each(cliTargets('dispcli'))('arrears dispatch on $name', (t) => {
  const run = cliRunner(t);
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-'));
  const cfg = join(dir, 'channels.yaml');
  writeFileSync(cfg, 'sms:\n  type: recording\n  dir: out/sms\nemail:\n  type: recording\n  dir: ${MAIL_DIR}\n');
  const env = { MAIL_DIR: join(dir, 'out', 'mail') };
  const runEnv = cliRunner(t, env);

  async function withStore<T>(fn: (s: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
    const s = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  it('--once sends each due message once through the recording channel; a second run sends nothing', async () => {
    await withStore((s) => enqueue(s.db, messages('once')));
    const r = runEnv('dispatch', '--once', '--channels', cfg);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('claimed 3, sent 3 (0 duplicates), retried 0, dead 0');
    const sms = readdirSync(join(dir, 'out', 'sms')).filter((f) => f.endsWith('.json'));
    const mail = readdirSync(join(dir, 'out', 'mail')).filter((f) => f.endsWith('.json'));
    expect(sms).toHaveLength(2);
    expect(mail).toHaveLength(1);
    const written = JSON.parse(readFileSync(join(dir, 'out', 'mail', mail[0] as string), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ idempotencyKey: 'once-3:email', to: 'ann@example.com', subject: 'Your account', body: 'Please get in touch.' });
    await withStore(async (s) => {
      expect(await outboxCounts(s.db)).toMatchObject({ sent: 3, pending: 0, failed: 0, dead: 0 });
      const audit = await s.db.selectFrom('audit_log').select('kind').where('kind', '=', 'outbox.sent').execute();
      expect(audit).toHaveLength(3);
    });

    const again = runEnv('dispatch', '--once', '--channels', cfg);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('claimed 0, sent 0');
    expect(readdirSync(join(dir, 'out', 'sms')).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });

  it('a message enqueued again under its key is not sent twice; a resend of a lost acknowledgement is a duplicate', async () => {
    await withStore(async (s) => {
      const r = await enqueue(s.db, messages('once'));
      expect(r.duplicates).toHaveLength(3);
      await enqueue(s.db, [{ idempotencyKey: 'once-1:sms', channel: 'sms', to: '+16175550101', body: 'Your payment of $88.49 is overdue.' }]);
      // a dispatcher that died after the provider took the message: the row is pending again, the file exists
      await s.db.updateTable('outbox').set({ status: 'pending', next_attempt_at: '2000-01-01T00:00:00.000Z' }).where('idempotency_key', '=', 'once-2:sms').execute();
    });
    const r = runEnv('dispatch', '--once', '--channels', cfg);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('claimed 1, sent 1 (1 duplicate)');
    expect(readdirSync(join(dir, 'out', 'sms')).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });

  it('polls until SIGTERM, then exits 0 with the totals', async () => {
    await withStore((s) => enqueue(s.db, messages('poll')));
    const child = spawn(process.execPath, [CLI, 'dispatch', '--channels', cfg, '--idle-ms', '100'], { env: { ...process.env, ...env, ...t.env } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const n = await withStore(async (s) => (await outboxCounts(s.db)).sent);
      if (n >= 6 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('sent 3');
    expect(readdirSync(join(dir, 'out', 'sms')).filter((f) => f.endsWith('.json'))).toHaveLength(4);
  }, 30_000);

  it('refuses a bad configuration naming the field', () => {
    const bad = (name: string, text: string) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return run('dispatch', '--once', '--channels', f);
    };
    const type = bad('type.yaml', 'sms:\n  type: carrier-pigeon\nemail:\n  type: recording\n  dir: x\n');
    expect(type.status).toBe(1);
    expect(type.stderr).toContain('sms.type: must be one of sms-http, recording, got "carrier-pigeon"');
    const missing = bad('missing.yaml', 'sms:\n  type: recording\n  dir: x\n');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('email: is required');
    const smtp = bad('smtp.yaml', 'sms:\n  type: recording\n  dir: x\nemail:\n  type: smtp\n  host: smtp.example.com\n  port: 99999\n  secure: false\n  from: ops@example.com\n');
    expect(smtp.status).toBe(1);
    expect(smtp.stderr).toContain('email.port: must be an integer from 1 to 65535');
    const gw = bad('gw.yaml', 'sms:\n  type: sms-http\n  url: https://gw.example/send\n  bodyTemplate: { to: "{{to}}", text: "{{body}}" }\nemail:\n  type: recording\n  dir: x\n');
    expect(gw.status).toBe(1);
    expect(gw.stderr).toContain('sms.providerIdPath');
    const envVar = bad('env.yaml', 'sms:\n  type: recording\n  dir: ${NOT_SET_ANYWHERE_H5}\nemail:\n  type: recording\n  dir: x\n');
    expect(envVar.status).toBe(1);
    expect(envVar.stderr).toContain('sms.dir: refers to the environment variable NOT_SET_ANYWHERE_H5, which is not set');
    const limit = run('dispatch', '--once', '--channels', cfg, '--limit', '0');
    expect(limit.status).toBe(1);
    expect(limit.stderr).toContain('--limit: must be a whole number from 1 to 10000');
  });
});
