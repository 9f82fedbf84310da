/**
 * `arrears serve` — the HTTP API (src/http, docs/http-api.md) on the command's database — and
 * `arrears user token|tokens|revoke-token` — the API's bearer tokens.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../core/index.js';
import type { HttpSmsConfig } from '../channels/sms-http.js';
import { createServer, type SmsWebhook } from '../http/index.js';
import { openStore } from '../store/db.js';
import { createToken, listTokens, revokeToken } from '../store/tokens.js';
import { accountPacks } from './packs.js';
import { dbUrl, table, withStore } from './shared.js';

const actor = (): string => process.env.ARREARS_ACTOR ?? 'cli';


interface WebhookEntry {
  gateway?: unknown;
  secret?: unknown;
  secretEnv?: unknown;
  header?: unknown;
}

/** The SMS gateways whose receipts the server takes, from a YAML/JSON file `{ sms: { NAME: { gateway, secret | secretEnv, header? } } }`. */
export function readChannels(file: string, env: NodeJS.ProcessEnv = process.env): Record<string, SmsWebhook> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationError('--channels', `cannot read ${file}: ${(e as Error).message}`);
  }
  const sms = (raw as { sms?: unknown } | null)?.sms;
  if (typeof sms !== 'object' || sms === null || Array.isArray(sms)) throw new ValidationError('--channels', `${file} must hold { sms: { NAME: { gateway, secret | secretEnv } } }`);
  const out: Record<string, SmsWebhook> = {};
  for (const [name, v] of Object.entries(sms as Record<string, WebhookEntry>)) {
    const field = `sms.${name}`;
    let secret = v.secret;
    if (secret === undefined && typeof v.secretEnv === 'string') {
      secret = env[v.secretEnv];
      if (secret === undefined || secret === '') throw new ValidationError(`${field}.secretEnv`, `the environment variable ${v.secretEnv} is not set`);
    }
    if (typeof secret !== 'string') throw new ValidationError(`${field}.secret`, 'give secret or secretEnv (the name of an environment variable holding it)');
    if (v.header !== undefined && typeof v.header !== 'string') throw new ValidationError(`${field}.header`, 'must be a header name');
    out[name] = { gateway: v.gateway as HttpSmsConfig, secret, ...(typeof v.header === 'string' ? { header: v.header } : {}) };
  }
  return out;
}

function port(v: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new ValidationError('--port', `must be a port number 0–65535 (0: any free port), got "${v}"`);
  return Number(v);
}

export function registerServe(program: Command): void {
  program.command('serve')
    .description('run the HTTP API for staff, agency users and channel webhooks (docs/http-api.md); stops on SIGTERM')
    .option('--port <n>', 'TCP port (0: any free port)', process.env.PORT ?? '8080')
    .option('--host <host>', 'interface to listen on (0.0.0.0: all)', '127.0.0.1')
    .option('--channels <file>', 'SMS gateways whose delivery receipts are accepted (YAML/JSON)')
    .action(async (o: { port: string; host: string; channels?: string }, cmd: Command) => {
      const p = port(o.port);
      const smsWebhooks = o.channels === undefined ? {} : readChannels(o.channels);
      const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: null }, pino.destination(2));
      const store = await openStore({ url: dbUrl(cmd) });
      let app;
      try {
        app = await createServer({ store, packsFor: accountPacks(store), smsWebhooks, logger });
        await app.listen({ port: p, host: o.host });
      } catch (e) {
        await store.close();
        throw e;
      }
      const address = app.server.address();
      const where = typeof address === 'object' && address !== null ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : String(address);
      process.stdout.write(`arrears API listening on ${where} (database ${store.location})\n`);
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down: finishing requests in flight');
        const force = setTimeout(() => {
          logger.error('shutdown took longer than 10 s; exiting');
          process.exit(1);
        }, 10_000);
        force.unref();
        void (async () => {
          try {
            await app.close();
            await store.close();
            logger.info('stopped');
            process.exitCode = 0;
          } catch (err) {
            logger.error({ err }, 'shutdown failed');
            process.exitCode = 2;
          }
        })();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });

  const user = program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('the people who work accounts');
  user.command('token')
    .description('create an API bearer token for a user; it is printed once (only its SHA-256 is stored)')
    .argument('<userId>', 'the user')
    .option('--label <text>', 'what the token is for (e.g. "dialer", "laptop")')
    .action(async (userId: string, o: { label?: string }, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const t = await createToken(s.db, userId, { actor: actor(), label: o.label ?? null });
        process.stdout.write(`${t.token}\n`);
        process.stderr.write(`token ${t.id} for ${userId} created; it is shown only now. Send it as "Authorization: Bearer TOKEN". Revoke with \`arrears user revoke-token ${t.id}\`.\n`);
      });
    });
  user.command('tokens')
    .description('a user\'s API tokens (ids, labels, revoked or not; never the tokens)')
    .argument('<userId>', 'the user')
    .action(async (userId: string, _o: unknown, cmd: Command) => {
      await withStore(cmd, async (s) => {
        const rows = await listTokens(s.db, userId);
        process.stdout.write(table(['id', 'label', 'created', 'by', 'revoked'], rows.map((t) => [String(t.id), t.label ?? '', t.createdAt, t.createdBy, t.revokedAt ?? ''])));
      });
    });
  user.command('revoke-token')
    .description('revoke an API token: requests with it answer 401 from then on')
    .argument('<tokenId>', 'the token id (`arrears user tokens USER`)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      if (!/^\d+$/.test(id)) throw new ValidationError('tokenId', `must be a token id, got "${id}"`);
      await withStore(cmd, async (s) => {
        const done = await revokeToken(s.db, Number(id), { actor: actor() });
        process.stdout.write(done ? `token ${id} revoked\n` : `token ${id} was revoked already\n`);
      });
    });
}
