import type { Actor } from '@/lib/auth/permissions';

/** How an actor is named in the audit log and in assignment history. */
export function actorLabel(actor: Actor | null): string {
  if (!actor) return 'system';
  return actor.token ? `${actor.email} (token ${actor.token.name})` : actor.email;
}
