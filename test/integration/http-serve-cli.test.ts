/**
 * `arrears serve` (built CLI) on an ephemeral port, on SQLite and — with ARREARS_TEST_PG_URL —
 * PostgreSQL: answers /v1/health, takes a token made by `arrears user token`, refuses it once
 * revoked, and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliRunner, cliTargets } from '../support/cli.js';

/** Starts `arrears serve --port 0`, resolves with the URL it prints. */
function serve(env: Record<string, string>, args: string[] = []): Promise<{ url: string; stop: () => Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in time: ${out} ${err}`));
    }, 20_000);
    const early = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`serve exited early (${String(code)}): ${err}`));
    };
    child.once('exit', early);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        child.off('exit', early);
        resolve({
          url: m[1],
          stderr: () => err,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
  });
}

describe.each(cliTargets('serve'))('arrears serve on $name', (t) => {
  const run = cliRunner(t);

  it('answers health on an ephemeral port, authenticates a CLI-made token, stops on SIGTERM', async () => {
    expect(run('user', 'add', '--id', 'ann', '--name', 'Ann').status).toBe(0);
    const made = run('user', 'token', 'ann', '--label', 'test');
    expect(made.status, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^arr_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toMatch(/token 1 for ann created/);
    expect(run('user', 'token', 'nobody').status).toBe(1);

    // an SMS gateway's receipts, its secret from the environment
    const dir = mkdtempSync(join(tmpdir(), 'arrears-serve-'));
    const channels = join(dir, 'channels.yaml');
    writeFileSync(channels, [
      'sms:', '  gw:', '    secretEnv: TEST_SMS_SECRET', '    gateway:', '      url: https://sms.example/v1/messages',
      '      bodyTemplate: { to: "{{to}}", text: "{{body}}" }', '      providerIdPath: id', '      receipt: { providerIdPath: msgid, statusPath: stat }', '',
    ].join('\n'));
    const srv = await serve({ ...t.env, TEST_SMS_SECRET: 'secret-from-the-environment' }, ['--channels', channels]);
    rmSync(dir, { recursive: true, force: true });
    try {
      const health = await fetch(`${srv.url}/v1/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: t.name });
      expect(health.headers.get('x-request-id')).toBeTruthy();
      const auth = { authorization: `Bearer ${token}` };
      expect((await fetch(`${srv.url}/v1/accounts`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${srv.url}/v1/accounts`)).status).toBe(401);
      expect(run('user', 'revoke-token', '1').stdout).toBe('token 1 revoked\n');
      expect((await fetch(`${srv.url}/v1/accounts`, { headers: auth })).status).toBe(401);
      expect(run('user', 'tokens', 'ann').stdout).toMatch(/1\s+test\s+\S+\s+cli\s+\d{4}-/);
      const receipt = (secret: string) => fetch(`${srv.url}/v1/webhooks/sms/gw`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-webhook-secret': secret }, body: 'msgid=gw-1&stat=DELIVRD',
      });
      expect((await receipt('wrong')).status).toBe(401);
      const unknown = await receipt('secret-from-the-environment');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: 'receipt.unknown_message' } });
    } finally {
      const code = await srv.stop();
      expect(code).toBe(0);
    }
    // structured request logs with request ids on stderr, and the shutdown
    const lines = srv.stderr().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => typeof l.reqId === 'string' && l.msg === 'request completed')).toBe(true);
    expect(lines.some((l) => l.msg === 'stopped')).toBe(true);
  }, 60_000);
});
