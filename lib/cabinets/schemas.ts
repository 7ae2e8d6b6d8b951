import { z } from 'zod';
import { identifierSchema } from '@/lib/contract/package-manifest';

export const cabinetNameSchema = identifierSchema('cabinet name');

export const createCabinetSchema = z.object({
  name: cabinetNameSchema,
  description: z.string({ message: 'expected text' }).trim().max(1000, 'expected at most 1000 characters').default(''),
});
export type CreateCabinetInput = z.input<typeof createCabinetSchema>;
