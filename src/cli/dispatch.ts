/**
 * `arrears dispatch`: the outbox dispatcher (src/channels/dispatcher.ts) as a command, with its
 * channels configured from a YAML file — SMS over the generic HTTP gateway or to a directory,
 * e-mail over SMTP or to a directory. `--once` drains what is due and exits; without it the
 * command polls until SIGTERM or SIGINT and finishes the batch in flight first. docs/operations.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { isRecord, ValidationError } from '../core/index.js';
import {
  ChannelError, expectKind, httpSmsChannel, smtpChannel, type Channel, type DeliveryStatus, type HttpSmsConfig, type OutboundMessage, type SendResult, type SmtpChannelConfig,
} from '../channels/index.js';
import { dispatch, emptyCounts, runDispatcher, type DispatchCounts } from '../channels/dispatcher.js';
import { outboxCounts } from '../store/outbox.js';
import { logger } from './progress.js';
import { withStore } from './shared.js';

export const CHANNEL_TYPES = { sms: ['sms-http', 'recording'], email: ['smtp', 'recording'] } as const;
type Kind = keyof typeof CHANNEL_TYPES;

// ---------------------------------------------------------------------------------------------
// a recording channel that writes each message to a directory

/** The file a message is kept in: the key made safe for a file name, plus a hash of the key (two keys never share a file). */
export function recordingFileName(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  return `${safe}.${createHash('sha256').update(key).digest('hex').slice(0, 12)}.json`;
}

/**
 * Sends nothing: writes each message as a JSON file into `dir` (created if missing). Idempotent
 * by key across runs and processes: a key whose file exists is a duplicate with the first id.
 */
export function directoryChannel(dir: string, kind: Kind, name = `recording-${kind}`): Channel {
  mkdirSync(dir, { recursive: true });
  return {
    name,
    async send(m: OutboundMessage): Promise<SendResult> {
      expectKind(m, kind, name);
      if (typeof m.to !== 'string' || m.to.trim() === '') throw ChannelError.permanent(`${name}: to must be a non-empty string`, { code: 'bad-address', channel: name });
      const file = join(dir, recordingFileName(m.idempotencyKey));
      if (existsSync(file)) {
        const had = JSON.parse(readFileSync(file, 'utf8')) as { providerId?: unknown };
        return { providerId: typeof had.providerId === 'string' ? had.providerId : file, status: 'sent', duplicate: true };
      }
      const providerId = `rec-${createHash('sha256').update(m.idempotencyKey).digest('hex').slice(0, 16)}`;
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, `${JSON.stringify({ ...m, providerId, recordedAt: new Date().toISOString() }, null, 2)}\n`);
        renameSync(tmp, file);
      } catch (e) {
        throw ChannelError.transient(`${name}: cannot write ${file}: ${(e as Error).message}`, { code: 'connection', channel: name });
      }
      return { providerId, status: 'sent', duplicate: false };
    },
    async status(): Promise<DeliveryStatus> {
      return 'unknown';
    },
  };
}

// ---------------------------------------------------------------------------------------------
// configuration

/** `${NAME}` in a string value is the environment variable NAME (secrets stay out of the file); a missing one is an error naming the field. */
function expandEnv(v: unknown, field: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof v === 'string') {
    return v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_all, name: string) => {
      const value = env[name];
      if (value === undefined) throw new ValidationError(field, `refers to the environment variable ${name}, which is not set`);
      return value;
    });
  }
  if (Array.isArray(v)) return v.map((x, i) => expandEnv(x, `${field}[${i}]`, env));
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandEnv(x, `${field}.${k}`, env)]));
  return v;
}

/** The adapter's own ValidationError (it names its field) re-thrown with the path in the file. */
function inFile<T>(prefix: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(`${prefix}.${e.field}`, e.rule);
    throw e;
  }
}

export interface ChannelSet {
  channels: Record<Kind, Channel>;
  /** what each kind goes through, for the log */
  describe: Record<Kind, string>;
  close(): void;
}

/**
 * Builds the channels from a parsed config: `{ sms: { type: sms-http | recording, … }, email: { type: smtp | recording, … } }`.
 * Both kinds are required (a message without a channel would be dead-lettered). Relative `dir`s are relative to `base`.
 */
export function channelsFromConfig(raw: unknown, base = '.', env: NodeJS.ProcessEnv = process.env): ChannelSet {
  if (!isRecord(raw)) throw new ValidationError('channels', 'must be a mapping with sms and email');
  for (const k of Object.keys(raw)) if (!(k in CHANNEL_TYPES)) throw new ValidationError(k, `is not a channel kind (known: ${Object.keys(CHANNEL_TYPES).join(', ')})`);
  const closers: (() => void)[] = [];
  const channels = {} as Record<Kind, Channel>;
  const describe = {} as Record<Kind, string>;
  for (const kind of Object.keys(CHANNEL_TYPES) as Kind[]) {
    const c = raw[kind];
    if (c === undefined || c === null) throw new ValidationError(kind, 'is required: every message kind needs a channel (type: recording keeps them in a directory)');
    if (!isRecord(c)) throw new ValidationError(kind, 'must be a mapping with a type');
    const types: readonly string[] = CHANNEL_TYPES[kind];
    if (typeof c.type !== 'string' || !types.includes(c.type)) throw new ValidationError(`${kind}.type`, `must be one of ${types.join(', ')}, got ${JSON.stringify(c.type)}`);
    const { type, ...rest } = expandEnv(c, kind, env) as Record<string, unknown>;
    if (type === 'recording') {
      for (const k of Object.keys(rest)) if (k !== 'dir' && k !== 'name') throw new ValidationError(`${kind}.${k}`, 'is not a recording option (known: dir, name)');
      if (typeof rest.dir !== 'string' || rest.dir.trim() === '') throw new ValidationError(`${kind}.dir`, 'must be the directory to write the messages to');
      if (rest.name !== undefined && (typeof rest.name !== 'string' || rest.name === '')) throw new ValidationError(`${kind}.name`, 'must be a non-empty string');
      const dir = resolve(base, rest.dir);
      channels[kind] = directoryChannel(dir, kind, typeof rest.name === 'string' ? rest.name : undefined);
      describe[kind] = `recording to ${dir}`;
    } else if (type === 'smtp') {
      const ch = inFile(kind, () => smtpChannel(rest as unknown as SmtpChannelConfig));
      closers.push(() => ch.close());
      channels[kind] = ch;
      describe[kind] = `smtp ${String(rest.host)}:${String(rest.port)}`;
    } else {
      channels[kind] = inFile(kind, () => httpSmsChannel(rest as unknown as HttpSmsConfig));
      describe[kind] = `sms-http ${String(rest.url)}`;
    }
  }
  return { channels, describe, close: () => closers.forEach((f) => f()) };
}

/** Reads and checks a channels file (YAML or JSON). */
export function loadChannelsFile(file: string, env: NodeJS.ProcessEnv = process.env): ChannelSet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError('--channels', `cannot read ${file}${code === 'ENOENT' ? ': no such file' : ''}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ValidationError('--channels', `${file} is not valid YAML (${(e as Error).message.split('\n')[0] ?? ''})`);
  }
  try {
    return channelsFromConfig(doc, resolve(file, '..'), env);
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(e.field, e.rule, file);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// the command

function positive(v: string, field: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new ValidationError(field, `must be a whole number from 1 to ${max}, got "${v}"`);
  return Number(v);
}

function add(a: DispatchCounts, b: DispatchCounts): void {
  for (const k of Object.keys(a) as (keyof DispatchCounts)[]) a[k] += b[k];
}

export function formatCounts(c: DispatchCounts): string {
  return `claimed ${c.claimed}, sent ${c.sent} (${c.duplicates} duplicate${c.duplicates === 1 ? '' : 's'}), retried ${c.retried}, dead ${c.dead}, stale ${c.stale}`;
}

export function registerDispatch(program: Command): void {
  program.command('dispatch')
    .description('send the outbox through the channels of a YAML file: --once drains what is due; otherwise polls until SIGTERM/SIGINT')
    .requiredOption('--channels <file>', 'channels, YAML: { sms: { type: sms-http|recording, … }, email: { type: smtp|recording, … } }')
    .option('--once', 'send what is due now, print the counts and exit')
    .option('--limit <n>', 'messages claimed per pass', '50')
    .option('--concurrency <n>', 'sends in flight at once', '4')
    .option('--lease-ms <ms>', 'how long a claim holds its messages (must outlast a pass)', '300000')
    .option('--idle-ms <ms>', 'wait between passes when the outbox is idle (polling)', '1000')
    .action(async (o: { channels: string; once?: boolean; limit: string; concurrency: string; leaseMs: string; idleMs: string }, cmd: Command) => {
      const limit = positive(o.limit, '--limit', 10_000);
      const concurrency = positive(o.concurrency, '--concurrency', 256);
      const leaseMs = positive(o.leaseMs, '--lease-ms', 86_400_000);
      const idleMs = positive(o.idleMs, '--idle-ms', 3_600_000);
      const set = loadChannelsFile(o.channels);
      const log = logger();
      const opts = { limit, concurrency, leaseMs, actor: process.env.ARREARS_ACTOR ?? 'dispatcher' };
      try {
        await withStore(cmd, async (store) => {
          log.info({ sms: set.describe.sms, email: set.describe.email, database: store.location, once: o.once === true }, 'dispatcher started');
          if (o.once === true) {
            // passes until one finds less than a full batch: everything due now was tried once
            const totals = emptyCounts();
            for (;;) {
              const c = await dispatch(store, set.channels, opts);
              add(totals, c);
              if (c.claimed > 0) log.info(c, 'dispatch pass');
              if (c.claimed < limit) break;
            }
            const left = await outboxCounts(store.db);
            process.stdout.write(`${formatCounts(totals)}; outbox now: ${left.pending} pending, ${left.failed} failed (retry later), ${left.dead} dead, ${left.sent} sent\n`);
            return;
          }
          const stop = new AbortController();
          const onSignal = (signal: string): void => {
            if (!stop.signal.aborted) log.info({ signal }, 'stopping after the batch in flight');
            stop.abort();
          };
          process.on('SIGTERM', onSignal);
          process.on('SIGINT', onSignal);
          try {
            const totals = await runDispatcher(store, set.channels, {
              ...opts, idleMs, signal: stop.signal,
              onPass: (c) => { if (c.claimed > 0) log.info(c, 'dispatch pass'); },
              onError: (e) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'dispatch pass failed; retrying after the idle wait'),
            });
            log.info(totals, 'dispatcher stopped');
            process.stdout.write(`${formatCounts(totals)}\n`);
          } finally {
            process.off('SIGTERM', onSignal);
            process.off('SIGINT', onSignal);
          }
        });
      } finally {
        set.close();
      }
    });
}
