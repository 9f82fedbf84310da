/**
 * API bearer tokens per user (migration 016, docs/http-api.md). A token is 32 random bytes
 * (node:crypto), shown once when created; the database keeps only its SHA-256, so a leaked
 * database does not leak working tokens. Tokens are revoked, never deleted. Creating and revoking
 * are audit entries (`user.token_created`, `user.token_revoked` on `user:ID`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ValidationError } from '../core/index.js';
import { parseUser, type User } from '../queues/index.js';
import { atomically, audit, changeOptions, type ChangeOptions } from './audit.js';
import type { Db } from './repo.js';

/** Every token starts with this, so a token pasted in the wrong place is recognisable (and greppable by secret scanners). */
export const TOKEN_PREFIX = 'arr_';
const TOKEN_RE = /^arr_[A-Za-z0-9_-]{43}$/;

/** SHA-256 (hex) of a token: what the database keeps and looks up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface TokenInfo {
  id: number;
  userId: string;
  label: string | null;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

export interface CreatedToken extends TokenInfo {
  /** the token itself: shown once, never stored */
  token: string;
}

/** Creates a token for a user (who must exist). The returned `token` is the only copy. */
export async function createToken(db: Db, userId: string, o: ChangeOptions & { label?: string | null } = {}): Promise<CreatedToken> {
  const { actor, now } = changeOptions(o);
  const label = o.label ?? null;
  if (label !== null && (typeof label !== 'string' || label.trim() === '' || label.length > 200)) throw new ValidationError('label', 'must be 1–200 characters');
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return atomically(db, async (tx) => {
    const user = await tx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw new ValidationError('user', `no user "${userId}" (add one with \`arrears user add\`)`);
    const row = await tx.insertInto('api_tokens').values({
      user_id: userId, token_hash: hashToken(token), label, created_at: now, created_by: actor, revoked_at: null, revoked_by: null,
    }).returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    await audit(tx, 'user.token_created', `user:${userId}`, { token: id, label }, actor, now);
    return { id, userId, label, createdAt: now, createdBy: actor, revokedAt: null, token };
  });
}

/** Revokes a token by id; revoking one already revoked changes nothing (returns false). */
export async function revokeToken(db: Db, tokenId: number, o: ChangeOptions = {}): Promise<boolean> {
  if (!Number.isSafeInteger(tokenId) || tokenId < 1) throw new ValidationError('token', `must be a token id, got ${JSON.stringify(tokenId)}`);
  const { actor, now } = changeOptions(o);
  return atomically(db, async (tx) => {
    const row = await tx.selectFrom('api_tokens').select(['user_id', 'revoked_at']).where('id', '=', tokenId).executeTakeFirst();
    if (!row) throw new ValidationError('token', `no token ${tokenId}`);
    if (row.revoked_at !== null) return false;
    await tx.updateTable('api_tokens').set({ revoked_at: now, revoked_by: actor }).where('id', '=', tokenId).where('revoked_at', 'is', null).execute();
    await audit(tx, 'user.token_revoked', `user:${row.user_id}`, { token: tokenId }, actor, now);
    return true;
  });
}

/** A user's tokens (never the token itself), newest first. */
export async function listTokens(db: Db, userId: string): Promise<TokenInfo[]> {
  const rows = await db.selectFrom('api_tokens').select(['id', 'user_id', 'label', 'created_at', 'created_by', 'revoked_at'])
    .where('user_id', '=', userId).orderBy('id', 'desc').execute();
  return rows.map((r) => ({ id: Number(r.id), userId: r.user_id, label: r.label, createdAt: r.created_at, createdBy: r.created_by, revokedAt: r.revoked_at }));
}

/** The user a token belongs to, when the token is well-formed, known and not revoked; null otherwise. */
export async function userForToken(db: Db, token: string): Promise<(User & { tokenId: number }) | null> {
  if (!TOKEN_RE.test(token)) return null;
  const r = await db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id as token_id', 'users.id', 'users.name', 'users.role', 'users.agency_id', 'users.skills', 'users.capacity'])
    .where('api_tokens.token_hash', '=', hashToken(token)).where('api_tokens.revoked_at', 'is', null).executeTakeFirst();
  if (!r) return null;
  const user = parseUser({ id: r.id, name: r.name, role: r.role, agencyId: r.agency_id, capacity: Number(r.capacity), skills: JSON.parse(r.skills) as unknown });
  return { ...user, tokenId: Number(r.token_id) };
}
