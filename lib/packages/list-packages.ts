import { and, asc, count, desc, eq, ilike, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { pageParam } from '@/lib/http/page-param';
import type { Db } from '@/db/client';
import { cabinets, packages } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { toPublicPackage, type PublicPackage } from './public-package';

export const listPackagesQuerySchema = z.object({
  cabinet: z.string().max(64, 'expected a cabinet name').optional(),
  q: z.string().trim().max(200, 'expected at most 200 characters').optional(),
  page: pageParam(),
  pageSize: z.coerce.number({ message: 'expected a number' }).int().min(1, 'expected 1 to 200').max(200, 'expected 1 to 200').default(50),
});
// Loose on purpose: pages pass raw search params and this operation parses them.
export type ListPackagesQuery = { [K in keyof z.input<typeof listPackagesQuerySchema>]?: unknown };

export interface PackagesPage {
  packages: PublicPackage[];
  total: number;
  page: number;
  pageSize: number;
}

export async function listPackages(db: Db, { actor, query = {} }: { actor: Actor | null; query?: ListPackagesQuery }): Promise<PackagesPage> {
  requirePermission(actor, 'admin.view');
  const q = parseInput(listPackagesQuerySchema, query, 'query');
  const where: SQL[] = [];
  if (q.cabinet) where.push(eq(cabinets.name, q.cabinet));
  if (q.q) {
    const pattern = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(packages.packageId, pattern), ilike(packages.displayName, pattern), ilike(packages.category, pattern))!);
  }
  const condition = where.length ? and(...where) : undefined;
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({ pkg: packages, cabinet: cabinets.name })
      .from(packages)
      .innerJoin(cabinets, eq(cabinets.id, packages.cabinetId))
      .where(condition)
      .orderBy(asc(cabinets.name), asc(packages.packageId), desc(packages.createdAt))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db.select({ total: count() }).from(packages).innerJoin(cabinets, eq(cabinets.id, packages.cabinetId)).where(condition),
  ]);
  return { packages: rows.map((r) => toPublicPackage(r.pkg, r.cabinet)), total, page: q.page, pageSize: q.pageSize };
}
