import { z } from 'zod';
import { ROLES } from '@/lib/auth/permissions';

export const emailSchema = z
  .string({ message: 'expected an email address' })
  .trim()
  .toLowerCase()
  .max(254, 'expected at most 254 characters')
  .pipe(z.email({ message: 'expected an email address such as ana@example.com' }));

// The upper bound keeps a multi-megabyte "password" from tying up argon2.
export const passwordSchema = z
  .string({ message: 'expected a password' })
  .min(10, 'expected at least 10 characters')
  .max(200, 'expected at most 200 characters');

export const nameSchema = z
  .string({ message: 'expected a name' })
  .trim()
  .min(1, 'expected a name')
  .max(100, 'expected at most 100 characters');

export const roleSchema = z.enum(ROLES, { message: `expected one of ${ROLES.join(', ')}` });

export const createUserSchema = z.object({
  email: emailSchema,
  name: nameSchema,
  role: roleSchema,
  password: passwordSchema,
});
export type CreateUserInput = z.input<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    name: nameSchema.optional(),
    role: roleSchema.optional(),
    disabled: z.boolean({ message: 'expected true or false' }).optional(),
  })
  .strict()
  .refine((v) => v.name !== undefined || v.role !== undefined || v.disabled !== undefined, {
    message: 'expected at least one of name, role, disabled',
  });
export type UpdateUserInput = z.input<typeof updateUserSchema>;

export const resetPasswordSchema = z.object({ password: passwordSchema });

export const userIdSchema = z.uuid({ message: 'expected a user id' });
