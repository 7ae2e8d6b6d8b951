import { z } from 'zod';

const uuid = (what: string) => z.uuid({ message: `expected ${what} (a UUID)` });

/** POST /api/portal/selections: one package for one or more of the user's machines, all or nothing. */
export const selectOffersSchema = z
  .object({
    packageId: uuid('the package’s id'),
    machineIds: z.array(uuid('a machine id'), { message: 'expected a list of machine ids' }).min(1, 'expected at least one machine: choose where to install it').max(100, 'expected at most 100 machines'),
    /** Run it at once, outside the machines' windows: only where the offer allows it. */
    installNow: z.boolean({ message: 'expected true or false' }).default(false),
  })
  .strict();

/** POST /api/portal/machines/<id>/selections: the offer by its package, or by its assignment. */
export const selectOfferSchema = z
  .object({
    packageId: uuid('the package’s id').optional(),
    assignmentId: uuid('the assignment’s id').optional(),
    installNow: z.boolean({ message: 'expected true or false' }).default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.packageId && !v.assignmentId) ctx.addIssue({ code: 'custom', path: ['packageId'], message: 'expected packageId (or assignmentId): the offer to choose' });
    if (v.packageId && v.assignmentId) ctx.addIssue({ code: 'custom', path: ['assignmentId'], message: 'expected packageId or assignmentId, not both' });
  });

/** What selectOffer parses: the two API shapes above, and the catalog's form, all come to this. */
export const selectOfferInputSchema = z
  .object({
    packageId: uuid('the package’s id').optional(),
    assignmentId: uuid('the assignment’s id').optional(),
    machineIds: selectOffersSchema.shape.machineIds,
    installNow: z.boolean({ message: 'expected true or false' }).default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.packageId && !v.assignmentId) ctx.addIssue({ code: 'custom', path: ['packageId'], message: 'expected packageId (or assignmentId): the offer to choose' });
    if (v.assignmentId && (v.packageId || v.machineIds.length !== 1)) ctx.addIssue({ code: 'custom', path: ['assignmentId'], message: 'expected assignmentId with exactly one machine and no packageId' });
  });
export type SelectOfferInput = z.input<typeof selectOfferInputSchema>;
