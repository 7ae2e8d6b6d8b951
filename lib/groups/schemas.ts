import { z } from 'zod';
import { blackoutDatesSchema } from '@/lib/contract/blackout-dates';
import { installationWindowsSchema } from '@/lib/contract/installation-window';

export const createGroupSchema = z
  .object({
    name: z.string({ message: 'expected a name' }).trim().min(1, 'expected a name').max(100, 'expected at most 100 characters'),
    description: z.string({ message: 'expected text' }).max(1000, 'expected at most 1000 characters').default(''),
    windows: installationWindowsSchema.nullable().default(null),
  })
  .strict();
export type CreateGroupInput = z.input<typeof createGroupSchema>;

export const groupMembersSchema = z
  .object({ machineIds: z.array(z.uuid({ message: 'expected a machine id (a UUID)' }), { message: 'expected a list of machine ids' }).min(1, 'expected at least one machine').max(10_000, 'expected at most 10,000 machines at once') })
  .strict();
export type GroupMembersInput = z.input<typeof groupMembersSchema>;

export const groupWindowsSchema = z.object({ windows: installationWindowsSchema.nullable() }).strict();

export const groupBlackoutSchema = z.object({ blackoutDates: blackoutDatesSchema }).strict();
export type GroupBlackoutInput = z.input<typeof groupBlackoutSchema>;
