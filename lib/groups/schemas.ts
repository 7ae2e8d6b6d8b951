import { z } from 'zod';
import { blackoutDatesSchema } from '@/lib/contract/blackout-dates';
import { installationWindowsSchema, WEEK_MINUTES } from '@/lib/contract/installation-window';
import { formatHours, openMinutesPerWeek } from '@/lib/schedule/guardrails';

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

/**
 * A group's guardrails for its members' own windows, all three given (PUT replaces them):
 * whether users may join it from the portal, the envelope their windows must lie in (the same
 * shape as installation windows; null: anywhere) and the open minutes a week they must keep.
 */
export const groupGuardrailsSchema = z
  .object({
    selfService: z.boolean({ message: 'expected true or false' }),
    windowEnvelope: installationWindowsSchema.min(1, 'expected at least one interval (null: anywhere)').nullable(),
    minOpenMinutes: z
      .number({ message: `expected whole minutes a week, 0 to ${WEEK_MINUTES} (168 h), or null` })
      .int('expected whole minutes')
      .min(0, `expected 0 to ${WEEK_MINUTES} minutes (168 h)`)
      .max(WEEK_MINUTES, `expected at most ${WEEK_MINUTES} minutes (168 h) a week`)
      .nullable(),
  })
  .strict()
  .superRefine((g, ctx) => {
    // A minimum the envelope cannot hold would leave members no valid windows at all.
    if (!g.windowEnvelope || !g.minOpenMinutes) return;
    const room = openMinutesPerWeek(g.windowEnvelope);
    if (g.minOpenMinutes > room) ctx.addIssue({ code: 'custom', path: ['minOpenMinutes'], message: `${formatHours(g.minOpenMinutes)} a week is more than the envelope allows (${formatHours(room)})` });
  });
export type GroupGuardrailsInput = z.input<typeof groupGuardrailsSchema>;
