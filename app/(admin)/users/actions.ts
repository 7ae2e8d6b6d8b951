'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { serverAction } from '@/lib/http/server-action';
import { createUser } from '@/lib/users/create-user';
import { endSessions } from '@/lib/users/end-sessions';
import { resetPassword } from '@/lib/users/reset-password';
import { createUserSchema, passwordSchema, roleSchema } from '@/lib/users/schemas';
import { updateUser } from '@/lib/users/update-user';

const userId = z.string({ message: 'expected a user id' }).min(1, 'expected a user id');

export const createUserAction = serverAction({ permission: 'users.manage', input: createUserSchema, revalidate: ['/users'] }, async ({ actor, input }) => {
  const user = await createUser(getDb(), { actor, input });
  return `${user.email} can now sign in.`;
});

export const changeRoleAction = serverAction(
  { permission: 'users.manage', input: z.object({ userId, role: roleSchema }), revalidate: ['/users'] },
  async ({ actor, input }) => {
    const user = await updateUser(getDb(), { actor, userId: input.userId, input: { role: input.role } });
    return `${user.email} is now ${user.role}.`;
  },
);

export const setDisabledAction = serverAction(
  {
    permission: 'users.manage',
    input: z.object({ userId, disabled: z.enum(['true', 'false'], { message: 'expected true or false' }).transform((v) => v === 'true') }),
    revalidate: ['/users'],
  },
  async ({ actor, input }) => {
    const user = await updateUser(getDb(), { actor, userId: input.userId, input: { disabled: input.disabled } });
    return user.disabled ? `${user.email} is disabled and signed out.` : `${user.email} can sign in again.`;
  },
);

export const resetPasswordAction = serverAction(
  { permission: 'users.manage', input: z.object({ userId, password: passwordSchema }) },
  async ({ actor, input }) => {
    await resetPassword(getDb(), { actor, userId: input.userId, input: { password: input.password } });
    return 'Password changed; the user was signed out everywhere.';
  },
);

export const endSessionsAction = serverAction({ permission: 'users.manage', input: z.object({ userId }) }, async ({ actor, input }) => {
  await endSessions(getDb(), { actor, userId: input.userId });
  return 'Every session of this user has ended.';
});
