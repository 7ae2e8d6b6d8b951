import { z } from 'zod';

export const JOB_KINDS = ['install', 'offer', 'uninstall', 'inventory'] as const;
export const JOB_TIMINGS = ['asap', 'at', 'windows'] as const;

const instant = (what: string) => z.iso.datetime({ offset: true, message: `expected ${what} as an ISO 8601 date-time such as 2027-01-31T22:00:00Z` });

export const createJobSchema = z
  .object({
    name: z.string({ message: 'expected text' }).trim().min(1, 'expected a name').max(200, 'expected at most 200 characters').optional(),
    kind: z.enum(JOB_KINDS, { message: `expected one of ${JOB_KINDS.join(', ')}` }),
    /** The package's id (a UUID, as in /api/packages); not for inventory jobs. */
    packageId: z.uuid({ message: 'expected the package’s id (a UUID)' }).optional(),
    machineIds: z.array(z.uuid({ message: 'expected a machine id (a UUID)' }), { message: 'expected a list of machine ids' }).max(100_000, 'expected at most 100,000 machines').default([]),
    groupIds: z.array(z.uuid({ message: 'expected a group id (a UUID)' }), { message: 'expected a list of group ids' }).max(1000, 'expected at most 1,000 groups').default([]),
    timing: z.enum(JOB_TIMINGS, { message: `expected one of ${JOB_TIMINGS.join(', ')}` }).default('windows'),
    startAt: instant('startAt').optional(),
    notBefore: instant('notBefore').optional(),
    deadline: instant('deadline').optional(),
    loadSpreading: z.boolean({ message: 'expected true or false' }).default(false),
    /** At most this many machines install at once; omitted: no cap. */
    maxConcurrent: z.number({ message: 'expected a whole number' }).int('expected a whole number').min(1, 'expected at least 1').max(100_000, 'expected at most 100,000').optional(),
    /** install only: how many times the end user may postpone it to a later window (never past the deadline); omitted or 0: never. */
    deferralLimit: z.number({ message: 'expected a whole number' }).int('expected a whole number').min(0, 'expected 0 or more').max(100, 'expected at most 100').optional(),
    /** install and offer: the end user may run it at once, outside the machine's windows. */
    allowInstallNow: z.boolean({ message: 'expected true or false' }).default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'inventory' && v.packageId) ctx.addIssue({ code: 'custom', path: ['packageId'], message: 'expected no package for an inventory job' });
    if (v.kind !== 'inventory' && !v.packageId) ctx.addIssue({ code: 'custom', path: ['packageId'], message: `expected the package to ${v.kind}` });
    if (v.machineIds.length === 0 && v.groupIds.length === 0) ctx.addIssue({ code: 'custom', path: ['machineIds'], message: 'expected at least one destination: choose a machine or a group' });
    if (v.maxConcurrent !== undefined && v.kind === 'inventory') ctx.addIssue({ code: 'custom', path: ['maxConcurrent'], message: 'expected no cap for an inventory job' });
    if (v.deferralLimit !== undefined && v.kind !== 'install') ctx.addIssue({ code: 'custom', path: ['deferralLimit'], message: `expected no deferral limit for ${article(v.kind)} job: only a mandatory install can be deferred by its users` });
    if (v.allowInstallNow && v.kind !== 'install' && v.kind !== 'offer') ctx.addIssue({ code: 'custom', path: ['allowInstallNow'], message: `expected allowInstallNow only for an install or offer job, not ${article(v.kind)} one` });
    if (v.timing === 'at' && !v.startAt) ctx.addIssue({ code: 'custom', path: ['startAt'], message: 'expected the date and time to install at (timing "at")' });
    if (v.timing !== 'at' && v.startAt) ctx.addIssue({ code: 'custom', path: ['startAt'], message: 'expected startAt only with timing "at"' });
    if (v.notBefore && v.deadline && Date.parse(v.deadline) <= Date.parse(v.notBefore)) {
      ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'expected a deadline after notBefore: move the deadline later or notBefore earlier' });
    }
  });
function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

export type CreateJobInput = z.input<typeof createJobSchema>;
