import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { enrolmentSecrets } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

/** No new machine can enrol with it; machines already enrolled keep their own tokens. */
export async function revokeEnrolmentSecret(db: Db, { actor, id }: { actor: Actor | null; id: string }): Promise<void> {
  const admin = requirePermission(actor, 'secrets.manage');
  if (!isUuid(id)) throw new AppError('not_found', { message: 'No such enrolment secret.' });
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(enrolmentSecrets).where(eq(enrolmentSecrets.id, id)).for('update');
    if (!row) throw new AppError('not_found', { message: 'No such enrolment secret.' });
    if (row.revokedAt) return;
    await tx.update(enrolmentSecrets).set({ revokedAt: new Date() }).where(eq(enrolmentSecrets.id, id));
    await writeAudit(tx, { actor: admin, action: 'enrolment_secret.revoke', targetType: 'enrolment_secret', targetId: id, targetLabel: row.name });
  });
}
