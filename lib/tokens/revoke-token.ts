import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiTokens } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

export interface RevokeTokenOptions {
  actor: Actor | null;
  tokenId: string;
}

/** Revokes a token: its next request gets 401. Revoking twice is a no-op. */
export async function revokeToken(db: Db, { actor, tokenId }: RevokeTokenOptions): Promise<void> {
  const admin = requirePermission(actor, 'tokens.manage');
  if (!isUuid(tokenId)) throw new AppError('not_found', { message: 'No such API token.' });
  await db.transaction(async (tx) => {
    const [token] = await tx.select().from(apiTokens).where(eq(apiTokens.id, tokenId)).for('update');
    if (!token) throw new AppError('not_found', { message: 'No such API token.' });
    if (token.revokedAt) return;
    await tx.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, token.id));
    await writeAudit(tx, { actor: admin, action: 'token.revoke', targetType: 'api_token', targetId: token.id, targetLabel: token.name });
  });
}
