import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { cabinets, packages, type Package } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

export async function loadPackage(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<{ pkg: Package; cabinetName: string }> {
  const notFound = new AppError('not_found', { message: 'No such package.' });
  if (!isUuid(id)) throw notFound;
  const query = db.select({ pkg: packages, cabinetName: cabinets.name }).from(packages).innerJoin(cabinets, eq(cabinets.id, packages.cabinetId)).where(eq(packages.id, id)).limit(1);
  const [row] = options.forUpdate ? await query.for('update', { of: packages }) : await query;
  if (!row) throw notFound;
  return row;
}
