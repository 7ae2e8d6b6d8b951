import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { packages } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { loadPackage } from './load-package';
import { packageLabel, toPublicPackage, type PublicPackage } from './public-package';

const EDITABLE = ['description', 'category', 'selfService'] as const;

export const updatePackageSchema = z
  .object({
    description: z.string({ message: 'expected text' }).max(4000, 'expected at most 4000 characters').optional(),
    category: z.string({ message: 'expected text' }).trim().max(100, 'expected at most 100 characters').optional(),
    selfService: z.boolean({ message: 'expected true or false' }).optional(),
  })
  .refine((v) => EDITABLE.some((k) => v[k] !== undefined), { message: `expected at least one of ${EDITABLE.join(', ')}` });

export interface UpdatePackageOptions {
  actor: Actor | null;
  id: string;
  input: unknown;
}

/**
 * Edits what may change after registration: description, category, self-service. A package is
 * never renamed or moved, and its installation information never changes: any other field is
 * refused by name, with what to do instead.
 */
export async function updatePackage(db: Db, { actor, id, input }: UpdatePackageOptions): Promise<PublicPackage> {
  const deployer = requirePermission(actor, 'deploy.manage');
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const frozen = Object.keys(input).find((k) => !(EDITABLE as readonly string[]).includes(k));
    if (frozen) {
      const hint =
        frozen === 'cabinet' || frozen === 'cabinetId'
          ? 'a package never moves to another cabinet; register it in the other cabinet instead'
          : frozen === 'packageId' || frozen === 'displayName'
            ? 'a package is never renamed; register a new package instead'
            : 'installation information never changes; register a new generation instead';
      throw new AppError('invalid_input', { field: frozen, message: `${frozen}: cannot be changed (${hint}); only ${EDITABLE.join(', ')} can` });
    }
  }
  const change = parseInput(updatePackageSchema, input, 'body');
  return db.transaction(async (tx) => {
    const { pkg: before, cabinetName } = await loadPackage(tx, id, { forUpdate: true });
    const [after] = await tx.update(packages).set(change).where(eq(packages.id, before.id)).returning();
    await writeAudit(tx, {
      actor: deployer,
      action: 'package.update',
      targetType: 'package',
      targetId: after.id,
      targetLabel: `${cabinetName}/${packageLabel(after)}`,
      before: { description: before.description, category: before.category, selfService: before.selfService },
      after: { description: after.description, category: after.category, selfService: after.selfService },
    });
    return toPublicPackage(after, cabinetName);
  });
}
