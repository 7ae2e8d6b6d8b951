import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { hashPassword } from '@/lib/auth/password';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { isUniqueViolation } from '@/lib/db-errors';
import { auditView, toPublicUser, type PublicUser } from './public-user';
import { createUserSchema, type CreateUserInput } from './schemas';

export interface CreateUserOptions {
  /** null only for the system (first-run seeding and the create-admin command). */
  actor: Actor | null;
  input: CreateUserInput;
  system?: boolean;
}

export async function createUser(db: Db, { actor, input, system = false }: CreateUserOptions): Promise<PublicUser> {
  if (!system) requirePermission(actor, 'users.manage');
  const data = parseInput(createUserSchema, input);
  const passwordHash = await hashPassword(data.password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ email: data.email, name: data.name, role: data.role, passwordHash })
        .returning();
      await writeAudit(tx, {
        actor,
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        targetLabel: user.email,
        after: auditView(user),
      });
      return toPublicUser(user);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_idx')) {
      throw new AppError('conflict', { field: 'email', message: `email: a user with ${data.email} already exists` });
    }
    throw error;
  }
}
