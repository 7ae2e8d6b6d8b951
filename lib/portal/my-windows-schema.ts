import { IANAZone } from 'luxon';
import { z } from 'zod';
import { installationWindowsSchema } from '@/lib/contract/installation-window';

/**
 * The end user's windows for one machine: the list (null clears it, so the groups' defaults apply
 * again) and the zone the person meant them in, which must be the machine's own: a page opened
 * before the machine moved zones would otherwise silently mean other hours.
 */
export const setMyWindowsSchema = z
  .object({
    windows: installationWindowsSchema.nullable(),
    timeZone: z
      // No message of our own: zod's "is required (expected string)" says what is missing.
      .string()
      .max(64, 'expected an IANA time zone such as Europe/Berlin')
      .superRefine((zone, ctx) => {
        if (!IANAZone.isValidZone(zone)) ctx.addIssue({ code: 'custom', message: `unknown time zone "${zone}" (expected an IANA name such as Europe/Berlin)` });
      }),
  })
  .strict();
export type SetMyWindowsInput = z.input<typeof setMyWindowsSchema>;
