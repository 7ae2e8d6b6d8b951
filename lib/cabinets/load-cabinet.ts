import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { cabinets, type Cabinet } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { cabinetNameSchema } from './schemas';

export async function loadCabinet(db: Db, name: string, options: { forUpdate?: boolean } = {}): Promise<Cabinet> {
  const notFound = new AppError('not_found', { field: 'cabinet', message: `cabinet: no cabinet named "${String(name).slice(0, 64)}"` });
  if (!cabinetNameSchema.safeParse(name).success) throw notFound;
  const query = db.select().from(cabinets).where(eq(cabinets.name, name)).limit(1);
  const [cabinet] = options.forUpdate ? await query.for('update') : await query;
  if (!cabinet) throw notFound;
  return cabinet;
}
