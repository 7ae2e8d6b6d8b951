import { asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { cabinets, packages } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';

export interface CabinetSummary {
  id: string;
  name: string;
  description: string;
  packageCount: number;
  /** Sum of its packages' sizes (content shared between packages counts for each). */
  totalBytes: number;
  createdAt: string;
}

export async function listCabinets(db: Db, { actor }: { actor: Actor | null }): Promise<CabinetSummary[]> {
  requirePermission(actor, 'admin.view');
  const rows = await db
    .select({
      cabinet: cabinets,
      packageCount: count(packages.id),
      totalBytes: sql<string>`coalesce(sum(${packages.size}), 0)`,
    })
    .from(cabinets)
    .leftJoin(packages, eq(packages.cabinetId, cabinets.id))
    .groupBy(cabinets.id)
    .orderBy(asc(cabinets.name));
  return rows.map((r) => ({
    id: r.cabinet.id,
    name: r.cabinet.name,
    description: r.cabinet.description,
    packageCount: r.packageCount,
    totalBytes: Number(r.totalBytes),
    createdAt: r.cabinet.createdAt.toISOString(),
  }));
}
