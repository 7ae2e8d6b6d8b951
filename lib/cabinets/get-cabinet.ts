import type { Db } from '@/db/client';
import type { Cabinet } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { listPackages, type PackagesPage } from '@/lib/packages/list-packages';
import { loadCabinet } from './load-cabinet';

export interface CabinetDetail {
  cabinet: Pick<Cabinet, 'id' | 'name' | 'description'> & { createdAt: string };
  packages: PackagesPage;
}

export async function getCabinet(db: Db, { actor, name, page }: { actor: Actor | null; name: string; page?: unknown }): Promise<CabinetDetail> {
  requirePermission(actor, 'admin.view');
  const cabinet = await loadCabinet(db, name);
  return {
    cabinet: { id: cabinet.id, name: cabinet.name, description: cabinet.description, createdAt: cabinet.createdAt.toISOString() },
    packages: await listPackages(db, { actor, query: { cabinet: cabinet.name, page } }),
  };
}
