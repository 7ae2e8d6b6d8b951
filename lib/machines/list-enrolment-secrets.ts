import { count, desc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { enrolmentSecrets, machines } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';

export interface EnrolmentSecretView {
  id: string;
  name: string;
  prefix: string;
  uses: number;
  maxUses: number | null;
  machines: number;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export async function listEnrolmentSecrets(db: Db, { actor }: { actor: Actor | null }): Promise<EnrolmentSecretView[]> {
  requirePermission(actor, 'secrets.manage');
  const rows = await db
    .select({ s: enrolmentSecrets, machines: count(machines.id) })
    .from(enrolmentSecrets)
    .leftJoin(machines, eq(machines.enrolmentSecretId, enrolmentSecrets.id))
    .groupBy(enrolmentSecrets.id)
    .orderBy(desc(enrolmentSecrets.createdAt));
  return rows.map(({ s, machines: n }) => ({
    id: s.id,
    name: s.name,
    prefix: s.prefix,
    uses: s.uses,
    maxUses: s.maxUses,
    machines: n,
    expiresAt: s.expiresAt?.toISOString() ?? null,
    revokedAt: s.revokedAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
  }));
}
