import { z } from 'zod';
import { sha256Schema } from '@/lib/contract/package-manifest';

const name = z.string({ message: 'expected a name' }).trim().min(1, 'expected a name such as "Berlin office"').max(100, 'expected at most 100 characters');

/** The base URL machines (and child relays) reach the relay at: http(s), no path query or credentials. */
const url = z
  .string({ message: 'expected the URL machines reach the relay at, such as http://relay-berlin:8081' })
  .trim()
  .max(500, 'expected at most 500 characters')
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, 'expected an http:// or https:// URL without credentials, query or fragment, such as http://relay-berlin:8081')
  .transform((v) => v.replace(/\/+$/, ''));

const parentId = z.uuid({ message: 'expected a relay id (a UUID), or null for none (the relay fetches from the managing server)' }).nullable();
const description = z.string({ message: 'expected text' }).max(1000, 'expected at most 1000 characters');

export const createRelaySchema = z
  .object({ name, url, parentId: parentId.default(null), description: description.default('') })
  .strict();
export type CreateRelayInput = z.input<typeof createRelaySchema>;

export const updateRelaySchema = z
  .object({ url: url.optional(), parentId: parentId.optional(), description: description.optional() })
  .strict()
  .refine((v) => v.url !== undefined || v.parentId !== undefined || v.description !== undefined, { message: 'expected at least one of url, parentId, description' });
export type UpdateRelayInput = z.input<typeof updateRelaySchema>;

/** A machine's or a group's relay; null: none (the machine's groups', else the managing server). */
export const setRelaySchema = z.object({ relayId: z.uuid({ message: 'expected a relay id (a UUID), or null for none' }).nullable() }).strict();
export type SetRelayInput = z.input<typeof setRelaySchema>;

const kind = z.enum(['delete', 'prefetch'], { message: 'expected delete or prefetch' });

/**
 * What an order is about: a package (its content), or, for delete only, a content the relay holds
 * that no package uses any more (its package was deleted after the relay fetched it).
 */
const target = {
  kind,
  packageId: z.uuid({ message: 'expected a package id (a UUID)' }).optional(),
  sha256: sha256Schema.optional(),
};

function checkTarget(v: { kind: 'delete' | 'prefetch'; packageId?: string; sha256?: string }, ctx: z.RefinementCtx) {
  if (!v.packageId && !v.sha256) ctx.addIssue({ code: 'custom', path: ['packageId'], message: 'expected the package id of the content to order' });
  else if (v.packageId && v.sha256) ctx.addIssue({ code: 'custom', path: ['sha256'], message: 'expected either packageId or sha256, not both' });
  else if (v.sha256 && v.kind !== 'delete') ctx.addIssue({ code: 'custom', path: ['sha256'], message: 'expected a packageId: only delete takes a bare sha256' });
}

/** POST /api/relays/<id>/orders: delete a package from this relay, or transfer it to the relay. */
export const relayOrderSchema = z.object(target).strict().superRefine(checkTarget);
export type RelayOrderInput = z.input<typeof relayOrderSchema>;

/** POST /api/relay-orders: the same for chosen relays, or every relay (a batch, one order per relay). */
export const relayOrderBatchSchema = z
  .object({
    ...target,
    relayIds: z.array(z.uuid({ message: 'expected a relay id (a UUID)' }), { message: 'expected a list of relay ids' }).min(1, 'expected at least one relay').max(1000, 'expected at most 1,000 relays').optional(),
    all: z.literal(true, { message: 'expected true (every relay), or relayIds' }).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    checkTarget(v, ctx);
    if (!v.relayIds && !v.all) ctx.addIssue({ code: 'custom', path: ['relayIds'], message: 'expected the relays (relayIds) or all: true' });
    else if (v.relayIds && v.all) ctx.addIssue({ code: 'custom', path: ['all'], message: 'expected either relayIds or all: true, not both' });
  });
export type RelayOrderBatchInput = z.input<typeof relayOrderBatchSchema>;
