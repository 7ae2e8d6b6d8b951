import { z } from 'zod';
import type { Db } from '@/db/client';
import { enrolmentSecrets } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { generateSecret, PREFIX } from '@/lib/tokens/token-secret';

export const createEnrolmentSecretSchema = z.object({
  name: z.string({ message: 'expected a name' }).trim().min(1, 'expected a name such as "Berlin office laptops"').max(100, 'expected at most 100 characters'),
  maxUses: z.coerce.number({ message: 'expected a number of machines' }).int('expected a whole number').min(1, 'expected at least 1').max(1_000_000).optional(),
  expiresInDays: z.coerce.number({ message: 'expected a number of days' }).int('expected whole days').min(1, 'expected 1 to 3650 days').max(3650, 'expected 1 to 3650 days').optional(),
});

export interface CreatedEnrolmentSecret {
  id: string;
  name: string;
  /** Shown once; only its hash is stored. */
  secret: string;
  maxUses: number | null;
  expiresAt: string | null;
}

export async function createEnrolmentSecret(db: Db, { actor, input, now = new Date() }: { actor: Actor | null; input: unknown; now?: Date }): Promise<CreatedEnrolmentSecret> {
  const admin = requirePermission(actor, 'secrets.manage');
  const data = parseInput(createEnrolmentSecretSchema, input, 'body');
  const secret = generateSecret(PREFIX.enrolmentSecret);
  const expiresAt = data.expiresInDays ? new Date(now.getTime() + data.expiresInDays * 86_400_000) : null;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(enrolmentSecrets)
      .values({ name: data.name, secretHash: secret.hash, prefix: secret.prefix, maxUses: data.maxUses ?? null, expiresAt, createdBy: admin.id })
      .returning();
    await writeAudit(tx, {
      actor: admin,
      action: 'enrolment_secret.create',
      targetType: 'enrolment_secret',
      targetId: row.id,
      targetLabel: row.name,
      after: { name: row.name, prefix: row.prefix, maxUses: row.maxUses, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { id: row.id, name: row.name, secret: secret.token, maxUses: row.maxUses, expiresAt: expiresAt?.toISOString() ?? null };
  });
}
