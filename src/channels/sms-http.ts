/**
 * SMS over an HTTP gateway (an edge module: see ./channel.ts). One generic adapter configured per
 * gateway rather than one per vendor: where to POST, how to authenticate, the JSON body as a
 * template, where the gateway puts its message id, how it signals a repeated idempotency key, and
 * how its delivery receipts spell a status.
 *
 * - Node's global fetch, each request bounded by `AbortSignal.timeout(timeoutMs)`.
 * - The idempotency key goes in a header (`Idempotency-Key` unless configured otherwise) and can
 *   be put in the body with `{{idempotencyKey}}`. A gateway that saw the key before answers with
 *   the first id; the adapter reports `duplicate` when the gateway says so (the
 *   `Idempotent-Replayed: true` header, or a truthy value at `duplicatePath`).
 * - 2xx: taken. 408, 425, 429 and 5xx: retryable (with Retry-After when the gateway gives one).
 *   Other 4xx: permanent. Timeouts and network failures: retryable. A 2xx whose body has no id
 *   at `providerIdPath` is permanent and says so: the SMS may have gone out, so it is not resent
 *   blindly; fix the path.
 * - Delivery receipts: `parseDeliveryReceipt(config, body)` reads a webhook body (JSON, or a
 *   form-encoded string) with `receipt.providerIdPath` / `receipt.statusPath` and maps the
 *   gateway's word (e.g. SMPP's `DELIVRD`) to a DeliveryStatus with `statusMap`.
 */
import { ValidationError } from '../core/index.js';
import { isE164 } from '../contact/index.js';
import { ChannelError, DELIVERY_STATUSES, expectKind, type Channel, type DeliveryStatus, type OutboundMessage, type SendResult } from './channel.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export type HttpSmsAuth = { bearer: string } | { username: string; password: string };

export interface HttpSmsConfig {
  /** the gateway's send endpoint, http(s) */
  url: string;
  /** default POST */
  method?: 'POST' | 'PUT';
  /** extra request headers (e.g. an API key header) */
  headers?: Record<string, string>;
  auth?: HttpSmsAuth;
  /**
   * The JSON request body, as a value or as JSON text, with `{{to}}`, `{{body}}`,
   * `{{idempotencyKey}}`, `{{from}}` and `{{accountId}}` inside its strings; they are filled in
   * (JSON-escaped) per message. `{{to}}` and `{{body}}` must appear.
   */
  bodyTemplate: JsonValue;
  /** header carrying the idempotency key (default `Idempotency-Key`; `false` sends none) */
  idempotencyHeader?: string | false;
  /** where the message id is in the JSON response, dot-separated, numbers index arrays: `messages.0.id` */
  providerIdPath: string;
  /** where the response says the key was seen before (truthy); the `Idempotent-Replayed: true` header always counts */
  duplicatePath?: string;
  /** where the response has the message's status (optional; without it a send is `queued`) */
  statusPath?: string;
  /** GET endpoint for one message's status, with `{{providerId}}` (URL-encoded on use) */
  statusUrl?: string;
  /** where the status is in the statusUrl response (default `status`) */
  statusResponsePath?: string;
  /** the gateway's status words to ours, matched case-insensitively, on top of the defaults (SMPP's DELIVRD, UNDELIV, …) */
  statusMap?: Record<string, DeliveryStatus>;
  /** where the delivery receipt webhook puts the id and the status (defaults `id` and `status`) */
  receipt?: { providerIdPath?: string; statusPath?: string };
  /** the sender (alphanumeric sender id or number) when a message has none */
  from?: string;
  /** per request, default 10,000 ms */
  timeoutMs?: number;
  /** Channel.name (default `sms-http`) */
  name?: string;
}

export interface DeliveryReceipt {
  providerId: string;
  status: DeliveryStatus;
  /** the gateway's own word, as received */
  providerStatus: string;
}

const PLACEHOLDERS = ['to', 'body', 'idempotencyKey', 'from', 'accountId'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;
const PATH = /^[^.\s]+(\.[^.\s]+)*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Defaults for statusMap: our own words, common gateway words, and SMPP delivery receipt states. */
export const DEFAULT_STATUS_MAP: Readonly<Record<string, DeliveryStatus>> = Object.freeze({
  queued: 'queued', accepted: 'queued', pending: 'queued', scheduled: 'queued', enroute: 'sent', acceptd: 'sent',
  sent: 'sent', sending: 'sent', submitted: 'sent',
  delivered: 'delivered', delivrd: 'delivered',
  failed: 'failed', undelivered: 'failed', undeliv: 'failed', rejected: 'failed', rejectd: 'failed', expired: 'failed', deleted: 'failed',
  unknown: 'unknown',
});

interface Resolved {
  name: string;
  url: URL;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  template: JsonValue;
  idempotencyHeader: string | false;
  providerIdPath: string;
  duplicatePath: string | undefined;
  statusPath: string | undefined;
  statusUrl: string | undefined;
  statusResponsePath: string;
  statusMap: Map<string, DeliveryStatus>;
  receiptIdPath: string;
  receiptStatusPath: string;
  from: string | undefined;
  timeoutMs: number;
  usesFrom: boolean;
}

const WHERE = 'sms-http channel';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkPath(field: string, v: unknown): string {
  if (typeof v !== 'string' || !PATH.test(v)) throw new ValidationError(field, `must be a dot-separated path such as messages.0.id, got ${JSON.stringify(v)}`, WHERE);
  return v;
}

function placeholdersIn(v: JsonValue, out: Set<string>): void {
  if (typeof v === 'string') {
    for (const m of v.matchAll(PLACEHOLDER)) if (m[1] !== undefined) out.add(m[1]);
  } else if (Array.isArray(v)) {
    for (const x of v) placeholdersIn(x, out);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      placeholdersIn(k, out);
      placeholdersIn(x, out);
    }
  }
}

function isJsonValue(v: unknown): v is JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJsonValue);
  if (isRecord(v)) return Object.values(v).every(isJsonValue);
  return false;
}

function resolve(config: HttpSmsConfig): Resolved {
  if (!isRecord(config)) throw new ValidationError('config', 'must be an object with url, bodyTemplate and providerIdPath', WHERE);
  let url: URL;
  try {
    url = new URL(String(config.url));
  } catch {
    throw new ValidationError('url', `must be an absolute http(s) URL, got ${JSON.stringify(config.url)}`, WHERE);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('url', `must be an http(s) URL, got ${url.protocol}`, WHERE);
  const method = config.method ?? 'POST';
  if (method !== 'POST' && method !== 'PUT') throw new ValidationError('method', `must be POST or PUT, got ${JSON.stringify(method)}`, WHERE);

  const headers: Record<string, string> = {};
  if (config.headers !== undefined) {
    if (!isRecord(config.headers)) throw new ValidationError('headers', 'must be an object of header names to string values', WHERE);
    for (const [k, v] of Object.entries(config.headers)) {
      if (!HEADER_NAME.test(k)) throw new ValidationError(`headers.${k}`, 'is not a valid header name', WHERE);
      if (typeof v !== 'string' || /[\r\n]/.test(v)) throw new ValidationError(`headers.${k}`, 'must be a one-line string', WHERE);
      headers[k] = v;
    }
  }
  if (config.auth !== undefined) {
    const a: unknown = config.auth;
    if (isRecord(a) && 'bearer' in a) {
      if (typeof a.bearer !== 'string' || a.bearer === '' || /[\r\n]/.test(a.bearer)) throw new ValidationError('auth.bearer', 'must be a non-empty one-line token', WHERE);
      headers.Authorization = `Bearer ${a.bearer}`;
    } else if (isRecord(a) && 'username' in a) {
      if (typeof a.username !== 'string' || a.username === '' || a.username.includes(':')) throw new ValidationError('auth.username', 'must be a non-empty string without ":"', WHERE);
      if (typeof a.password !== 'string') throw new ValidationError('auth.password', 'must be a string', WHERE);
      headers.Authorization = `Basic ${Buffer.from(`${a.username}:${a.password}`, 'utf8').toString('base64')}`;
    } else {
      throw new ValidationError('auth', 'must be { bearer } or { username, password }', WHERE);
    }
  }

  let template: unknown = config.bodyTemplate;
  if (template === undefined) throw new ValidationError('bodyTemplate', 'is required: the JSON body with {{to}} and {{body}}', WHERE);
  if (typeof template === 'string' && /^\s*[[{]/.test(template)) {
    try {
      template = JSON.parse(template) as unknown;
    } catch (e) {
      throw new ValidationError('bodyTemplate', `is not valid JSON: ${(e as Error).message}`, WHERE);
    }
  }
  if (!isJsonValue(template) || !(Array.isArray(template) || isRecord(template))) {
    throw new ValidationError('bodyTemplate', 'must be a JSON object or array (or its JSON text)', WHERE);
  }
  const used = new Set<string>();
  placeholdersIn(template, used);
  for (const p of used) {
    if (!(PLACEHOLDERS as readonly string[]).includes(p)) throw new ValidationError('bodyTemplate', `has an unknown placeholder {{${p}}}; known: ${PLACEHOLDERS.map((x) => `{{${x}}}`).join(', ')}`, WHERE);
  }
  for (const p of ['to', 'body']) if (!used.has(p)) throw new ValidationError('bodyTemplate', `must contain {{${p}}}`, WHERE);

  const idempotencyHeader = config.idempotencyHeader ?? 'Idempotency-Key';
  if (idempotencyHeader !== false && (typeof idempotencyHeader !== 'string' || !HEADER_NAME.test(idempotencyHeader))) {
    throw new ValidationError('idempotencyHeader', 'must be a header name, or false for none', WHERE);
  }
  if (idempotencyHeader === false && !used.has('idempotencyKey')) {
    throw new ValidationError('idempotencyHeader', 'is false and bodyTemplate has no {{idempotencyKey}}: the gateway would have no way to recognise a resend', WHERE);
  }
  const providerIdPath = checkPath('providerIdPath', config.providerIdPath);
  const duplicatePath = config.duplicatePath === undefined ? undefined : checkPath('duplicatePath', config.duplicatePath);
  const statusPath = config.statusPath === undefined ? undefined : checkPath('statusPath', config.statusPath);
  const statusResponsePath = checkPath('statusResponsePath', config.statusResponsePath ?? 'status');

  let statusUrl: string | undefined;
  if (config.statusUrl !== undefined) {
    statusUrl = config.statusUrl;
    if (typeof statusUrl !== 'string' || !statusUrl.includes('{{providerId}}')) throw new ValidationError('statusUrl', 'must be a URL containing {{providerId}}', WHERE);
    let probe: URL;
    try {
      probe = new URL(statusUrl.replaceAll('{{providerId}}', 'x'));
    } catch {
      throw new ValidationError('statusUrl', `must be an absolute http(s) URL, got ${JSON.stringify(statusUrl)}`, WHERE);
    }
    if (probe.protocol !== 'http:' && probe.protocol !== 'https:') throw new ValidationError('statusUrl', `must be an http(s) URL, got ${probe.protocol}`, WHERE);
  }

  const statusMap = new Map<string, DeliveryStatus>(Object.entries(DEFAULT_STATUS_MAP));
  if (config.statusMap !== undefined) {
    if (!isRecord(config.statusMap)) throw new ValidationError('statusMap', 'must be an object of gateway words to delivery statuses', WHERE);
    for (const [k, v] of Object.entries(config.statusMap)) {
      if (!(DELIVERY_STATUSES as readonly unknown[]).includes(v)) throw new ValidationError(`statusMap.${k}`, `must be one of ${DELIVERY_STATUSES.join(', ')}, got ${JSON.stringify(v)}`, WHERE);
      statusMap.set(k.toLowerCase(), v as DeliveryStatus);
    }
  }
  let receiptIdPath = 'id';
  let receiptStatusPath = 'status';
  if (config.receipt !== undefined) {
    if (!isRecord(config.receipt)) throw new ValidationError('receipt', 'must be { providerIdPath?, statusPath? }', WHERE);
    if (config.receipt.providerIdPath !== undefined) receiptIdPath = checkPath('receipt.providerIdPath', config.receipt.providerIdPath);
    if (config.receipt.statusPath !== undefined) receiptStatusPath = checkPath('receipt.statusPath', config.receipt.statusPath);
  }
  if (config.from !== undefined && (typeof config.from !== 'string' || config.from === '')) throw new ValidationError('from', 'must be a non-empty string', WHERE);
  const timeoutMs = config.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ValidationError('timeoutMs', 'must be a positive integer (milliseconds)', WHERE);
  const name = config.name ?? 'sms-http';
  if (typeof name !== 'string' || name === '') throw new ValidationError('name', 'must be a non-empty string', WHERE);

  return {
    name, url, method, headers, template, idempotencyHeader, providerIdPath, duplicatePath, statusPath, statusUrl, statusResponsePath,
    statusMap, receiptIdPath, receiptStatusPath, from: config.from, timeoutMs, usesFrom: used.has('from'),
  };
}

/** Checks a gateway configuration; throws a ValidationError naming the field. */
export function validateHttpSmsConfig(config: HttpSmsConfig): void {
  resolve(config);
}

/** The template with every placeholder filled in; values stay inside their JSON strings. */
export function renderTemplate(template: JsonValue, values: Readonly<Record<Placeholder, string>>): JsonValue {
  if (typeof template === 'string') return template.replace(PLACEHOLDER, (_all, p: string) => values[p as Placeholder] ?? '');
  if (Array.isArray(template)) return template.map((x) => renderTemplate(x, values));
  if (template !== null && typeof template === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(template)) out[renderTemplate(k, values) as string] = renderTemplate(v, values);
    return out;
  }
  return template;
}

/** The value at a dot-separated path (`messages.0.id`); undefined when any step is missing. */
export function valueAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const step of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(step)) cur = cur[Number(step)];
    else if (isRecord(cur) && Object.hasOwn(cur, step)) cur = cur[step];
    else return undefined;
  }
  return cur;
}

function mapStatus(r: Resolved, word: unknown): DeliveryStatus {
  if (typeof word !== 'string' && typeof word !== 'number') return 'unknown';
  return r.statusMap.get(String(word).trim().toLowerCase()) ?? 'unknown';
}

/** Whether an HTTP status is worth retrying: 408, 425, 429 and 5xx. */
export function httpRetryable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function retryAfter(res: Response): number | undefined {
  const h = res.headers.get('retry-after');
  if (h === null) return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h.trim()) * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function fetchError(e: unknown, r: Resolved, what: string): ChannelError {
  if (e instanceof ChannelError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return ChannelError.transient(`${r.name}: ${what} timed out after ${r.timeoutMs} ms`, { code: 'timeout', channel: r.name, cause: e });
  }
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const detail = cause ? `${cause.message}` : err.message;
  return ChannelError.transient(`${r.name}: ${what} failed: ${detail}`, { code: 'connection', channel: r.name, cause: e });
}

async function readJson(res: Response): Promise<{ json: unknown; text: string }> {
  const text = await res.text();
  try {
    return { json: text === '' ? undefined : (JSON.parse(text) as unknown), text };
  } catch {
    return { json: undefined, text };
  }
}

function snippet(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && /^(true|1|yes)$/i.test(v));
}

export function httpSmsChannel(config: HttpSmsConfig): Channel {
  const r = resolve(config);
  return {
    name: r.name,
    async send(m: OutboundMessage): Promise<SendResult> {
      expectKind(m, 'sms', r.name);
      if (typeof m.to !== 'string' || !isE164(m.to)) {
        throw ChannelError.permanent(`${r.name}: to must be an E.164 number such as +14155550100, got ${JSON.stringify(m.to)}`, { code: 'bad-address', channel: r.name });
      }
      if (typeof m.body !== 'string' || m.body === '') throw ChannelError.permanent(`${r.name}: body must be a non-empty string`, { code: 'bad-message', channel: r.name });
      const from = m.from ?? r.from;
      if (r.usesFrom && from === undefined) {
        throw ChannelError.permanent(`${r.name}: the body template uses {{from}} but neither the message nor the channel config has a from`, { code: 'bad-message', channel: r.name });
      }
      const body = renderTemplate(r.template, { to: m.to, body: m.body, idempotencyKey: m.idempotencyKey, from: from ?? '', accountId: m.accountId ?? '' });
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...r.headers };
      if (r.idempotencyHeader !== false) headers[r.idempotencyHeader] = m.idempotencyKey;

      let res: Response;
      let parsed: { json: unknown; text: string };
      try {
        res = await fetch(r.url, { method: r.method, headers, body: JSON.stringify(body), signal: AbortSignal.timeout(r.timeoutMs) });
        parsed = await readJson(res);
      } catch (e) {
        throw fetchError(e, r, 'send');
      }
      if (!res.ok) {
        const retryable = httpRetryable(res.status);
        const after = retryable ? retryAfter(res) : undefined;
        throw new ChannelError(`${r.name}: the gateway answered ${res.status}${parsed.text ? `: ${snippet(parsed.text)}` : ''}`, retryable, {
          code: retryable ? 'unavailable' : res.status === 401 || res.status === 403 ? 'auth' : 'rejected',
          channel: r.name,
          providerCode: res.status,
          ...(after === undefined ? {} : { retryAfterMs: after }),
        });
      }
      const id = valueAt(parsed.json, r.providerIdPath);
      if (typeof id !== 'string' && typeof id !== 'number') {
        throw ChannelError.permanent(
          `${r.name}: the gateway answered ${res.status} but there is no message id at providerIdPath "${r.providerIdPath}" in ${snippet(parsed.text) || 'an empty body'}; not retried, since the SMS may have gone out`,
          { code: 'bad-response', channel: r.name, providerCode: res.status },
        );
      }
      const duplicate = truthy(res.headers.get('idempotent-replayed')) || (r.duplicatePath !== undefined && truthy(valueAt(parsed.json, r.duplicatePath)));
      const word = r.statusPath === undefined ? undefined : valueAt(parsed.json, r.statusPath);
      const status = word === undefined ? 'queued' : mapStatus(r, word);
      return { providerId: String(id), status, duplicate };
    },
    async status(providerId: string): Promise<DeliveryStatus> {
      if (r.statusUrl === undefined) return 'unknown';
      const url = r.statusUrl.replaceAll('{{providerId}}', encodeURIComponent(providerId));
      let res: Response;
      let parsed: { json: unknown; text: string };
      try {
        res = await fetch(url, { method: 'GET', headers: { accept: 'application/json', ...r.headers }, signal: AbortSignal.timeout(r.timeoutMs) });
        parsed = await readJson(res);
      } catch (e) {
        throw fetchError(e, r, 'status query');
      }
      if (res.status === 404) return 'unknown';
      if (!res.ok) {
        throw new ChannelError(`${r.name}: status query answered ${res.status}`, httpRetryable(res.status), { code: 'status', channel: r.name, providerCode: res.status });
      }
      return mapStatus(r, valueAt(parsed.json, r.statusResponsePath));
    },
  };
}

/**
 * Reads a delivery receipt posted by the gateway: a parsed JSON value, JSON text, or a
 * form-encoded string / URLSearchParams. Throws a ValidationError naming the path when the id or
 * the status is missing. An unmapped status word gives `unknown` (with `providerStatus` kept).
 */
export function parseDeliveryReceipt(config: HttpSmsConfig, body: unknown): DeliveryReceipt {
  const r = resolve(config);
  let data: unknown = body;
  if (body instanceof URLSearchParams) data = Object.fromEntries(body);
  else if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    if (/^\s*[[{]/.test(text)) {
      try {
        data = JSON.parse(text) as unknown;
      } catch (e) {
        throw new ValidationError('receipt', `is not valid JSON: ${(e as Error).message}`, 'delivery receipt');
      }
    } else {
      data = Object.fromEntries(new URLSearchParams(text));
    }
  }
  const id = valueAt(data, r.receiptIdPath);
  if (typeof id !== 'string' && typeof id !== 'number') throw new ValidationError(r.receiptIdPath, 'must be the message id (receipt.providerIdPath)', 'delivery receipt');
  const word = valueAt(data, r.receiptStatusPath);
  if (typeof word !== 'string' && typeof word !== 'number') throw new ValidationError(r.receiptStatusPath, 'must be the delivery status (receipt.statusPath)', 'delivery receipt');
  return { providerId: String(id), status: mapStatus(r, word), providerStatus: String(word) };
}
