import { z } from 'zod';
import type { Db } from '@/db/client';
import { apiTokens } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { generateToken } from './token-secret';

export const createTokenSchema = z.object({
  name: z.string({ message: 'expected a name' }).trim().min(1, 'expected a name such as "CI pipeline"').max(100, 'expected at most 100 characters'),
  role: z.enum(['admin', 'deployer', 'auditor'], { message: 'expected admin, deployer or auditor' }),
  expiresInDays: z.coerce
    .number({ message: 'expected a number of days' })
    .int('expected whole days')
    .min(1, 'expected 1 to 3650 days')
    .max(3650, 'expected 1 to 3650 days')
    .optional(),
});
export type CreateTokenInput = z.input<typeof createTokenSchema>;

export interface CreateTokenOptions {
  actor: Actor | null;
  input: CreateTokenInput;
  now?: Date;
}

export interface CreatedToken {
  id: string;
  name: string;
  role: string;
  prefix: string;
  expiresAt: string | null;
  /** Shown once; only its hash is stored. */
  token: string;
}

export async function createToken(db: Db, { actor, input, now = new Date() }: CreateTokenOptions): Promise<CreatedToken> {
  const admin = requirePermission(actor, 'tokens.manage');
  const data = parseInput(createTokenSchema, input, 'body');
  const secret = generateToken();
  const expiresAt = data.expiresInDays ? new Date(now.getTime() + data.expiresInDays * 86_400_000) : null;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({ name: data.name, role: data.role, tokenHash: secret.hash, prefix: secret.prefix, createdBy: admin.id, expiresAt })
      .returning();
    await writeAudit(tx, {
      actor: admin,
      action: 'token.create',
      targetType: 'api_token',
      targetId: row.id,
      targetLabel: row.name,
      after: { name: row.name, role: row.role, prefix: row.prefix, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { id: row.id, name: row.name, role: row.role, prefix: row.prefix, expiresAt: expiresAt?.toISOString() ?? null, token: secret.token };
  });
}
