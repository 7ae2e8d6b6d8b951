import { desc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiTokens, users } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';

export interface TokenView {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export async function listTokens(db: Db, { actor }: { actor: Actor | null }): Promise<TokenView[]> {
  requirePermission(actor, 'tokens.manage');
  const rows = await db
    .select({ token: apiTokens, creator: users.email })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.createdBy))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(({ token, creator }) => ({
    id: token.id,
    name: token.name,
    role: token.role,
    prefix: token.prefix,
    createdBy: creator,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  }));
}
