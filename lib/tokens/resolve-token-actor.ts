import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiTokens, users } from '@/db/schema';
import { can, type Actor } from '@/lib/auth/permissions';
import { hashToken, looksLikeToken } from './token-secret';

/**
 * The actor behind `Authorization: Bearer dpt_…`, or null when the token is unknown, revoked,
 * expired, or its creator is disabled or no longer an admin (their tokens stop with their power).
 */
export async function resolveTokenActor(db: Db, token: string, now = new Date()): Promise<Actor | null> {
  if (!looksLikeToken(token)) return null;
  const [row] = await db
    .select({ token: apiTokens, user: { id: users.id, email: users.email, name: users.name, disabled: users.disabled, role: users.role } })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.createdBy))
    .where(eq(apiTokens.tokenHash, hashToken(token)))
    .limit(1);
  // Only admins create tokens; a token stops when its creator is disabled or no longer an admin,
  // so a demoted admin keeps no admin power through tokens made earlier.
  if (!row || row.token.revokedAt || row.user.disabled || !can(row.user.role, 'tokens.manage')) return null;
  if (row.token.expiresAt && row.token.expiresAt <= now) return null;
  // At most one write a minute per token, not one per request.
  await db
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(and(eq(apiTokens.id, row.token.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`${now.toISOString()}::timestamptz - interval '1 minute'`))));
  return { id: row.user.id, email: row.user.email, name: row.token.name, role: row.token.role, token: { id: row.token.id, name: row.token.name } };
}

/** The token from an Authorization header value, if it is a Bearer one. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
