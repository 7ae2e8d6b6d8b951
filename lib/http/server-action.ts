import 'server-only';
import { revalidatePath } from 'next/cache';
import { forbidden, unauthorized, unstable_rethrow } from 'next/navigation';
import type { z } from 'zod';
import { can, type Actor, type Permission } from '@/lib/auth/permissions';
import { parseInput, toErrorBody, type AppErrorCode } from '@/lib/errors';
import { formToObject } from './form-to-object';
import { getActor } from './session';

export type ActionState =
  | { ok: true; message?: string; data?: Record<string, string>; at: number }
  | { ok: false; error: { code: AppErrorCode; message: string; field?: string }; at: number }
  | null;

export interface ActionOptions<S extends z.ZodType> {
  permission: Permission;
  input: S;
  /**
   * Pages to refresh after success. A path ending in `/*` refreshes everything under it (a
   * layout revalidation), for actions whose buttons appear on many pages.
   */
  revalidate?: string[];
}

/**
 * A server action is a public POST endpoint: this wrapper checks the session and role itself
 * (a real 401/403 via Next's auth interrupts, before anything is parsed), parses the form with
 * zod (naming the field), calls one lib/ operation and returns a result the form shows. Other
 * errors come back as that result, so no internal message can leak.
 */
export function serverAction<S extends z.ZodType>(
  options: ActionOptions<S>,
  run: (ctx: { actor: Actor; input: z.output<S> }) => Promise<string | { message: string; data: Record<string, string> } | void>,
) {
  return async (_previous: ActionState, formData: FormData): Promise<ActionState> => {
    const actor = await getActor();
    if (!actor) unauthorized();
    if (!can(actor.role, options.permission)) forbidden();
    try {
      const raw = formData instanceof FormData ? formToObject(formData) : {};
      const input = parseInput(options.input, raw);
      const result = await run({ actor, input });
      for (const path of options.revalidate ?? []) {
        if (path.endsWith('/*')) revalidatePath(path.slice(0, -2), 'layout');
        else revalidatePath(path);
      }
      if (result && typeof result === 'object') return { ok: true, message: result.message, data: result.data, at: Date.now() };
      return { ok: true, message: result ?? undefined, at: Date.now() };
    } catch (error) {
      unstable_rethrow(error); // redirect() and notFound() are Next's control flow, not failures
      return { ok: false, error: toErrorBody(error).body.error, at: Date.now() };
    }
  };
}
