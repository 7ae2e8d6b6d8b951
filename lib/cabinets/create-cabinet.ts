import type { Db } from '@/db/client';
import { cabinets, type Cabinet } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { isUniqueViolation } from '@/lib/db-errors';
import { AppError, parseInput } from '@/lib/errors';
import { createCabinetSchema, type CreateCabinetInput } from './schemas';

export interface CreateCabinetOptions {
  actor: Actor | null;
  input: CreateCabinetInput;
}

export async function createCabinet(db: Db, { actor, input }: CreateCabinetOptions): Promise<Cabinet> {
  const deployer = requirePermission(actor, 'deploy.manage');
  const data = parseInput(createCabinetSchema, input, 'body');
  try {
    return await db.transaction(async (tx) => {
      const [cabinet] = await tx.insert(cabinets).values({ name: data.name, description: data.description, createdBy: deployer.id }).returning();
      await writeAudit(tx, {
        actor: deployer,
        action: 'cabinet.create',
        targetType: 'cabinet',
        targetId: cabinet.id,
        targetLabel: cabinet.name,
        after: { name: cabinet.name, description: cabinet.description },
      });
      return cabinet;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'cabinets_name_idx')) {
      throw new AppError('conflict', { field: 'name', message: `name: a cabinet named "${data.name}" already exists` });
    }
    throw error;
  }
}
